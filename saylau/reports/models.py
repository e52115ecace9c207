"""The figures' source: a snapshot of the year's facts, rebuilt by the worker every minute.

Dashboards, exports, the annual report and ``/api/v1/reports/summary`` all read the same snapshot, so their
figures agree to the unit and state the same as-of time (docs/decisions.md, "Reports read a snapshot")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Snapshot(models.Model):
    built_at = models.DateTimeField(_("built at"), db_index=True)
    build_ms = models.PositiveIntegerField(_("build time (ms)"), default=0)
    data = models.BinaryField(_("data"))  # numpy arrays, np.savez (facts.Facts.to_bytes)
    # facts.fingerprint() when the facts were read: the worker skips a rebuild while it is unchanged.
    fingerprint = models.JSONField(default=list)

    class Meta:
        verbose_name = _("report snapshot")
        verbose_name_plural = _("report snapshots")
        ordering = ["-built_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.built_at:%Y-%m-%d %H:%M:%S}"
