"""Certificates: what is awarded for what (``Award`` with its rule), the certificates issued (each also a signed
Open Badges 3.0 credential), their revisions, the bulk issuance jobs, the per-commission PDF designs and the log of
verification checks.

A certificate keeps a snapshot of everything it states (holder's name, award title, dates, hours, result, issuer,
signatory): a certificate says what was true when it was issued, whatever is edited later. Re-issuing (a corrected
name) makes a new revision with the same number; the superseded credential and PDF digest stay in the history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from saylau.commissions.models import Commission, Person
from saylau.core.i18n import localized


class AwardKind(models.TextChoices):
    EVENT = "event", _("training event")
    TEST = "test", _("test")
    COURSE = "course", _("distance course")


class PdfLanguages(models.TextChoices):
    BOTH = "kk+ru", _("Kazakh and Russian")
    KAZAKH = "kk", _("Kazakh")
    RUSSIAN = "ru", _("Russian")


class Award(models.Model):
    """What a certificate is for, and the rule that earns it. One per event, test or distance course."""

    kind = models.CharField(_("awarded for"), max_length=8, choices=AwardKind.choices)
    event = models.OneToOneField("training.Event", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="award", verbose_name=_("event"))
    exam = models.OneToOneField("assessment.Exam", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="award", verbose_name=_("test"))
    # A course's rule is the course's own completion rule (courses.progress.rule_met).
    course = models.OneToOneField("courses.Course", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="award", verbose_name=_("distance course"))
    title_kk = models.CharField(_("title (Kazakh)"), max_length=500)
    title_ru = models.CharField(_("title (Russian)"), max_length=500)
    issuer = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("issuing commission"))
    # The rule: every condition set must hold. None: attendance is not a condition.
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("attendance needed (% of sessions held)"), null=True, blank=True)
    required_exam = models.ForeignKey("assessment.Exam", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("test to pass"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, null=True, blank=True,
                                help_text=_("Empty: the hours of the programme's sessions."))
    automatic = models.BooleanField(_("issue automatically when the rule is met"), default=True)
    pdf_languages = models.CharField(_("languages of the PDF"), max_length=5, choices=PdfLanguages.choices,
                                     default=PdfLanguages.BOTH)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="event", event__isnull=False, exam__isnull=True, course__isnull=True)
                           | models.Q(kind="test", exam__isnull=False, event__isnull=True, course__isnull=True)
                           | models.Q(kind="course", course__isnull=False, event__isnull=True,
                                      exam__isnull=True)),
                name="award_for_one_thing"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")


class Certificate(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("award"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="certificates",
                               verbose_name=_("holder"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    # What the certificate states (a snapshot).
    holder_name = models.CharField(_("holder's name"), max_length=300)
    award_title_kk = models.CharField(_("award (Kazakh)"), max_length=500)
    award_title_ru = models.CharField(_("award (Russian)"), max_length=500)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, null=True, blank=True)
    result_percent = models.DecimalField(_("result (%)"), max_digits=6, decimal_places=2, null=True, blank=True)
    issuer = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("issuing commission"))
    issuer_name_kk = models.CharField(_("issuer (Kazakh)"), max_length=255)
    issuer_name_ru = models.CharField(_("issuer (Russian)"), max_length=255)
    signatory_name = models.CharField(_("signatory"), max_length=255, blank=True)
    signatory_position_kk = models.CharField(_("signatory's position (Kazakh)"), max_length=255, blank=True)
    signatory_position_ru = models.CharField(_("signatory's position (Russian)"), max_length=255, blank=True)
    issued_on = models.DateField(_("issued on"), db_index=True)
    # How it was issued: by the rule (issued_by empty) or by hand with a reason.
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("issued by"))
    manual_reason = models.CharField(_("reason for issuing by hand"), max_length=500, blank=True)
    # The signed credential and the PDF as issued.
    status_index = models.PositiveIntegerField(_("position in the status list"), unique=True)
    credential = models.TextField(_("signed credential (VC-JWT)"))
    key_id = models.CharField(_("signing key"), max_length=64)
    pdf = models.FileField(_("PDF"), upload_to="certificates/", max_length=200)
    pdf_sha256 = models.CharField(max_length=64, db_index=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("revoked by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-number"]
        constraints = [models.UniqueConstraint(fields=["award", "person"], name="one_certificate_per_award")]

    def __str__(self) -> str:
        return self.number

    @property
    def award_title(self) -> str:
        return localized(self, "award_title")

    @property
    def issuer_name(self) -> str:
        return localized(self, "issuer_name")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_on is not None


class CertificateRevision(models.Model):
    """A superseded revision: what it stated, its credential and its PDF digest (still genuine, no longer current)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveSmallIntegerField(_("revision"))
    holder_name = models.CharField(_("holder's name"), max_length=300)
    credential = models.TextField()
    pdf_sha256 = models.CharField(max_length=64, db_index=True)
    replaced_at = models.DateTimeField(_("replaced"), auto_now_add=True)
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("replaced by"))
    reason = models.CharField(_("reason"), max_length=500)

    class Meta:
        ordering = ["certificate", "revision"]
        constraints = [models.UniqueConstraint(fields=["certificate", "revision"], name="revision_once")]

    def __str__(self) -> str:
        return f"{self.certificate_id} r{self.revision}"


class Counter(models.Model):
    """Sequences that must not repeat: certificate numbers per year, positions in the status list."""

    name = models.CharField(max_length=64, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class CertificateDesign(models.Model):
    """How a commission's certificates look and who signs them. A commission without one uses its nearest
    ancestor's; without any, the built-in design."""

    commission = models.OneToOneField(Commission, on_delete=models.CASCADE, related_name="certificate_design",
                                      verbose_name=_("commission"))
    logo = models.FileField(_("logo (PNG or JPEG)"), upload_to="certificate-logos/", blank=True)
    signatory_name = models.CharField(_("signatory"), max_length=255, blank=True)
    signatory_position_kk = models.CharField(_("signatory's position (Kazakh)"), max_length=255, blank=True)
    signatory_position_ru = models.CharField(_("signatory's position (Russian)"), max_length=255, blank=True)
    primary_colour = models.CharField(_("main colour"), max_length=7, default="#1d3f6e")
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#b08d2f")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("certificate design")
        verbose_name_plural = _("certificate designs")

    def __str__(self) -> str:
        return str(self.commission)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class IssuanceJob(models.Model):
    """Bulk issuance for a whole award, run by the worker; the page shows its progress."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    send_email = models.BooleanField(_("e-mail the PDF to each holder"), default=False)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.award_id}: {self.done}/{self.total} {self.status}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)


class VerificationCheck(models.Model):
    """One verification: what was checked, how, and the answer (the log the issue asks for; no personal data)."""

    class Channel(models.TextChoices):
        PAGE = "page", _("verification page")
        FILE = "file", _("uploaded file")
        API = "api", _("API")
        CLI = "cli", _("command line")

    checked_at = models.DateTimeField(auto_now_add=True, db_index=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    number = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10)
    client = models.CharField(max_length=64, blank=True)  # the client's address, for abuse investigations

    class Meta:
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.status}"
