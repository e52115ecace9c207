from django.urls import path

from . import views

app_name = "commissions"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("c/<int:commission_id>/", views.commission_detail, name="commission"),
    path("c/<int:commission_id>/children/", views.children, name="children"),
    path("c/<int:commission_id>/edit/", views.commission_edit, name="commission_edit"),
    path("c/<int:commission_id>/add/", views.commission_add_child, name="commission_add_child"),
    path("p/<int:person_id>/", views.person_detail, name="person"),
    path("p/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("members/", views.members, name="members"),
    path("members/export/", views.members_export, name="members_export"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:import_id>/confirm/", views.import_confirm, name="import_confirm"),
]
