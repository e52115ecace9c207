from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PsychometricsConfig(AppConfig):
    name = "saylau.psychometrics"
    label = "psychometrics"
    verbose_name = _("Item statistics")
