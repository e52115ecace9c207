"""Writes for distance learning: the library (materials and their versions), courses and their structure, cohorts
and enrolment, and each learner's steps. Atomic and audited; keyword-only."""

from __future__ import annotations

import datetime
import mimetypes

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from saylau.assessment.models import Attempt, AttemptStatus, Eligibility, Exam, Mode, Purpose
from saylau.commissions.models import Membership, Person
from saylau.commissions.scoping import people_visible_to
from saylau.core.audit import audit, audit_entry
from saylau.core.errors import Conflict, DomainError, PermissionDenied
from saylau.core.models import AuditEntry

from . import progress, search
from .extraction import extract_text
from .models import (
    Cohort,
    Course,
    CourseEnrolment,
    CourseStatus,
    LearnerStatus,
    Lesson,
    LessonKind,
    LessonProgress,
    Material,
    MaterialKind,
    MaterialReference,
    MaterialStatus,
    MaterialVersion,
    Module,
    ReminderKind,
    ReminderOptOut,
)
from .scoping import can_enrol_learners, can_manage_courses, can_manage_library
from .signals import course_completed

# One heartbeat from an open lesson page adds at most this much time (a tab left open overnight adds nothing).
MAX_BEAT_SECONDS = 90
MAX_UPLOAD_BYTES = 500 * 1024 * 1024


# --- Library -------------------------------------------------------------------------------------------------


def _require_librarian(by) -> None:
    if not can_manage_library(by):
        raise PermissionDenied("forbidden", _("You are not allowed to edit the library."))


def _check_material(kind: str, fields: dict, version: dict) -> None:
    if not (fields.get("title_kk") or "").strip() and not (fields.get("title_ru") or "").strip():
        raise DomainError("title_required", _("Give the title in Kazakh or Russian."), field="title_kk")
    if not (fields.get("has_kk") or fields.get("has_ru")):
        raise DomainError("language_required", _("Say in which language(s) the material is."), field="has_kk")
    if kind == MaterialKind.ARTICLE:
        if not (version.get("body_kk") or "").strip() and not (version.get("body_ru") or "").strip():
            raise DomainError("body_required", _("An article needs its text in Kazakh or Russian."),
                              field="body_kk")
    elif kind == MaterialKind.VIDEO:
        if not version.get("file") and not version.get("external_url"):
            raise DomainError("video_source_required", _("Upload the video file or give a link to it."),
                              field="file")
    elif not version.get("file"):
        raise DomainError("file_required", _("Upload the document."), field="file")
    for name in ("file", "low_file"):
        upload = version.get(name)
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise DomainError("file_too_large", _("The file is larger than 500 MB."), field=name)


def _reindex(material: Material) -> None:
    """Stems of the current version's words, in the columns both search engines index."""
    version = material.current
    material.search_title = " ".join(filter(None, [search.analyze(material.title_kk, "kk"),
                                                   search.analyze(material.title_ru, "ru")]))
    body = [search.analyze(material.description_kk, "kk"), search.analyze(material.description_ru, "ru")]
    if version is not None:
        body += [search.analyze(version.body_kk, "kk"), search.analyze(version.body_ru, "ru")]
        if version.extracted_text:
            language = "kk" if material.has_kk and not material.has_ru else "ru"
            body.append(search.analyze(version.extracted_text, language))
    material.search_body = " ".join(filter(None, body))


def _store_version(*, by, material: Material, number: int, version: dict) -> MaterialVersion:
    upload = version.get("file")
    row = MaterialVersion(material=material, number=number, external_url=version.get("external_url") or "",
                          body_kk=version.get("body_kk") or "", body_ru=version.get("body_ru") or "",
                          change_note=version.get("change_note") or "", created_by=by if by.pk else None)
    if upload is not None:
        data = upload.read()
        row.file_name = upload.name.rsplit("/", 1)[-1]
        row.file_size = len(data)
        row.content_type = (getattr(upload, "content_type", None) or mimetypes.guess_type(row.file_name)[0]
                            or "application/octet-stream")
        row.file.save(f"v{number}-{row.file_name}", ContentFile(data), save=False)
        row.extracted_text = extract_text(data, row.file_name)
    low = version.get("low_file")
    if low is not None:
        data = low.read()
        row.low_file_size = len(data)
        row.low_file.save(f"v{number}-low-{low.name.rsplit('/', 1)[-1]}", ContentFile(data), save=False)
    row.save()
    return row


METADATA_FIELDS = ("title_kk", "title_ru", "description_kk", "description_ru", "has_kk", "has_ru", "topic")


def _set_references(material: Material, references: list[tuple]) -> None:
    material.references.all().delete()
    MaterialReference.objects.bulk_create(
        [MaterialReference(material=material, act=act, article=(article or "").strip())
         for act, article in dict.fromkeys((act, (article or "").strip()) for act, article in references)])


@transaction.atomic
def material_create(*, by, kind: str, audiences=(), references=(), status: str = MaterialStatus.PUBLISHED,
                    version: dict, **fields) -> Material:
    """A material with its first version. ``version`` holds file / low_file / external_url / body_kk / body_ru."""
    _require_librarian(by)
    if kind not in MaterialKind.values:
        raise DomainError("invalid_kind", _("Unknown kind of material."), field="kind")
    _check_material(kind, fields, version)
    material = Material.objects.create(kind=kind, status=status, created_by=by if by.pk else None,
                                       **{name: fields.get(name) for name in METADATA_FIELDS if name in fields})
    material.audiences.set(audiences)
    _set_references(material, list(references))
    material.current = _store_version(by=by, material=material, number=1, version=version)
    _reindex(material)
    material.save()
    audit(actor=by, action="courses.material.created", obj=material, changes={"kind": kind, "version": 1})
    return material


@transaction.atomic
def material_update(*, by, material: Material, audiences=None, references=None, **fields) -> Material:
    """Title, description, languages, topic, audiences and acts: what describes a material, not its content."""
    _require_librarian(by)
    material = Material.objects.select_for_update().get(pk=material.pk)
    merged = {name: getattr(material, name) for name in METADATA_FIELDS} | fields
    if not (merged.get("title_kk") or "").strip() and not (merged.get("title_ru") or "").strip():
        raise DomainError("title_required", _("Give the title in Kazakh or Russian."), field="title_kk")
    if not (merged.get("has_kk") or merged.get("has_ru")):
        raise DomainError("language_required", _("Say in which language(s) the material is."), field="has_kk")
    for name in METADATA_FIELDS:
        if name in fields:
            setattr(material, name, fields[name])
    if audiences is not None:
        material.audiences.set(audiences)
    if references is not None:
        _set_references(material, list(references))
    _reindex(material)
    material.save()
    audit(actor=by, action="courses.material.updated", obj=material, changes={"fields": sorted(fields)})
    return material


@transaction.atomic
def material_new_version(*, by, material: Material, version: dict) -> MaterialVersion:
    """A new version becomes the current one; the earlier ones stay reachable at their own addresses."""
    _require_librarian(by)
    material = Material.objects.select_for_update().get(pk=material.pk)
    current = material.current
    # What is not given is carried over: a corrected Russian text keeps the Kazakh one.
    carried = {"external_url": current.external_url, "body_kk": current.body_kk, "body_ru": current.body_ru}
    merged = carried | {key: value for key, value in version.items() if value not in (None, "")}
    if material.kind != MaterialKind.ARTICLE and not merged.get("file") and not merged.get("external_url"):
        raise DomainError("file_required", _("Upload the new file."), field="file")
    if not (version.get("change_note") or "").strip():
        raise DomainError("change_note_required", _("Say what changed in this version."), field="change_note")
    _check_material(material.kind, {"title_kk": material.title_kk, "title_ru": material.title_ru,
                                    "has_kk": material.has_kk, "has_ru": material.has_ru},
                    merged | {"file": merged.get("file") or (current.file if material.kind != "article" else None)})
    number = (material.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    row = _store_version(by=by, material=material, number=number, version=merged)
    if not row.file and current.file and "file" not in version:
        # Only the text changed: the new version points at the same stored file.
        row.file, row.file_name, row.file_size, row.content_type = (current.file.name, current.file_name,
                                                                    current.file_size, current.content_type)
        row.extracted_text = current.extracted_text
        row.save()
    material.current = row
    _reindex(material)
    material.save()
    audit(actor=by, action="courses.material.version", obj=material, changes={"version": number,
                                                                              "note": row.change_note})
    return row


@transaction.atomic
def material_set_status(*, by, material: Material, status: str) -> Material:
    _require_librarian(by)
    if status not in MaterialStatus.values:
        raise DomainError("invalid_status", _("Unknown status."), field="status")
    old = material.status
    material.status = status
    material.save(update_fields=["status", "updated_at"])
    audit(actor=by, action="courses.material.status", obj=material, changes={"status": [old, status]})
    return material


# --- Courses and their structure ---------------------------------------------------------------------------


def _require_course_manager(by, course: Course | None = None) -> None:
    if not can_manage_courses(by, course):
        raise PermissionDenied("forbidden", _("You are not allowed to edit this course."))


COURSE_FIELDS = ("title_kk", "title_ru", "description_kk", "description_ru", "has_kk", "has_ru", "commission",
                 "estimated_hours", "sequential", "open_enrolment", "require_all_lessons", "require_final_test")


def _check_course(fields: dict) -> None:
    for name in ("title_kk", "title_ru"):
        if not (fields.get(name) or "").strip():
            raise DomainError("title_required", _("The title is required in Kazakh and Russian."), field=name)
    if not (fields.get("has_kk") or fields.get("has_ru")):
        raise DomainError("language_required", _("Say in which language(s) the course is given."), field="has_kk")
    if not (fields.get("require_all_lessons") or fields.get("require_final_test")):
        raise DomainError("rule_empty", _("The completion rule must ask for the lessons, the final test or both."),
                          field="require_all_lessons")


@transaction.atomic
def course_create(*, by, audiences=(), **fields) -> Course:
    _require_course_manager(by)
    fields = {"has_kk": True, "has_ru": True, "require_all_lessons": True, "require_final_test": True} | fields
    _check_course(fields)
    course = Course.objects.create(created_by=by if by.pk else None,
                                   **{name: fields[name] for name in COURSE_FIELDS if name in fields})
    course.audiences.set(audiences)
    audit(actor=by, action="courses.course.created", obj=course)
    return course


@transaction.atomic
def course_update(*, by, course: Course, audiences=None, **fields) -> Course:
    _require_course_manager(by, course)
    merged = {name: getattr(course, name) for name in COURSE_FIELDS} | fields
    _check_course(merged)
    for name in COURSE_FIELDS:
        if name in fields:
            setattr(course, name, fields[name])
    course.save()
    if audiences is not None:
        course.audiences.set(audiences)
    audit(actor=by, action="courses.course.updated", obj=course, changes={"fields": sorted(fields)})
    _recompute_later(course)
    return course


@transaction.atomic
def course_set_status(*, by, course: Course, status: str) -> Course:
    _require_course_manager(by, course)
    if status == CourseStatus.PUBLISHED and not Lesson.objects.filter(module__course=course).exists():
        raise Conflict("course_empty", _("A course without lessons cannot be published."))
    old, course.status = course.status, status
    course.save(update_fields=["status"])
    audit(actor=by, action="courses.course.status", obj=course, changes={"status": [old, status]})
    return course


@transaction.atomic
def module_add(*, by, course: Course, title_kk: str, title_ru: str) -> Module:
    _require_course_manager(by, course)
    if not title_kk.strip() or not title_ru.strip():
        raise DomainError("title_required", _("The title is required in Kazakh and Russian."), field="title_kk")
    position = (course.modules.aggregate(last=Max("position"))["last"] or 0) + 1
    module = Module.objects.create(course=course, position=position, title_kk=title_kk.strip(),
                                   title_ru=title_ru.strip())
    audit(actor=by, action="courses.module.added", obj=course, changes={"module": module.pk})
    return module


@transaction.atomic
def module_update(*, by, module: Module, title_kk: str, title_ru: str) -> Module:
    _require_course_manager(by, module.course)
    if not title_kk.strip() or not title_ru.strip():
        raise DomainError("title_required", _("The title is required in Kazakh and Russian."), field="title_kk")
    module.title_kk, module.title_ru = title_kk.strip(), title_ru.strip()
    module.save()
    audit(actor=by, action="courses.module.updated", obj=module.course, changes={"module": module.pk})
    return module


@transaction.atomic
def module_remove(*, by, module: Module) -> None:
    course = module.course
    _require_course_manager(by, course)
    if module.lessons.exists():
        raise Conflict("module_not_empty", _("Move or remove the module's lessons first."))
    audit(actor=by, action="courses.module.removed", obj=course, changes={"module": module.pk})
    module.delete()
    _renumber(list(course.modules.order_by("position", "pk")))


def _check_lesson_target(*, kind: str, material: Material | None, exam: Exam | None, is_final: bool) -> None:
    if kind == LessonKind.MATERIAL and material is None:
        raise DomainError("material_required", _("Choose the material the lesson shows."), field="material")
    if kind == LessonKind.TEST:
        if exam is None:
            raise DomainError("exam_required", _("Choose the test."), field="exam")
        if exam.eligibility != Eligibility.COURSE:
            raise DomainError("exam_not_for_course", _("This test is not a course test: make one in the course "
                                                       "editor."), field="exam")
    elif is_final:
        raise DomainError("final_must_be_test", _("Only a test can be the final test."), field="is_final")


@transaction.atomic
def lesson_add(*, by, module: Module, kind: str, title_kk: str = "", title_ru: str = "", material=None,
               material_version=None, exam=None, is_final: bool = False, minutes: int = 15) -> Lesson:
    course = module.course
    _require_course_manager(by, course)
    _check_lesson_target(kind=kind, material=material, exam=exam, is_final=is_final)
    if material_version is not None and material_version.material_id != getattr(material, "pk", None):
        raise DomainError("version_mismatch", _("The version is not one of this material's."),
                          field="material_version")
    title_kk = (title_kk or (material.title_kk if material else exam.title_kk if exam else "")).strip()
    title_ru = (title_ru or (material.title_ru if material else exam.title_ru if exam else "")).strip()
    if not title_kk or not title_ru:
        raise DomainError("title_required", _("The title is required in Kazakh and Russian."), field="title_kk")
    if is_final:
        Lesson.objects.filter(module__course=course, is_final=True).update(is_final=False)
    position = (module.lessons.aggregate(last=Max("position"))["last"] or 0) + 1
    lesson = Lesson.objects.create(module=module, position=position, kind=kind, title_kk=title_kk,
                                   title_ru=title_ru, material=material, material_version=material_version,
                                   exam=exam, is_final=is_final, minutes=max(1, int(minutes)))
    audit(actor=by, action="courses.lesson.added", obj=course, changes={"lesson": lesson.pk, "kind": kind})
    _recompute_later(course)
    return lesson


@transaction.atomic
def lesson_remove(*, by, lesson: Lesson) -> None:
    module = lesson.module
    _require_course_manager(by, module.course)
    audit(actor=by, action="courses.lesson.removed", obj=module.course, changes={"lesson": lesson.pk})
    lesson.delete()
    _renumber(list(module.lessons.order_by("position", "pk")))
    _recompute_later(module.course)


def _renumber(rows: list) -> None:
    for position, row in enumerate(rows, start=1):
        row.position = position
    type(rows[0]).objects.bulk_update(rows, ["position"]) if rows else None


@transaction.atomic
def move(*, by, thing: Module | Lesson, offset: int) -> None:
    """Move a module among the course's modules, or a lesson among its module's lessons, by ``offset`` places."""
    course = thing.course if isinstance(thing, Module) else thing.module.course
    _require_course_manager(by, course)
    siblings = list((course.modules if isinstance(thing, Module) else thing.module.lessons).order_by("position", "pk"))
    index = next(i for i, row in enumerate(siblings) if row.pk == thing.pk)
    target = min(max(index + offset, 0), len(siblings) - 1)
    siblings.insert(target, siblings.pop(index))
    _renumber(siblings)
    audit(actor=by, action="courses.structure.moved", obj=course,
          changes={type(thing).__name__.lower(): thing.pk, "position": target + 1})
    if course.sequential:
        _recompute_later(course)


@transaction.atomic
def course_test_create(*, by, course: Course, title_kk: str, title_ru: str, blueprint: list,
                       pass_mark_percent=70, attempts_allowed: int = 3, time_limit_minutes: int | None = None,
                       final: bool = False) -> Exam:
    """A test for the course's learners, drawn from the bank by a blueprint (a module quiz or the final test)."""
    from saylau.assessment.exams import exam_create

    _require_course_manager(by, course)
    return exam_create(by=by, commission=course.commission, blueprint=blueprint, title_kk=title_kk,
                       title_ru=title_ru, purpose=Purpose.POST if final else Purpose.PRACTICE, mode=Mode.DISTANCE,
                       eligibility=Eligibility.COURSE, pass_mark_percent=pass_mark_percent,
                       attempts_allowed=attempts_allowed, time_limit_minutes=time_limit_minutes)


# --- Enrolment ------------------------------------------------------------------------------------------------


def _check_deadline(deadline: datetime.date | None) -> None:
    if deadline is not None and deadline < timezone.localdate():
        raise DomainError("deadline_past", _("The deadline has already passed."), field="deadline")


def _enrol(*, by, course: Course, person_ids: list[int], cohort: Cohort | None, deadline, source: str) -> int:
    """Enrol each person once (someone already enrolled keeps their progress). Returns how many were new."""
    already = set(CourseEnrolment.objects.filter(course=course, person_id__in=person_ids)
                  .values_list("person_id", flat=True))
    wanted = [pid for pid in dict.fromkeys(person_ids) if pid not in already]
    seats = dict(Membership.objects.current().filter(person_id__in=wanted)
                 .values_list("person_id", "commission_id"))
    regions = dict(Membership.objects.current().filter(person_id__in=wanted)
                   .values_list("person_id", "commission__region_id"))
    now = timezone.now()
    today = timezone.localdate()
    rows = [CourseEnrolment(course=course, person_id=pid, cohort=cohort, deadline=deadline, enrolled_at=now,
                            enrolled_by=by if getattr(by, "pk", None) else None, commission_id=seats.get(pid),
                            region_id=regions.get(pid), behind_from=progress.behind_from(today, deadline, 0))
            for pid in wanted]
    CourseEnrolment.objects.bulk_create(rows, batch_size=2000)
    AuditEntry.objects.bulk_create([audit_entry(actor=by, action="courses.enrolled", obj=course,
                                                changes={"person": pid, "source": source}) for pid in wanted],
                                   batch_size=2000)
    return len(wanted)


@transaction.atomic
def cohort_enrol(*, by, course: Course, name: str, memberships=None, people=None, deadline=None,
                 registry_filter: dict | None = None) -> Cohort:
    """Enrol a cohort: the people behind a registry filter (current memberships only) or a list. A coordinator
    enrols only people of their region (``people_visible_to``)."""
    if not can_enrol_learners(by, course):
        raise PermissionDenied("forbidden", _("You are not allowed to enrol learners in this course."))
    if course.status != CourseStatus.PUBLISHED:
        raise Conflict("course_not_published", _("Publish the course before enrolling learners."))
    _check_deadline(deadline)
    if not name.strip():
        raise DomainError("name_required", _("Name the cohort."), field="name")
    if memberships is not None:
        person_ids = list(memberships.values_list("person_id", flat=True).distinct())
    else:
        person_ids = [person.pk for person in people or []]
    if not person_ids:
        raise DomainError("cohort_empty", _("Nobody in the registry matches this filter."), field="name")
    outside = set(person_ids) - set(people_visible_to(by).filter(pk__in=person_ids).values_list("pk", flat=True))
    if outside:
        raise PermissionDenied("outside_scope", _("Some of these people are outside your region."))
    cohort = Cohort.objects.create(course=course, name=name.strip(), deadline=deadline,
                                   registry_filter=registry_filter or {}, created_by=by if by.pk else None)
    cohort.size = _enrol(by=by, course=course, person_ids=person_ids, cohort=cohort, deadline=deadline,
                         source="filter" if memberships is not None else "list")
    cohort.save(update_fields=["size"])
    audit(actor=by, action="courses.cohort.created", obj=course, changes={"cohort": cohort.pk, "size": cohort.size,
                                                                         "matched": len(person_ids)})
    return cohort


@transaction.atomic
def self_enrol(*, user, course: Course) -> CourseEnrolment:
    if user.person_id is None:
        raise PermissionDenied("no_person", _("Your account is not linked to a person in the registry."))
    if course.status != CourseStatus.PUBLISHED or not course.open_enrolment:
        raise PermissionDenied("closed_course", _("This course is open only to the learners enrolled in it."))
    _enrol(by=user, course=course, person_ids=[user.person_id], cohort=None, deadline=None, source="self")
    return CourseEnrolment.objects.get(course=course, person_id=user.person_id)


@transaction.atomic
def enrolment_withdraw(*, by, enrolment: CourseEnrolment) -> None:
    _require_course_manager(by, enrolment.course)
    audit(actor=by, action="courses.withdrawn", obj=enrolment.course, changes={"person": enrolment.person_id})
    enrolment.delete()


# --- A learner's steps ---------------------------------------------------------------------------------------


def ordered_lessons(course: Course) -> list[Lesson]:
    return list(Lesson.objects.filter(module__course=course).select_related("module", "exam")
                .order_by("module__position", "module_id", "position", "pk"))


def lesson_is_open(enrolment: CourseEnrolment, lesson: Lesson, lessons: list[Lesson] | None = None) -> bool:
    lessons = lessons if lessons is not None else ordered_lessons(enrolment.course)
    done = set(enrolment.lesson_progress.filter(completed_at__isnull=False).values_list("lesson_id", flat=True))
    states = progress.lesson_states([row.pk for row in lessons], done, sequential=enrolment.course.sequential)
    return not next(state for state in states if state.lesson_id == lesson.pk).locked


def _locked_error() -> Conflict:
    return Conflict("lesson_locked", _("This lesson opens once the lessons before it are done."))


@transaction.atomic
def lesson_open(*, enrolment: CourseEnrolment, lesson: Lesson) -> LessonProgress:
    """The learner opened a lesson: it is where they resume, on any device."""
    if not lesson_is_open(enrolment, lesson):
        raise _locked_error()
    now = timezone.now()
    row, _created = LessonProgress.objects.get_or_create(enrolment=enrolment, lesson=lesson,
                                                         defaults={"started_at": now, "last_seen_at": now})
    fields = {"last_lesson": lesson, "last_activity_at": now}
    if enrolment.status == LearnerStatus.NOT_STARTED:
        fields["status"] = LearnerStatus.IN_PROGRESS
    CourseEnrolment.objects.filter(pk=enrolment.pk).update(**fields)
    for name, value in fields.items():
        setattr(enrolment, name, value)
    return row


def lesson_heartbeat(*, enrolment: CourseEnrolment, lesson: Lesson, seconds: int) -> None:
    """Time on an open lesson page, reported by the page every half minute while it is visible."""
    seconds = max(0, min(int(seconds), MAX_BEAT_SECONDS))
    now = timezone.now()
    updated = LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).update(
        time_spent_seconds=F("time_spent_seconds") + seconds, last_seen_at=now)
    if updated:
        CourseEnrolment.objects.filter(pk=enrolment.pk).update(
            time_spent_seconds=F("time_spent_seconds") + seconds, last_activity_at=now)


@transaction.atomic
def lesson_complete(*, enrolment: CourseEnrolment, lesson: Lesson) -> CourseEnrolment:
    """A material or article read: the learner says so. (A test lesson is done by its result.)"""
    if lesson.kind != LessonKind.MATERIAL:
        raise Conflict("complete_by_test", _("A test lesson is done when the test is submitted."))
    row = lesson_open(enrolment=enrolment, lesson=lesson)
    if row.completed_at is None:
        row.completed_at = timezone.now()
        row.save(update_fields=["completed_at"])
    return refresh(enrolment=enrolment)


def _test_done(lesson: Lesson, row: LessonProgress) -> bool:
    """A module quiz is done once submitted; the final test once passed."""
    return row.passed is True if lesson.is_final else row.best_percent is not None


@transaction.atomic
def record_test_result(*, attempt: Attempt) -> list[CourseEnrolment]:
    """A submitted attempt at a course's test moves the learner on in every course that uses the test."""
    if attempt.status != AttemptStatus.SUBMITTED:
        return []
    lessons = Lesson.objects.filter(exam_id=attempt.exam_id, kind=LessonKind.TEST).select_related("module")
    changed = []
    for lesson in lessons:
        enrolment = CourseEnrolment.objects.filter(course_id=lesson.module.course_id,
                                                   person_id=attempt.person_id).first()
        if enrolment is None:
            continue
        submitted = Attempt.objects.filter(exam_id=attempt.exam_id, person_id=attempt.person_id,
                                           status=AttemptStatus.SUBMITTED)
        best = submitted.aggregate(best=Max("percent"))["best"]
        now = timezone.now()
        row, _created = LessonProgress.objects.get_or_create(enrolment=enrolment, lesson=lesson,
                                                             defaults={"started_at": attempt.started_at,
                                                                       "last_seen_at": now})
        row.best_percent = best
        row.passed = submitted.filter(passed=True).exists() if not attempt.awaiting_grading else row.passed
        row.last_seen_at = now
        if row.completed_at is None and _test_done(lesson, row):
            row.completed_at = now
        row.save()
        CourseEnrolment.objects.filter(pk=enrolment.pk).update(last_activity_at=now, last_lesson=lesson)
        changed.append(refresh(enrolment=enrolment))
    return changed


@transaction.atomic
def refresh(*, enrolment: CourseEnrolment) -> CourseEnrolment:
    """Recount the learner's figures from their lesson rows, and complete the course when the rule is met."""
    enrolment = CourseEnrolment.objects.select_for_update().select_related("course").get(pk=enrolment.pk)
    course = enrolment.course
    lessons = ordered_lessons(course)
    rows = {row.lesson_id: row for row in enrolment.lesson_progress.all()}
    done = sum(1 for lesson in lessons if lesson.pk in rows and rows[lesson.pk].completed_at)
    final = next((lesson for lesson in lessons if lesson.is_final), None)
    final_row = rows.get(final.pk) if final else None
    enrolment.lessons_done = done
    enrolment.percent = progress.percent(done, len(lessons))
    enrolment.time_spent_seconds = sum(row.time_spent_seconds for row in rows.values())
    enrolment.final_percent = final_row.best_percent if final_row else None
    met = bool(lessons) and progress.rule_met(
        require_all_lessons=course.require_all_lessons, require_final_test=course.require_final_test,
        lessons_done=done, lessons_total=len(lessons), final_passed=final_row.passed if final_row else None,
        has_final=final is not None)
    newly_completed = met and enrolment.completed_at is None
    if met:
        enrolment.status = LearnerStatus.COMPLETED
        enrolment.completed_at = enrolment.completed_at or timezone.now()
    else:
        enrolment.status = LearnerStatus.IN_PROGRESS if rows else LearnerStatus.NOT_STARTED
        enrolment.completed_at = None
    enrolment.behind_from = progress.behind_from(timezone.localdate(enrolment.enrolled_at), enrolment.deadline,
                                                 enrolment.percent)
    enrolment.save()
    if newly_completed:
        audit(actor=None, action="courses.completed", obj=course, changes={"person": enrolment.person_id})
        transaction.on_commit(lambda: course_completed.send(sender=CourseEnrolment, enrolment=enrolment))
    return enrolment


def _recompute_later(course: Course) -> None:
    """The course's structure or rule changed: every learner's figures are recounted by the worker."""
    if not CourseEnrolment.objects.filter(course=course).exists():
        return
    from .tasks import recompute_course

    course_id = course.pk
    transaction.on_commit(lambda: recompute_course.enqueue(course_id))


def recompute_all(*, course_id: int) -> int:
    count = 0
    for enrolment_id in CourseEnrolment.objects.filter(course_id=course_id).values_list("pk", flat=True).iterator():
        refresh(enrolment=CourseEnrolment(pk=enrolment_id))
        count += 1
    return count


# --- Reminders -----------------------------------------------------------------------------------------------


@transaction.atomic
def reminders_set(*, person: Person | None = None, user=None, kind: str, wanted: bool) -> None:
    """Opt out of (or back into) reminders: a learner's own, or a coordinator's weekly digest."""
    if kind not in ReminderKind.values or (kind == ReminderKind.LEARNER) != (person is not None):
        raise DomainError("invalid_kind", _("Unknown kind of reminder."))
    target = {"person": person} if person is not None else {"user": user}
    if wanted:
        ReminderOptOut.objects.filter(kind=kind, **target).delete()
    else:
        ReminderOptOut.objects.get_or_create(kind=kind, **target)
    audit(actor=user, action="courses.reminders", obj=person or user, changes={"kind": kind, "wanted": wanted})

