from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from saylau.core.i18n import localized


class Region(models.Model):
    """An oblast or a city of republican significance, keyed by its ISO 3166-2:KZ code."""

    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=8, unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=120)
    name_ru = models.CharField(_("name (Russian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    is_city = models.BooleanField(_("city of republican significance"), default=False)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["iso_code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Level(models.TextChoices):
    CEC = "cec", _("Central Election Commission")
    REGIONAL = "regional", _("Regional territorial commission")
    TERRITORIAL = "territorial", _("City/district territorial commission")
    DISTRICT = "district", _("District (okrug) commission")
    PRECINCT = "precinct", _("Precinct commission")


# Which level may sit under which: the cascade runs CEC → regional → city/district → district/precinct.
ALLOWED_PARENT_LEVELS = {
    Level.CEC: (),
    Level.REGIONAL: (Level.CEC,),
    Level.TERRITORIAL: (Level.REGIONAL,),
    Level.DISTRICT: (Level.REGIONAL, Level.TERRITORIAL),
    Level.PRECINCT: (Level.TERRITORIAL, Level.DISTRICT),
}
LEVEL_ORDER = [Level.CEC, Level.REGIONAL, Level.TERRITORIAL, Level.DISTRICT, Level.PRECINCT]


class Commission(models.Model):
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, db_index=True)
    code = models.CharField(_("code"), max_length=32, unique=True)
    number = models.CharField(_("number"), max_length=16, blank=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=255)
    name_ru = models.CharField(_("name (Russian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent commission"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # Denormalised from the parent chain: role scoping filters on it directly (no recursive queries).
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="commissions"
    )
    conducts_elections = models.BooleanField(_("conducts elections"), default=True)
    conducts_referendums = models.BooleanField(_("acts as referendum commission"), default=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["region", "level"]),
            # Member search matches a commission code case-insensitively: UPPER(code) = UPPER(…).
            models.Index(Upper("code"), name="commission_code_upper_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="cec", region__isnull=True) | (~Q(level="cec") & Q(region__isnull=False)),
                name="commission_region_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def level_rank(self) -> int:
        return LEVEL_ORDER.index(self.level)


class Sex(models.TextChoices):
    MALE = "m", _("male")
    FEMALE = "f", _("female")


class ContentLanguage(models.TextChoices):
    KAZAKH = "kk", _("Kazakh")
    RUSSIAN = "ru", _("Russian")


class Person(models.Model):
    surname = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    iin = models.CharField(_("IIN"), max_length=12, unique=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(
        _("preferred language"), max_length=2, choices=ContentLanguage.choices, default=ContentLanguage.KAZAKH
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["surname", "first_name", "patronymic"]
        indexes = [models.Index(fields=["surname", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.surname, self.first_name, self.patronymic) if part)

    @property
    def masked_iin(self) -> str:
        return f"{self.iin[:2]}••••••••{self.iin[-2:]}"


class Position(models.TextChoices):
    CHAIR = "chair", _("chair")
    DEPUTY_CHAIR = "deputy_chair", _("deputy chair")
    SECRETARY = "secretary", _("secretary")
    MEMBER = "member", _("member")


POSITION_LABELS = dict(Position.choices)  # lazy labels: translated when formatted


class Basis(models.TextChoices):
    PERMANENT = "permanent", _("permanent (professional)")
    NON_PERMANENT = "non_permanent", _("non-permanent")


class MembershipQuerySet(models.QuerySet):
    def not_ended(self, on=None):
        """Current or still to begin: the terms a new seat for the same person must replace."""
        return self.filter(Q(term_end__isnull=True) | Q(term_end__gte=on or timezone.localdate()))

    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(term_start__isnull=True) | Q(term_start__lte=on)).filter(
            Q(term_end__isnull=True) | Q(term_end__gte=on)
        )


class Membership(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships")
    commission = models.ForeignKey(
        Commission, verbose_name=_("commission"), on_delete=models.PROTECT, related_name="memberships"
    )
    position = models.CharField(_("position"), max_length=16, choices=Position.choices, default=Position.MEMBER)
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices, default=Basis.NON_PERMANENT)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["commission__code", "position", "person__surname"]
        indexes = [
            # Both term columns in the key, so that "current members of these commissions / of these
            # people" is an index-only scan rather than a sequential scan of every membership (counts of
            # a region's members, the member search).
            models.Index(fields=["commission", "term_end", "term_start"], name="membership_commission_term_idx"),
            models.Index(fields=["person", "term_end", "term_start"], name="membership_person_term_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_start__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="membership_term_in_order",
            ),
        ]

    def __str__(self) -> str:
        # Same text as get_position_display(), without its per-call hashing of every (lazy) choice label:
        # an import writes one audit entry per new membership, each with this as its object_repr.
        return f"{self.person} — {POSITION_LABELS.get(self.position, self.position)}, {self.commission.code}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return (self.term_start is None or self.term_start <= today) and (self.term_end is None or self.term_end >= today)


class MemberImport(models.Model):
    """An uploaded member list between its preview and its confirmation (shared by every app server)."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("previewed")
        APPLIED = "applied", _("applied")
        REJECTED = "rejected", _("rejected")

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("by")
    )
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PREVIEWED)
    summary = models.JSONField(_("summary"), default=dict)

    class Meta:
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename
