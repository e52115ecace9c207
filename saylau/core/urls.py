from django.urls import path
from django.views.i18n import set_language

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("audit/", views.audit_log, name="audit"),
    path("healthz", views.health, name="health"),
]
