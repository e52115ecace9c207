"""Stored results of the item analysis. Computed by the background worker after a test closes (and when asked),
never per page view: pages read these rows. Figures are kept as the JSON the analysis produced, because they are
read whole (a page shows all of a test's items) and never filtered on, except the flags, which the bank filters
on and which therefore have their own column."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from saylau.assessment.models import Attempt, Exam, Item


class TestAnalysis(models.Model):
    """Moodle's quiz statistics (and more) for one test, over its submitted attempts."""

    __test__ = False  # not a pytest test class, whatever its name

    exam = models.OneToOneField(Exam, on_delete=models.CASCADE, related_name="analysis", verbose_name=_("test"))
    computed_at = models.DateTimeField(_("computed"))
    attempts = models.PositiveIntegerField(_("attempts analysed"))
    last_submitted_at = models.DateTimeField(null=True)  # the newest attempt included: tells when it is stale
    test = models.JSONField(default=dict)  # TestStatistics as a dict
    items = models.JSONField(default=list)  # one dict per item: figures, IRT parameters, distractors, flags
    irt = models.JSONField(null=True)  # {"model", "loglik", "n", "parameterisation"} or None (too few attempts)

    class Meta:
        verbose_name = _("test statistics")
        verbose_name_plural = _("test statistics")

    def __str__(self) -> str:
        return f"{self.exam} ({self.attempts})"


class ItemAnalysis(models.Model):
    """One item's figures over every attempt, in any test, that showed it; the flags shown in the bank."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="analysis", verbose_name=_("item"))
    computed_at = models.DateTimeField(_("computed"))
    attempts = models.PositiveIntegerField(_("attempts analysed"))
    tests = models.PositiveIntegerField(_("tests"))
    figures = models.JSONField(default=dict)
    distractors = models.JSONField(default=list)
    flags = models.JSONField(default=list)  # [{"code", "detail"}]
    flagged = models.BooleanField(_("flagged"), default=False, db_index=True)

    class Meta:
        verbose_name = _("item statistics")
        verbose_name_plural = _("item statistics")

    def __str__(self) -> str:
        return f"{self.item} ({self.attempts})"


class AttemptAbility(models.Model):
    """The examinee's ability (EAP, with its posterior SD) in an attempt, on the bank's common Rasch scale."""

    attempt = models.OneToOneField(Attempt, on_delete=models.CASCADE, related_name="ability")
    theta = models.FloatField()
    se = models.FloatField()
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.attempt_id}: θ = {self.theta:.2f} ± {self.se:.2f}"
