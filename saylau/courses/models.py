"""Distance learning: the library of methodological materials (with versions), courses built from them and from
tests, the learners enrolled in cohorts, and their progress.

A material's content lives in its versions: publishing a new version keeps every earlier one reachable at its own
address, so a lesson or a document that cites version 2 still shows version 2. The library searches the current
version (``search_title`` / ``search_body`` hold the stems the search index is built on, see ``search.py``).

A learner's figures that pages list by the thousand (lessons done, percent, time spent, when they fall behind) are
kept on the enrolment and updated with each step, so a coordinator's page for a region counts rows, never lessons.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from saylau.commissions.models import Commission, Person, Region
from saylau.core.i18n import localized


class MaterialKind(models.TextChoices):
    DOCUMENT = "document", _("document")
    VIDEO = "video", _("video")
    ARTICLE = "article", pgettext_lazy("library material", "article")


class MaterialStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    RETIRED = "retired", _("retired")


class Material(models.Model):
    kind = models.CharField(_("kind"), max_length=8, choices=MaterialKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=MaterialStatus.choices,
                              default=MaterialStatus.PUBLISHED)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=255, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=255, blank=True)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    has_kk = models.BooleanField(_("in Kazakh"), default=False)
    has_ru = models.BooleanField(_("in Russian"), default=False)
    topic = models.ForeignKey("assessment.Topic", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="materials", verbose_name=_("topic"))
    audiences = models.ManyToManyField("training.Audience", blank=True, related_name="materials",
                                       verbose_name=_("audiences"))
    current = models.ForeignKey("MaterialVersion", null=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("current version"))
    # Stems of the current version (search.analyze), the text both search engines index.
    search_title = models.TextField(blank=True, editable=False)
    search_body = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["status", "topic"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def languages(self) -> list[str]:
        return [code for code in ("kk", "ru") if getattr(self, f"has_{code}")]


class MaterialReference(models.Model):
    """A legal act (and article) a material covers."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="references")
    act = models.ForeignKey("assessment.LegalAct", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("legal act"))
    article = models.CharField(_("article"), max_length=16, blank=True)

    class Meta:
        ordering = ["act", "article"]
        constraints = [models.UniqueConstraint(fields=["material", "act", "article"], name="material_cites_once")]

    def __str__(self) -> str:
        return f"{self.act_id} {self.article}".strip()


def _upload_to(version: "MaterialVersion", filename: str) -> str:
    return f"library/{version.material_id}/{filename}"


class MaterialVersion(models.Model):
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=_upload_to, blank=True, max_length=255)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("size"), default=0)
    content_type = models.CharField(max_length=100, blank=True)
    # A lighter copy of a video for a slow connection, when one was uploaded with it.
    low_file = models.FileField(_("low-bitrate copy"), upload_to=_upload_to, blank=True, max_length=255)
    low_file_size = models.PositiveBigIntegerField(default=0)
    external_url = models.URLField(_("external link"), blank=True, max_length=500)
    body_kk = models.TextField(_("text (Kazakh, Markdown)"), blank=True)
    body_ru = models.TextField(_("text (Russian, Markdown)"), blank=True)
    # Text read out of an uploaded document (PDF, DOCX, PPTX) so that the library finds words inside it.
    extracted_text = models.TextField(blank=True, editable=False)
    change_note = models.CharField(_("what changed"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("material version")
        verbose_name_plural = _("material versions")
        ordering = ["material", "-number"]
        constraints = [models.UniqueConstraint(fields=["material", "number"], name="material_version_number")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.material_id} v{self.number}"

    def body(self, language: str) -> str:
        return getattr(self, f"body_{language}", "") or ""


class Campaign(models.Model):
    """An election or referendum: "what changed since the last campaign" is measured from its voting day."""

    title_kk = models.CharField(_("title (Kazakh)"), max_length=255)
    title_ru = models.CharField(_("title (Russian)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    voting_day = models.DateField(_("voting day"), unique=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-voting_day"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    ARCHIVED = "archived", _("archived")


class Course(models.Model):
    title_kk = models.CharField(_("title (Kazakh)"), max_length=255)
    title_ru = models.CharField(_("title (Russian)"), max_length=255)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    has_kk = models.BooleanField(_("in Kazakh"), default=True)
    has_ru = models.BooleanField(_("in Russian"), default=True)
    audiences = models.ManyToManyField("training.Audience", blank=True, related_name="courses",
                                       verbose_name=_("audiences"))
    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("organising commission"))
    status = models.CharField(_("status"), max_length=10, choices=CourseStatus.choices, default=CourseStatus.DRAFT)
    estimated_hours = models.DecimalField(_("estimated hours"), max_digits=5, decimal_places=1, default=0)
    sequential = models.BooleanField(_("lessons open one after another"), default=False,
                                     help_text=_("A lesson opens once the one before it is done."))
    open_enrolment = models.BooleanField(_("anyone may enrol"), default=False)
    # The completion rule: every condition set must hold.
    require_all_lessons = models.BooleanField(_("every lesson done"), default=True)
    require_final_test = models.BooleanField(_("final test passed"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def languages(self) -> list[str]:
        return [code for code in ("kk", "ru") if getattr(self, f"has_{code}")]


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField(_("position"))
    title_kk = models.CharField(_("title (Kazakh)"), max_length=255)
    title_ru = models.CharField(_("title (Russian)"), max_length=255)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["course", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")


class LessonKind(models.TextChoices):
    MATERIAL = "material", _("material or article")
    TEST = "test", _("test")


class Lesson(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=8, choices=LessonKind.choices)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=255)
    title_ru = models.CharField(_("title (Russian)"), max_length=255)
    material = models.ForeignKey(Material, null=True, blank=True, on_delete=models.PROTECT, related_name="lessons",
                                 verbose_name=_("material"))
    # Empty: the material's current version; set: the lesson keeps showing this version.
    material_version = models.ForeignKey(MaterialVersion, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name=_("version shown"))
    exam = models.ForeignKey("assessment.Exam", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="lessons", verbose_name=_("test"))
    is_final = models.BooleanField(_("final test"), default=False)
    minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=15)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["module__position", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="material", material__isnull=False, exam__isnull=True)
                           | models.Q(kind="test", exam__isnull=False, material__isnull=True)),
                name="lesson_shows_one_thing"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")


class Cohort(models.Model):
    """A group enrolled at once (by a registry filter or a list), with its deadline."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(_("name"), max_length=255)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    registry_filter = models.JSONField(_("registry filter"), default=dict, blank=True)
    size = models.PositiveIntegerField(_("learners enrolled"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class LearnerStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")


class CourseEnrolment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="course_enrolments",
                               verbose_name=_("learner"))
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolments",
                               verbose_name=_("cohort"))
    # Where the learner sat when enrolled: a coordinator's page counts by these.
    commission = models.ForeignKey(Commission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("commission"))
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("region"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled"))
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=LearnerStatus.choices,
                              default=LearnerStatus.NOT_STARTED)
    lessons_done = models.PositiveSmallIntegerField(_("lessons done"), default=0)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    time_spent_seconds = models.PositiveIntegerField(_("time spent"), default=0)
    final_percent = models.DecimalField(_("final test result (%)"), max_digits=6, decimal_places=2, null=True,
                                        blank=True)
    last_lesson = models.ForeignKey(Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # The day from which the learner is behind the pace their deadline asks (progress.behind_from).
    behind_from = models.DateField(null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)

    class Meta:
        verbose_name = _("course enrolment")
        verbose_name_plural = _("course enrolments")
        ordering = ["course", "pk"]
        constraints = [models.UniqueConstraint(fields=["course", "person"], name="one_course_enrolment_per_person")]
        indexes = [
            models.Index(fields=["course", "region", "status"]),
            models.Index(fields=["course", "commission"]),
            models.Index(fields=["status", "behind_from"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.course}"


class LessonProgress(models.Model):
    enrolment = models.ForeignKey(CourseEnrolment, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(default=0)
    best_percent = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True)

    class Meta:
        ordering = ["enrolment", "lesson"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="lesson_progress_once")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.lesson_id}"


class ReminderKind(models.TextChoices):
    LEARNER = "learner", _("reminders to learners")
    DIGEST = "digest", _("weekly digest to coordinators")


class ReminderOptOut(models.Model):
    """Someone who asked for no more reminders: a learner (person) or a coordinator (user)."""

    kind = models.CharField(max_length=8, choices=ReminderKind.choices)
    person = models.OneToOneField(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=(models.Q(kind="learner", person__isnull=False, user__isnull=True)
                                              | models.Q(kind="digest", user__isnull=False, person__isnull=True)),
                                   name="opt_out_of_one_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.person_id or self.user_id}"


class DigestSent(models.Model):
    """One weekly digest per coordinator and week, however often the scheduler runs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()  # the Monday
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="one_digest_per_week")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.week}"
