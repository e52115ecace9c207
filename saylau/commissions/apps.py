from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissionsConfig(AppConfig):
    name = "saylau.commissions"
    label = "commissions"
    verbose_name = _("Registry of commissions")
