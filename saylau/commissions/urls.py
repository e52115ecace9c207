from django.urls import path

from . import views

app_name = "commissions"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("c/<int:commission_id>/", views.commission_detail, name="commission"),
    path("c/<int:commission_id>/children/", views.children, name="children"),
    path("p/<int:person_id>/", views.person_detail, name="person"),
    path("members/", views.members, name="members"),
    path("members/export/", views.members_export, name="members_export"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:import_id>/confirm/", views.import_confirm, name="import_confirm"),
]
