"""The item bank (topics, legal acts, items with versions) and the test engine (tests, attempts, answers).

An item's content lives in its versions (``ItemVersion.document``, see ``documents.py``); the item row carries
what the bank filters and draws on (status, topic, difficulty, languages), copied from its current version.
An attempt freezes the versions it showed: editing an item later never changes a started attempt.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from saylau.commissions.models import Commission, Person
from saylau.core.i18n import localized


class Topic(models.Model):
    """A node of the topic tree: the stages of an election, extendable below."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("parent topic"))
    name_kk = models.CharField(_("name (Kazakh)"), max_length=255)
    name_ru = models.CharField(_("name (Russian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class LegalAct(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=255)
    title_ru = models.CharField(_("title (Russian)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255)

    class Meta:
        verbose_name = _("legal act")
        verbose_name_plural = _("legal acts")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")


class Amendment(models.Model):
    """An article marked as amended: every item citing it was sent back to review."""

    act = models.ForeignKey(LegalAct, on_delete=models.PROTECT, related_name="amendments", verbose_name=_("legal act"))
    article = models.CharField(_("article"), max_length=16)
    paragraph = models.CharField(_("paragraph"), max_length=16, blank=True,
                                 help_text=_("Empty: the whole article."))
    amended_on = models.DateField(_("amended on"))
    note = models.TextField(_("note"), blank=True)
    items_flagged = models.PositiveIntegerField(_("items flagged"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["-amended_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.act_id}, {self.article} ({self.amended_on})"


class ItemType(models.TextChoices):
    SINGLE_CHOICE = "single_choice", _("single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("multiple choice")
    TRUE_FALSE = "true_false", _("true/false")
    SHORT_ANSWER = "short_answer", _("short answer")
    NUMERICAL = "numerical", _("numerical")
    MATCHING = "matching", _("matching")
    ESSAY = "essay", _("essay")
    DESCRIPTION = "description", _("description")
    SCENARIO = "scenario", _("case scenario")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    REVIEW = "review", _("in review")
    APPROVED = "approved", _("approved")
    RETIRED = "retired", _("retired")


class Item(models.Model):
    type = models.CharField(_("type"), max_length=16, choices=ItemType.choices)
    status = models.CharField(_("status"), max_length=8, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    current = models.ForeignKey("ItemVersion", null=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("current version"))
    # Copied from the current version: what the bank lists, filters and draws on.
    name = models.CharField(_("name"), max_length=255, blank=True)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="items",
                              verbose_name=_("topic"))
    difficulty = models.PositiveSmallIntegerField(_("difficulty"), null=True, blank=True)
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2, default=1)
    has_kk = models.BooleanField(_("in Kazakh"), default=False)
    has_ru = models.BooleanField(_("in Russian"), default=False)
    review_reason = models.CharField(_("why it needs review"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "topic", "difficulty"])]

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"


class ItemVersion(models.Model):
    """One version of an item's content; immutable once an attempt has shown it or the item was approved."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions", verbose_name=_("item"))
    number = models.PositiveIntegerField(_("version"))
    document = models.JSONField(_("content"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("item version")
        verbose_name_plural = _("item versions")
        ordering = ["item", "number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="one_number_per_item_version")]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"


class ItemReference(models.Model):
    """A legal provision a version cites (from its document), as rows: amendments find the items citing them."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="references")
    act = models.ForeignKey(LegalAct, on_delete=models.PROTECT, related_name="+")
    article = models.CharField(max_length=16)
    paragraph = models.CharField(max_length=16, blank=True)

    class Meta:
        indexes = [models.Index(fields=["act", "article"])]

    def __str__(self) -> str:
        return f"{self.act_id} {self.article}.{self.paragraph}"


class Purpose(models.TextChoices):
    PRE = "pre", _("entry test")
    POST = "post", _("final test")
    DISTANCE = "distance", _("distance test")
    PRACTICE = "practice", _("practice")


class Mode(models.TextChoices):
    ROOM = "room", _("in the seminar room")
    DISTANCE = "distance", _("at a distance")


class FeedbackPolicy(models.TextChoices):
    AFTER_SUBMIT = "after_submit", _("after submission")
    AFTER_CLOSE = "after_close", _("after the test closes")
    NEVER = "never", _("never")


class Eligibility(models.TextChoices):
    EVENT = "event", _("the enrolled participants of the event")
    PERSONS = "persons", _("a list of people")
    FILTER = "filter", _("a registry filter")
    COURSE = "course", _("the learners of a distance course")


class RoomState(models.TextChoices):
    WAITING = "waiting", _("not opened yet")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class Exam(models.Model):
    """A test: a fixed list of items or a blueprint drawn per examinee, its rules and who may take it."""

    title_kk = models.CharField(_("title (Kazakh)"), max_length=255)
    title_ru = models.CharField(_("title (Russian)"), max_length=255)
    purpose = models.CharField(_("purpose"), max_length=8, choices=Purpose.choices, default=Purpose.DISTANCE)
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, default=Mode.DISTANCE)
    event = models.ForeignKey("training.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="exams",
                              verbose_name=_("event"))
    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("organising commission"))
    # [{"topic": code, "count": n, "difficulty_min": 1, "difficulty_max": 5}]; empty: the fixed list (ExamItem).
    blueprint = models.JSONField(_("blueprint"), default=list, blank=True)
    time_limit_minutes = models.PositiveIntegerField(_("time limit (minutes)"), null=True, blank=True)
    pass_mark_percent = models.DecimalField(_("pass mark (%)"), max_digits=5, decimal_places=2, default=60)
    shuffle_items = models.BooleanField(_("shuffle items"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts allowed"), default=1)
    feedback_policy = models.CharField(_("feedback"), max_length=16, choices=FeedbackPolicy.choices,
                                       default=FeedbackPolicy.AFTER_SUBMIT)
    one_item_per_page = models.BooleanField(_("one item per page"), default=False)
    eligibility = models.CharField(_("who may take it"), max_length=8, choices=Eligibility.choices,
                                   default=Eligibility.EVENT)
    eligible_people = models.ManyToManyField(Person, blank=True, related_name="+", verbose_name=_("eligible people"))
    # {"region": "KZ-61", "under": commission code, "level": [...], "position": [...], "basis": "…"}
    eligible_filter = models.JSONField(_("registry filter"), default=dict, blank=True)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    room_state = models.CharField(_("room state"), max_length=8, choices=RoomState.choices,
                                  default=RoomState.WAITING)
    join_code = models.CharField(_("join code"), max_length=6, unique=True)
    # A final test names its entry test: the pair is compared per participant (normalised gain).
    pre_test = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="post_test", verbose_name=_("entry test"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("test")
        verbose_name_plural = _("tests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")


class ExamItem(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="fixed_items")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["exam", "position"]
        constraints = [models.UniqueConstraint(fields=["exam", "item"], name="item_once_per_exam")]

    def __str__(self) -> str:
        return f"{self.exam_id}: {self.position}. {self.item_id}"


class AttemptStatus(models.TextChoices):
    OPEN = "open", _("in progress")
    SUBMITTED = "submitted", _("submitted")


class Attempt(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("test"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("person"))
    number = models.PositiveSmallIntegerField(_("attempt"), default=1)
    language = models.CharField(_("language"), max_length=2)
    status = models.CharField(_("status"), max_length=10, choices=AttemptStatus.choices, default=AttemptStatus.OPEN)
    started_at = models.DateTimeField(_("started"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_at_deadline = models.BooleanField(_("submitted at the deadline"), default=False)
    score = models.DecimalField(_("score"), max_digits=9, decimal_places=4, null=True, blank=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=9, decimal_places=4, null=True, blank=True)
    percent = models.DecimalField(_("percent"), max_digits=6, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True)
    awaiting_grading = models.BooleanField(_("awaiting grading"), default=False)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["exam", "person", "number"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "person", "number"], name="attempt_number_per_person"),
            models.UniqueConstraint(fields=["exam", "person"], condition=Q(status="open"),
                                    name="one_open_attempt_per_person"),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.exam} #{self.number}"


class AttemptItem(models.Model):
    """An item as one attempt shows it (frozen version, option order) and the examinee's saved answer."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ItemVersion, on_delete=models.PROTECT, related_name="+")
    topic = models.ForeignKey(Topic, null=True, on_delete=models.PROTECT, related_name="+")
    order = models.JSONField(default=list)  # option / pair ids in the order shown
    max_points = models.DecimalField(max_digits=7, decimal_places=2)
    response = models.JSONField(null=True)
    saved_at = models.DateTimeField(null=True)
    fraction = models.FloatField(null=True)
    points = models.DecimalField(max_digits=9, decimal_places=4, null=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    graded_at = models.DateTimeField(null=True)
    grader_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "item"], name="item_once_per_attempt")]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.position}. {self.item_id}"
