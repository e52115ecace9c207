"""The yearly cycle of training: roadmap, events with programmes, enrolment, attendance, the cascade, coverage."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from saylau.commissions.models import Commission, Person, Region
from saylau.core.i18n import localized


class Organisation(models.Model):
    """A partner: the Academy of Public Administration, its Electoral Training Centre, ministries, universities…"""

    class Kind(models.TextChoices):
        ACADEMY = "academy", _("academy or training centre")
        STATE_BODY = "state_body", _("state body")
        UNIVERSITY = "university", _("university")
        INTERNATIONAL = "international", _("international organisation")
        PUBLIC = "public", _("public organisation")
        OTHER = "other", _("other")

    name_kk = models.CharField(_("name (Kazakh)"), max_length=255)
    name_ru = models.CharField(_("name (Russian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey("self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="units")
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_ru"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Audience(models.Model):
    """Who an event is for. Audiences that are commission members say which memberships count for coverage."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=255)
    name_ru = models.CharField(_("name (Russian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    commission_levels = models.JSONField(_("commission levels"), default=list, blank=True)
    positions = models.JSONField(_("positions"), default=list, blank=True,
                                 help_text=_("Empty means every position."))
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def is_commission_audience(self) -> bool:
        return bool(self.commission_levels)


class Kind(models.TextChoices):
    SEMINAR = "seminar", _("seminar")
    LECTURE = "lecture", _("lecture")
    TRAINING = "training", _("training")
    ROUND_TABLE = "round_table", _("round table")
    WEBINAR = "webinar", _("webinar")
    DISTANCE_COURSE = "distance_course", _("distance course")
    TESTING = "testing", _("testing")


class TrainingLevel(models.TextChoices):
    REPUBLICAN = "republican", _("republican")
    REGIONAL = "regional", _("regional")
    TERRITORIAL = "territorial", _("territorial")
    PRECINCT = "precinct", _("precinct")


class Funding(models.TextChoices):
    REPUBLICAN = "republican_budget", _("republican budget")
    LOCAL = "local_budget", _("local budget")
    PARTNER = "partner", _("partner")
    NONE = "none", _("no funding needed")


class Roadmap(models.Model):
    """The year's complex of training measures, approved by a CEC resolution."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    resolution_number = models.CharField(_("resolution number"), max_length=32)
    resolution_date = models.DateField(_("resolution date"))
    document = models.FileField(_("resolution document"), upload_to="roadmaps/", blank=True)

    class Meta:
        verbose_name = _("roadmap")
        verbose_name_plural = _("roadmaps")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}"


class RoadmapItem(models.Model):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="items", verbose_name=_("roadmap"))
    number = models.PositiveSmallIntegerField(_("number"), default=0)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=500)
    title_ru = models.CharField(_("title (Russian)"), max_length=500)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=16, choices=TrainingLevel.choices)
    audiences = models.ManyToManyField(Audience, verbose_name=_("audiences"), blank=True)
    planned_month = models.PositiveSmallIntegerField(_("planned month"), null=True, blank=True)
    planned_quarter = models.PositiveSmallIntegerField(_("planned quarter"), null=True, blank=True)
    responsible = models.ForeignKey(Commission, verbose_name=_("responsible commission"), on_delete=models.PROTECT,
                                    related_name="roadmap_items")
    partners = models.ManyToManyField(Organisation, verbose_name=_("partners"), blank=True)
    funding = models.CharField(_("funding source"), max_length=20, choices=Funding.choices, default=Funding.NONE)
    planned_participants = models.PositiveIntegerField(_("planned participants"), default=0)

    class Meta:
        verbose_name = _("roadmap item")
        verbose_name_plural = _("roadmap items")
        ordering = ["roadmap", "number", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_month__isnull=True) | Q(planned_month__gte=1, planned_month__lte=12),
                                   name="roadmap_item_month_valid"),
            models.CheckConstraint(condition=Q(planned_quarter__isnull=True) | Q(planned_quarter__gte=1, planned_quarter__lte=4),
                                   name="roadmap_item_quarter_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")


class Format(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    DISTANCE = "distance", _("distance")
    HYBRID = "hybrid", _("hybrid")


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class Event(models.Model):
    title_kk = models.CharField(_("title (Kazakh)"), max_length=500)
    title_ru = models.CharField(_("title (Russian)"), max_length=500)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=16, choices=Format.choices, default=Format.IN_PERSON)
    level = models.CharField(_("level"), max_length=16, choices=TrainingLevel.choices)
    venue_address = models.CharField(_("venue address"), max_length=255, blank=True)
    venue_room = models.CharField(_("room"), max_length=100, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    starts_on = models.DateField(_("starts on"), db_index=True)
    ends_on = models.DateField(_("ends on"))
    organiser = models.ForeignKey(Commission, verbose_name=_("organising commission"), on_delete=models.PROTECT,
                                  related_name="events")
    # Copied from the organiser: scoping filters events by region like commissions (None: national).
    region = models.ForeignKey(Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="events")
    partners = models.ManyToManyField(Organisation, verbose_name=_("partners"), blank=True)
    audiences = models.ManyToManyField(Audience, verbose_name=_("audiences"), blank=True)
    languages = models.JSONField(_("languages"), default=list)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True,
                                           help_text=_("Empty means no limit."))
    roadmap_item = models.ForeignKey(RoadmapItem, verbose_name=_("roadmap item"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="events")
    parent = models.ForeignKey("self", verbose_name=_("parent event (level above in the cascade)"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="children")
    trains_trainers = models.BooleanField(_("training of trainers"), default=False)
    accreditation_months = models.PositiveSmallIntegerField(_("trainer accreditation valid (months)"), default=24)
    min_attendance_percent = models.PositiveSmallIntegerField(_("attendance needed to complete (%)"), default=75)
    status = models.CharField(_("status"), max_length=16, choices=EventStatus.choices, default=EventStatus.SCHEDULED,
                              db_index=True)
    cancel_reason = models.CharField(_("reason for cancellation"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_on", "pk"]
        indexes = [models.Index(fields=["region", "starts_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="event_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")


class Method(models.TextChoices):
    LECTURE = "lecture", _("lecture")
    PRACTICAL_CASE = "practical_case", _("practical case")
    FACILITATION = "facilitation", _("facilitation / group work")
    TEST = "test", _("test")
    DISCUSSION = "discussion", _("discussion")


class Session(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("event"))
    day = models.DateField(_("day"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    title_kk = models.CharField(_("title (Kazakh)"), max_length=500)
    title_ru = models.CharField(_("title (Russian)"), max_length=500)
    topic = models.CharField(_("module / topic"), max_length=255, blank=True)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices, default=Method.LECTURE)
    check_in_code = models.CharField(_("check-in code"), max_length=8, unique=True)
    check_in_open_until = models.DateTimeField(_("check-in open until"), null=True, blank=True)
    # A session that did not take place counts for nobody's attendance (neither held nor missed).
    cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["event", "day", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.starts_at:%H:%M} {self.title}"

    @property
    def title(self) -> str:
        return localized(self, "title")


class Speaker(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="speakers", verbose_name=_("session"))
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("person"))
    name = models.CharField(_("name (external speaker)"), max_length=255, blank=True)
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    position = models.CharField(_("position"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        constraints = [
            models.CheckConstraint(condition=Q(person__isnull=False) | ~Q(name=""), name="speaker_has_name"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.person.full_name if self.person_id else self.name


class Material(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="materials", verbose_name=_("session"))
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("file"), upload_to="materials/", blank=True)
    link = models.URLField(_("link"), blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.title


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("enrolled")
    WAITLISTED = "waitlisted", _("on the waiting list")
    PENDING = "pending", _("awaiting approval")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled")


class EnrolmentSource(models.TextChoices):
    LIST = "list", _("by list")
    FILTER = "filter", _("by registry filter")
    FILE = "file", _("by file")
    SELF = "self", _("self-registration")


class Enrolment(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("event"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("person"))
    status = models.CharField(_("status"), max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED)
    source = models.CharField(_("source"), max_length=8, choices=EnrolmentSource.choices)
    # The commission the person sat on when enrolled: coverage counts commissions as they were.
    commission = models.ForeignKey(Commission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("commission"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["event", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="one_enrolment_per_person")]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.person} → {self.event}"


class Attendance(models.Model):
    class Method(models.TextChoices):
        ROSTER = "roster", _("marked by the trainer")
        QR = "qr", _("QR code")
        CODE = "code", _("short code")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("session"))
    # Indexed with the session below (person first), not on its own.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("person"),
                               db_index=False)
    checked_in_at = models.DateTimeField(_("checked in at"))
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    late = models.BooleanField(_("late"), default=False)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="one_check_in_per_session")]
        # Who attended, in person order: coverage walks it to find the distinct people trained (or probes it
        # member by member) instead of hashing a year of check-ins.
        indexes = [models.Index(fields=["person", "session"], name="attendance_person_session_idx")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.session}"


class EventTrainer(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="trainers", verbose_name=_("event"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="trainer_roles", verbose_name=_("person"))

    class Meta:
        verbose_name = _("event trainer")
        verbose_name_plural = _("event trainers")
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="one_trainer_role_per_event")]

    def __str__(self) -> str:
        return f"{self.person} ({self.event})"


class Accreditation(models.Model):
    """A trainer accreditation earned by completing a training of trainers."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="accreditations", verbose_name=_("person"))
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="accreditations", verbose_name=_("event"))
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region"))
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))

    class Meta:
        verbose_name = _("trainer accreditation")
        verbose_name_plural = _("trainer accreditations")
        constraints = [models.UniqueConstraint(fields=["person", "event"], name="one_accreditation_per_event")]

    def __str__(self) -> str:
        return f"{self.person} ({self.valid_until})"


class CoverageTarget(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))
    audience = models.ForeignKey(Audience, on_delete=models.PROTECT, verbose_name=_("audience"))
    target = models.PositiveIntegerField(_("target (people)"))

    class Meta:
        verbose_name = _("coverage target")
        verbose_name_plural = _("coverage targets")
        constraints = [models.UniqueConstraint(fields=["year", "region", "audience"], name="one_target_per_cell")]

    def __str__(self) -> str:
        return f"{self.year} {self.region} {self.audience}: {self.target}"


class EventRevision(models.Model):
    """A number that changes whenever an event's enrolments or check-ins change (or its sessions move).

    Written only by database triggers (migration 0005), whatever writes the rows: services, bulk loads, the admin,
    raw SQL. Readers keep what they counted per (event, revision) and count again only the events whose revision
    moved (``training.reach``). On PostgreSQL a revision is drawn from one sequence, so a number is never given
    twice, even to an event id that comes back after a database reset. No foreign key: the triggers of rows
    deleted with their event may touch it after the event is gone, and a leftover row is harmless.
    """

    event_id = models.BigIntegerField(primary_key=True)
    revision = models.BigIntegerField()

    class Meta:
        verbose_name = _("event revision")
        verbose_name_plural = _("event revisions")

    def __str__(self) -> str:
        return f"{self.event_id}: {self.revision}"
