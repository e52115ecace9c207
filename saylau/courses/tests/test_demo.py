"""The demo course: built from the original articles and the demo bank, in Kazakh and Russian, with a cohort whose
progress looks like a real one, and the course's certificates for those who completed it."""

import pytest
from django.core.management import call_command

from saylau.accounts.models import User
from saylau.certificates.models import Certificate
from saylau.courses.models import Course, CourseEnrolment, LearnerStatus, Lesson, Material

pytestmark = pytest.mark.django_db


def test_the_demo_course_and_its_cohort():
    call_command("demo", verbosity=0)
    course = Course.objects.get()
    assert "Учаскелік" in course.title_kk and "Участковая" in course.title_ru
    assert course.status == "published" and course.sequential
    modules = list(course.modules.order_by("position"))
    assert len(modules) >= 5
    lessons = Lesson.objects.filter(module__course=course)
    assert lessons.filter(kind="material").count() == Material.objects.count() == 10
    assert lessons.filter(is_final=True).count() == 1
    assert all(m.current.body_kk and m.current.body_ru for m in Material.objects.all())
    statuses = {status: CourseEnrolment.objects.filter(status=status).count() for status in LearnerStatus.values}
    assert all(count > 0 for count in statuses.values()), statuses
    completed = CourseEnrolment.objects.filter(status="completed")
    assert all(e.percent == 100 and e.final_percent >= 70 for e in completed)
    assert set(Certificate.objects.filter(award__kind="course").values_list("person_id", flat=True)) == set(
        completed.values_list("person_id", flat=True))
    participant = User.objects.get(username="participant")
    assert CourseEnrolment.objects.get(person=participant.person).status == "not_started"
    assert Material.objects.filter(versions__number=2).count() == 3  # revised after the last campaign
