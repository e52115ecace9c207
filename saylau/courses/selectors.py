"""Reads for the library and courses: search with filters, what changed since a campaign, a learner's course with
each lesson's state, and progress by region and commission for coordinators."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Q, QuerySet, When, Window
from django.utils import timezone

from saylau.assessment.models import Attempt, Exam
from saylau.commissions.models import Commission, Level, Person, Region

from . import progress, search
from .models import (
    Campaign,
    Course,
    CourseEnrolment,
    LearnerStatus,
    Lesson,
    LessonProgress,
    Material,
    MaterialStatus,
    MaterialVersion,
)
from .scoping import enrolments_visible_to, materials_visible_to


def material_list(user, *, q: str = "", topic: str = "", language: str = "", kind: str = "",
                  audience: str = "", status: str = "") -> QuerySet[Material]:
    """The library as ``user`` may see it, filtered; by relevance when there is a query, else newest first."""
    qs = materials_visible_to(user).select_related("topic")
    qs = qs.filter(status=status) if status else qs.exclude(status=MaterialStatus.RETIRED)
    if topic:
        qs = qs.filter(Q(topic__code=topic) | Q(topic__parent__code=topic))
    if language in ("kk", "ru"):
        qs = qs.filter(**{f"has_{language}": True})
    if kind:
        qs = qs.filter(kind=kind)
    if audience:
        qs = qs.filter(audiences__code=audience)
    if q.strip():
        return search.search(qs, q).order_by("-rank", "-updated_at", "-pk")
    return qs.order_by("-updated_at", "-pk")


def material_page(user, *, offset: int = 0, limit: int = 20, **filters) -> tuple[list[Material], int]:
    """One page of ``material_list`` and the number of all its materials, in one query: the total comes with the
    rows (``COUNT(*) OVER ()``), so a search ranks its matches once instead of matching them again to count."""
    # The window needs every match before LIMIT: keep those rows narrow (no stems, no version texts).
    qs = material_list(user, **filters).defer("search_title", "search_body").annotate(total=Window(Count("pk")))
    rows = list(qs[offset:offset + limit])
    if rows:
        return rows, rows[0].total
    return [], (material_list(user, **filters).count() if offset else 0)


def last_campaign(today: datetime.date | None = None) -> Campaign | None:
    return Campaign.objects.filter(voting_day__lte=today or timezone.localdate()).order_by("-voting_day").first()


@dataclass
class Change:
    material: Material
    version: MaterialVersion
    is_new: bool  # the material itself appeared since then


def changes_since(user, since: datetime.date) -> list[Change]:
    """Materials added, and new versions published, since a day (the last campaign's voting day): newest first,
    one line per material (its latest version), saying whether it is new or changed."""
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    visible = materials_visible_to(user).exclude(status=MaterialStatus.DRAFT)
    versions = (MaterialVersion.objects.filter(material__in=visible, created_at__gte=start)
                .select_related("material", "material__topic").order_by("-created_at", "-pk"))
    seen, changes = set(), []
    for version in versions:
        if version.material_id in seen:
            continue
        seen.add(version.material_id)
        changes.append(Change(material=version.material, version=version,
                              is_new=version.material.created_at >= start))
    return changes


# --- Courses for a learner --------------------------------------------------------------------------------------


def is_learner_for_exam(exam: Exam, person: Person) -> bool:
    """May ``person`` take a course's test: enrolled in a course that uses it, with its lesson open to them."""
    from .services import lesson_is_open

    for lesson in Lesson.objects.filter(exam=exam).select_related("module__course"):
        enrolment = CourseEnrolment.objects.filter(course=lesson.module.course, person=person).first()
        if enrolment is not None and lesson_is_open(enrolment, lesson):
            return True
    return False


@dataclass
class LessonView:
    lesson: Lesson
    done: bool
    locked: bool
    row: LessonProgress | None


@dataclass
class ModuleView:
    module: object
    lessons: list[LessonView] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for view in self.lessons if view.done)


@dataclass
class LearnerCourse:
    enrolment: CourseEnrolment
    modules: list[ModuleView]
    resume: LessonView | None  # where to continue

    @property
    def lessons(self) -> list[LessonView]:
        return [view for module in self.modules for view in module.lessons]


def learner_course(enrolment: CourseEnrolment) -> LearnerCourse:
    """The course as its learner sees it: modules, each lesson done / open / locked, and where to resume."""
    from .services import ordered_lessons

    lessons = ordered_lessons(enrolment.course)
    rows = {row.lesson_id: row for row in enrolment.lesson_progress.all()}
    done = {lesson_id for lesson_id, row in rows.items() if row.completed_at}
    states = {state.lesson_id: state for state in progress.lesson_states(
        [lesson.pk for lesson in lessons], done, sequential=enrolment.course.sequential)}
    modules: dict[int, ModuleView] = {}
    for lesson in lessons:
        view = LessonView(lesson, states[lesson.pk].done, states[lesson.pk].locked, rows.get(lesson.pk))
        modules.setdefault(lesson.module_id, ModuleView(lesson.module)).lessons.append(view)
    views = [view for module in modules.values() for view in module.lessons]
    last = next((view for view in views if view.lesson.pk == enrolment.last_lesson_id), None)
    resume = last if last is not None and not last.done else next(
        (view for view in views if not view.done and not view.locked), None)
    return LearnerCourse(enrolment=enrolment, modules=list(modules.values()), resume=resume)


def my_enrolments(person_id: int) -> QuerySet[CourseEnrolment]:
    return (CourseEnrolment.objects.filter(person_id=person_id).select_related("course", "last_lesson")
            .order_by("status", "-last_activity_at", "-pk"))


def test_attempts(person_id: int, exam_id: int) -> list[Attempt]:
    return list(Attempt.objects.filter(person_id=person_id, exam_id=exam_id).order_by("number"))


# --- Progress for coordinators ----------------------------------------------------------------------------------

PROGRESS_STATUSES = ("not_started", "in_progress", "completed", "behind")


def _status_filter(status: str, today: datetime.date) -> Q:
    if status == "behind":
        return Q(behind_from__lte=today) & ~Q(status=LearnerStatus.COMPLETED)
    return Q(status=status) if status in LearnerStatus.values else Q()


def progress_rows(user, course: Course, *, region: str = "", commission: int | None = None, status: str = "",
                  q: str = "", under: int | None = None) -> QuerySet[CourseEnrolment]:
    """The learners of a course the user may see, filtered; by commission, then name."""
    today = timezone.localdate()
    qs = enrolments_visible_to(user).filter(course=course).filter(_status_filter(status, today))
    if region:
        qs = qs.filter(region__iso_code=region.upper())
    if commission:
        qs = qs.filter(commission_id=commission)
    if under:
        qs = qs.filter(_in_or_under(under))
    if q.strip():
        words = q.split()
        for word in words[:3]:
            qs = qs.filter(Q(person__surname__istartswith=word) | Q(person__first_name__istartswith=word))
    # By commission id, not code: sorting a region's thousands of learners then needs no join to the commissions.
    return (qs.select_related("person", "commission", "last_lesson")
            .order_by("commission_id", "person__surname", "person__first_name", "pk"))


@dataclass
class ProgressCounts:
    enrolled: int = 0
    not_started: int = 0
    in_progress: int = 0
    completed: int = 0
    behind: int = 0

    @property
    def completed_percent(self) -> int:
        return progress.percent(self.completed, self.enrolled)


def progress_counts(qs: QuerySet, key: str, today: datetime.date) -> dict:
    behind = Q(behind_from__lte=today) & ~Q(status=LearnerStatus.COMPLETED)
    rows = qs.values(key).annotate(
        enrolled=Count("pk"),
        not_started=Count("pk", filter=Q(status=LearnerStatus.NOT_STARTED)),
        in_progress=Count("pk", filter=Q(status=LearnerStatus.IN_PROGRESS)),
        completed=Count("pk", filter=Q(status=LearnerStatus.COMPLETED)),
        behind=Count("pk", filter=behind)).order_by()
    return {row.pop(key): ProgressCounts(**row) for row in rows}


def _in_or_under(commission_id: int) -> Q:
    return Q(commission_id=commission_id) | Q(commission__parent_id=commission_id)


def progress_by_commission(user, course: Course, *, region: str = "", under: int | None = None,
                           territorial: bool = False) -> tuple[list[tuple], ProgressCounts]:
    """(commission, counts) for each commission with learners the user may see, and the totals.

    ``territorial``: one row per city/district commission, its precinct and district commissions counted in it
    (a region has hundreds of precinct commissions; a coordinator drills down). ``under``: the commissions of
    one city/district commission."""
    today = timezone.localdate()
    qs = enrolments_visible_to(user).filter(course=course)
    if region:
        qs = qs.filter(region__iso_code=region.upper())
    if under:
        qs = qs.filter(_in_or_under(under))
    if territorial and not under:
        qs = qs.annotate(territorial=Case(
            When(commission__level__in=[Level.PRECINCT, Level.DISTRICT], then=F("commission__parent_id")),
            default=F("commission_id")))
        counts = progress_counts(qs, "territorial", today)
    else:
        counts = progress_counts(qs, "commission_id", today)
    commissions = Commission.objects.in_bulk([pk for pk in counts if pk is not None])
    rows = sorted(((commissions.get(pk), row) for pk, row in counts.items()),
                  key=lambda pair: (pair[0] is None, pair[0].code if pair[0] else ""))
    return rows, total_of(counts.values())


def progress_by_region(user, course: Course) -> tuple[list[tuple], ProgressCounts]:
    today = timezone.localdate()
    counts = progress_counts(enrolments_visible_to(user).filter(course=course), "region_id", today)
    regions = Region.objects.in_bulk([pk for pk in counts if pk is not None])
    rows = sorted(((regions.get(pk), row) for pk, row in counts.items()),
                  key=lambda pair: (pair[0] is None, pair[0].iso_code if pair[0] else ""))
    return rows, total_of(counts.values())


def total_of(rows) -> ProgressCounts:
    total = ProgressCounts()
    for row in rows:
        for name in ("enrolled", "not_started", "in_progress", "completed", "behind"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def is_behind(enrolment: CourseEnrolment, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (enrolment.status != LearnerStatus.COMPLETED and enrolment.behind_from is not None
            and enrolment.behind_from <= today)

