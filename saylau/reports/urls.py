from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard.pdf", views.dashboard_pdf, name="dashboard_pdf"),
    path("tables/<slug:name>.<str:fmt>", views.table_export, name="table"),
    path("annual/<int:year>/", views.annual_report, name="annual"),
    path("people/", views.people_list, name="people"),
    path("events/", views.events_list, name="events"),
    path("commissions/", views.commissions_list, name="commissions"),
    path("results/", views.results_list, name="results"),
    path("certificates/", views.certificates_list, name="certificates"),
]
