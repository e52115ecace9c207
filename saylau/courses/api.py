"""Distance learning over the API: the library's search, the courses the caller may see, and progress (a learner's
own; a coordinator's by region and commission; nationally by region for the CEC)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router

from saylau.core.errors import DomainError

from . import selectors
from .models import CourseEnrolment, Lesson, MaterialVersion
from .scoping import access_course_by_id, can_see_progress, courses_visible_to

router = Router(tags=["distance learning"])


def _languages(thing) -> str:
    return "+".join(thing.languages)


@router.get("/materials")
def list_materials(request, q: str = "", topic: str = "", language: str = "", kind: str = "", limit: int = 20,
                   offset: int = 0):
    """The library, searched in Kazakh and Russian (inflected forms match), most relevant first."""
    if language and language not in ("kk", "ru"):
        raise DomainError("invalid_language", _("The language is kk or ru."), field="language")
    rows, total = selectors.material_page(request.auth, q=q, topic=topic, language=language, kind=kind,
                                          offset=max(0, offset), limit=max(1, min(limit, 100)))
    versions = dict(MaterialVersion.objects.filter(pk__in=[m.current_id for m in rows]).values_list("pk", "number"))
    return {"items": [{"id": m.pk, "title": m.title, "language": _languages(m),
                       "topic": m.topic.code if m.topic else None, "kind": m.kind,
                       "version": versions.get(m.current_id), "updated_at": m.updated_at}
                      for m in rows],
            "count": total}


@router.get("/courses")
def list_courses(request):
    """Courses the caller may see, with the caller's own progress where they are enrolled."""
    courses = list(courses_visible_to(request.auth).select_related("commission").order_by("pk"))
    mine = {}
    if request.auth.person_id:
        mine = {e.course_id: e for e in CourseEnrolment.objects.filter(person_id=request.auth.person_id)}
    lessons = {}
    for course_id in Lesson.objects.filter(module__course__in=courses).values_list("module__course_id", flat=True):
        lessons[course_id] = lessons.get(course_id, 0) + 1
    return {"items": [{
        "id": c.pk, "title": c.title, "title_kk": c.title_kk, "title_ru": c.title_ru, "status": c.status,
        "language": _languages(c), "estimated_hours": float(c.estimated_hours), "lessons": lessons.get(c.pk, 0),
        "sequential": c.sequential, "open_enrolment": c.open_enrolment, "commission": c.commission.code,
        "my_progress": _own(mine[c.pk]) if c.pk in mine else None} for c in courses], "count": len(courses)}


def _own(enrolment: CourseEnrolment) -> dict:
    return {"status": enrolment.status, "percent": enrolment.percent, "lessons_done": enrolment.lessons_done,
            "time_spent_seconds": enrolment.time_spent_seconds,
            "final_percent": float(enrolment.final_percent) if enrolment.final_percent is not None else None,
            "deadline": enrolment.deadline, "last_activity_at": enrolment.last_activity_at,
            "completed_at": enrolment.completed_at, "behind": selectors.is_behind(enrolment)}


def _counts(counts) -> dict:
    return {"enrolled": counts.enrolled, "not_started": counts.not_started, "in_progress": counts.in_progress,
            "behind": counts.behind, "completed": counts.completed}


@router.get("/courses/{course_id}/progress")
def course_progress(request, course_id: int, region: str = ""):
    """A learner: their own progress, lesson by lesson. Staff: counts by commission for a region (a coordinator's
    own region), or by region nationally."""
    course = access_course_by_id(request.auth, course_id)
    user = request.auth
    if not can_see_progress(user):
        enrolment = CourseEnrolment.objects.filter(course=course, person_id=user.person_id).select_related(
            "course").first()
        if enrolment is None:
            raise DomainError("not_enrolled", _("You are not enrolled in this course."))
        view = selectors.learner_course(enrolment)
        return {"scope": "learner", "course": course.pk, **_own(enrolment), "lessons_total": len(view.lessons),
                "lessons": [{"id": item.lesson.pk, "title": item.lesson.title, "kind": item.lesson.kind,
                             "done": item.done, "locked": item.locked,
                             "best_percent": float(item.row.best_percent) if item.row and
                             item.row.best_percent is not None else None} for item in view.lessons]}
    if region or user.region_id:
        rows, total = selectors.progress_by_commission(user, course, region=region)
        return {"scope": "region", "course": course.pk, "region": region.upper() or user.region.iso_code,
                "totals": _counts(total),
                "commissions": [{"id": c.pk if c else None, "code": c.code if c else None,
                                 "name": c.name if c else None, **_counts(counts)} for c, counts in rows]}
    rows, total = selectors.progress_by_region(user, course)
    return {"scope": "national", "course": course.pk, "totals": _counts(total),
            "regions": [{"iso_code": r.iso_code if r else None, "name": r.name if r else None, **_counts(counts)}
                        for r, counts in rows]}
