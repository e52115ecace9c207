from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("activate/", views.activate_by_code, name="activate"),
    path("activate/<str:secret>/", views.activate_by_link, name="activate_link"),
    path("invitations/", views.invitations, name="invitations"),
    path("users/", views.users, name="users"),
    path("users/<int:user_id>/", views.user_access, name="user_access"),
]
