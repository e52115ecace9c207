from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "saylau.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import sqlite

        connection_created.connect(sqlite.install, dispatch_uid="saylau_sqlite_unicode_like")
