from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "saylau.certificates"
    label = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        from . import receivers  # noqa: F401  (issue automatically when an event closes or a test is submitted)
