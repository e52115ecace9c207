"""Who sees and manages the library, courses and learners' progress (the registry's regional scoping, applied here).

| role        | library             | courses (see / manage)                          | learners' progress         |
|-------------|---------------------|-------------------------------------------------|----------------------------|
| admin       | all; edits          | all / all                                       | all                        |
| auditor     | all (read)          | all / none                                      | all (read)                 |
| coordinator | all; edits          | all / their region's; enrol their region's people | their region's learners  |
| trainer     | all (read)          | published / none                                | their region's (all if none)|
| participant | published           | published ones they are in, and open ones / none| their own                  |
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from saylau.accounts.models import Role
from saylau.core.errors import NotFound

from .models import Course, CourseEnrolment, CourseStatus, Material, MaterialStatus

LIBRARIANS = {Role.ADMIN, Role.COORDINATOR}
STAFF = {Role.ADMIN, Role.AUDITOR, Role.COORDINATOR, Role.TRAINER}


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_library(user) -> bool:
    return _active(user) and user.role in LIBRARIANS


def materials_visible_to(user) -> QuerySet[Material]:
    if not _active(user):
        return Material.objects.none()
    if user.role in STAFF:
        return Material.objects.all()
    return Material.objects.filter(status=MaterialStatus.PUBLISHED)


def access_material_by_id(user, material_id: int) -> Material:
    material = materials_visible_to(user).select_related("current", "topic").filter(pk=material_id).first()
    if material is None:
        raise NotFound("material_not_found", _("No such material."))
    return material


def can_manage_courses(user, course: Course | None = None) -> bool:
    if not _active(user):
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.COORDINATOR:
        return course is None or course.commission.region_id == user.region_id
    return False


def can_enrol_learners(user, course: Course) -> bool:
    """Administrators enrol anyone; a coordinator enrols their region's people in any published course."""
    return _active(user) and (user.role == Role.ADMIN or (user.role == Role.COORDINATOR and (
        course.status == CourseStatus.PUBLISHED or can_manage_courses(user, course))))


def courses_visible_to(user) -> QuerySet[Course]:
    if not _active(user):
        return Course.objects.none()
    if user.role in (Role.ADMIN, Role.AUDITOR):
        return Course.objects.all()
    published = Q(status=CourseStatus.PUBLISHED)
    if user.role == Role.COORDINATOR:
        return Course.objects.filter(published | Q(commission__region_id=user.region_id))
    if user.role == Role.TRAINER:
        return Course.objects.filter(published)
    if user.person_id is None:
        return Course.objects.none()
    # EXISTS, not a join: a course may have 70,000 enrolments.
    enrolled = Exists(CourseEnrolment.objects.filter(course_id=OuterRef("pk"), person_id=user.person_id))
    return Course.objects.filter(published & (Q(open_enrolment=True) | enrolled))


def access_course_by_id(user, course_id: int) -> Course:
    course = courses_visible_to(user).select_related("commission").filter(pk=course_id).first()
    if course is None:
        raise NotFound("course_not_found", _("No such course."))
    return course


def can_see_progress(user) -> bool:
    return _active(user) and user.role in STAFF


def enrolments_visible_to(user) -> QuerySet[CourseEnrolment]:
    """Learners whose progress the user may read: by region for coordinators and regional trainers."""
    if not _active(user):
        return CourseEnrolment.objects.none()
    if user.role in (Role.ADMIN, Role.AUDITOR) or (user.role == Role.TRAINER and user.region_id is None):
        return CourseEnrolment.objects.all()
    if user.role in (Role.COORDINATOR, Role.TRAINER):
        return CourseEnrolment.objects.filter(region_id=user.region_id)
    if user.person_id:
        return CourseEnrolment.objects.filter(person_id=user.person_id)
    return CourseEnrolment.objects.none()
