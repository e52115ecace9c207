"""Courses as a learner lives them: enrolment by filter, sequential unlocking (pages and tests), time on lessons,
test results, completion by the course's rule and the certificate it brings, and recounting after edits."""

import datetime

import pytest
from django.utils import timezone

from saylau.assessment import attempts
from saylau.certificates import services as certificates
from saylau.certificates.models import Certificate
from saylau.commissions.models import Membership
from saylau.core.errors import DomainError, PermissionDenied
from saylau.core.models import AuditEntry
from saylau.courses import selectors, services
from saylau.courses.models import CourseEnrolment, LearnerStatus, LessonKind

from .conftest import article, take


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    from saylau.certificates import keys

    settings.CERTIFICATE_KEYS_DIR = tmp_path / "keys"
    keys.generate()


def test_a_cohort_by_filter_takes_current_members_once(world, course):
    Membership.objects.filter(person=world.member2).update(term_end=datetime.date(2022, 1, 1))
    from saylau.commissions.selectors import filtered_memberships

    memberships = filtered_memberships(world.admin, {"level": ["precinct"]})
    cohort = services.cohort_enrol(by=world.admin, course=course, name="PEC", memberships=memberships,
                                   deadline=timezone.localdate() + datetime.timedelta(days=30))
    assert cohort.size == 1
    enrolment = course.enrolments.get()
    assert (enrolment.person, enrolment.commission, enrolment.region) == (world.member1, world.pec1,
                                                                          world.almaty_region)
    again = services.cohort_enrol(by=world.admin, course=course, name="again", memberships=memberships)
    assert again.size == 0 and course.enrolments.count() == 1
    assert AuditEntry.objects.filter(action="courses.enrolled").count() == 1


def test_new_members_since_a_day(world, course):
    from saylau.commissions.selectors import filtered_memberships

    Membership.objects.filter(person=world.member2).update(term_start=datetime.date(2026, 5, 1))
    people = {m.person_id for m in filtered_memberships(world.admin, {"since": datetime.date(2026, 1, 1)})}
    assert people == {world.member2.pk}


def test_enrolment_needs_a_published_course_and_a_future_deadline(world, course):
    with pytest.raises(DomainError) as error:
        services.cohort_enrol(by=world.admin, course=course, name="x", people=[world.member1],
                              deadline=datetime.date(2020, 1, 1))
    assert error.value.code == "deadline_past"
    services.course_set_status(by=world.admin, course=course, status="draft")
    with pytest.raises(DomainError) as error:
        services.cohort_enrol(by=world.admin, course=course, name="x", people=[world.member1])
    assert error.value.code == "course_not_published"


def test_a_coordinator_manages_only_their_region_courses(world, course):
    with pytest.raises(PermissionDenied):
        services.module_add(by=world.coordinator, course=course, title_kk="a", title_ru="b")
    own = services.course_create(by=world.coordinator, title_kk="Облыс", title_ru="Область",
                                 commission=world.regional)
    services.module_add(by=world.coordinator, course=own, title_kk="a", title_ru="b")
    with pytest.raises(PermissionDenied):
        services.module_add(by=world.abai_coordinator, course=own, title_kk="a", title_ru="b")


def test_lessons_open_in_order_for_pages_and_tests(world, course, learner):
    with pytest.raises(DomainError) as error:
        services.lesson_open(enrolment=learner, lesson=course.read2)
    assert error.value.code == "lesson_locked"
    # The quiz is locked too: its test refuses the learner until the article before it is done.
    with pytest.raises(DomainError) as error:
        attempts.attempt_start(by=None, exam=course.quiz.exam, person=world.member1)
    assert error.value.code == "not_eligible"
    services.lesson_complete(enrolment=learner, lesson=course.read)
    assert attempts.attempt_start(by=None, exam=course.quiz.exam, person=world.member1).pk


def test_someone_not_enrolled_cannot_take_a_course_test(world, course, learner):
    with pytest.raises(DomainError) as error:
        attempts.attempt_start(by=None, exam=course.quiz.exam, person=world.member2)
    assert error.value.code == "not_eligible"


def test_opening_a_lesson_starts_the_course_and_is_where_the_learner_resumes(world, course, learner):
    services.lesson_open(enrolment=learner, lesson=course.read)
    learner.refresh_from_db()
    assert learner.status == LearnerStatus.IN_PROGRESS and learner.last_lesson == course.read
    view = selectors.learner_course(learner)
    assert view.resume.lesson == course.read
    services.lesson_complete(enrolment=learner, lesson=course.read)
    learner.refresh_from_db()
    assert (learner.lessons_done, learner.percent) == (1, 25)
    assert selectors.learner_course(learner).resume.lesson == course.quiz


def test_time_on_a_lesson_is_capped_per_beat(world, course, learner):
    services.lesson_open(enrolment=learner, lesson=course.read)
    services.lesson_heartbeat(enrolment=learner, lesson=course.read, seconds=30)
    services.lesson_heartbeat(enrolment=learner, lesson=course.read, seconds=100000)
    learner.refresh_from_db()
    assert learner.time_spent_seconds == 30 + services.MAX_BEAT_SECONDS
    services.lesson_heartbeat(enrolment=learner, lesson=course.read2, seconds=30)  # never opened: nothing
    learner.refresh_from_db()
    assert learner.time_spent_seconds == 30 + services.MAX_BEAT_SECONDS


def test_a_quiz_is_done_when_submitted_the_final_only_when_passed(world, course, learner,
                                                                   django_capture_on_commit_callbacks):
    services.lesson_complete(enrolment=learner, lesson=course.read)
    with django_capture_on_commit_callbacks(execute=True):
        take(course.quiz.exam, world.member1, right=False)
    services.lesson_complete(enrolment=learner, lesson=course.read2)
    with django_capture_on_commit_callbacks(execute=True):
        take(course.final.exam, world.member1, right=False)
    learner.refresh_from_db()
    assert (learner.lessons_done, learner.percent, learner.status) == (3, 75, LearnerStatus.IN_PROGRESS)
    assert learner.final_percent == 0
    with django_capture_on_commit_callbacks(execute=True):
        take(course.final.exam, world.member1, right=True)
    learner.refresh_from_db()
    assert (learner.lessons_done, learner.percent, learner.status) == (4, 100, LearnerStatus.COMPLETED)
    assert learner.final_percent == 100 and learner.completed_at


def complete(world, course, learner, capture):
    services.lesson_complete(enrolment=learner, lesson=course.read)
    with capture(execute=True):
        take(course.quiz.exam, world.member1)
    services.lesson_complete(enrolment=learner, lesson=course.read2)
    with capture(execute=True):
        take(course.final.exam, world.member1)


def test_completion_issues_the_course_certificate_automatically(world, course, learner,
                                                                django_capture_on_commit_callbacks):
    certificates.award_set(by=world.admin, course=course)
    complete(world, course, learner, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(person=world.member1)
    assert certificate.award.kind == "course"
    assert certificate.hours == course.estimated_hours
    assert certificate.result_percent == 100
    assert certificate.ends_on == timezone.localdate()
    assert certificate.starts_on == timezone.localdate(learner.enrolled_at)


def test_without_an_award_completion_issues_nothing_and_an_award_set_later_issues_by_the_rule(
        world, course, learner, django_capture_on_commit_callbacks):
    complete(world, course, learner, django_capture_on_commit_callbacks)
    assert not Certificate.objects.exists()
    award = certificates.award_set(by=world.admin, course=course)
    assert [c.person for c in certificates.issue_due(award=award)] == [world.member1]


def test_a_rule_of_the_final_test_only(world, course, learner, django_capture_on_commit_callbacks):
    services.course_update(by=world.admin, course=course, require_all_lessons=False)
    services.lesson_complete(enrolment=learner, lesson=course.read)
    with django_capture_on_commit_callbacks(execute=True):
        take(course.quiz.exam, world.member1)
    services.lesson_complete(enrolment=learner, lesson=course.read2)
    services.course_update(by=world.admin, course=course, sequential=False)
    with django_capture_on_commit_callbacks(execute=True):
        take(course.final.exam, world.member1)
    learner.refresh_from_db()
    assert learner.status == LearnerStatus.COMPLETED


def test_an_empty_rule_is_refused(world, course):
    with pytest.raises(DomainError) as error:
        services.course_update(by=world.admin, course=course, require_all_lessons=False, require_final_test=False)
    assert error.value.code == "rule_empty"


def test_adding_a_lesson_recounts_every_learner(world, course, learner, django_capture_on_commit_callbacks):
    services.lesson_complete(enrolment=learner, lesson=course.read)
    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_add(by=world.admin, module=course.read.module, kind=LessonKind.MATERIAL,
                            material=article(world.admin, title_kk="Қосымша", title_ru="Дополнительно"))
    learner.refresh_from_db()
    assert (learner.lessons_done, learner.percent) == (1, 20)


def test_moving_lessons_and_modules(world, course):
    first, second = list(course.modules.order_by("position"))
    services.move(by=world.admin, thing=second, offset=-1)
    assert list(course.modules.order_by("position")) == [second, first]
    services.move(by=world.admin, thing=course.quiz, offset=-5)
    assert [lesson.pk for lesson in first.lessons.order_by("position")] == [course.quiz.pk, course.read.pk]
    with pytest.raises(DomainError) as error:
        services.module_remove(by=world.admin, module=first)
    assert error.value.code == "module_not_empty"


def test_a_lesson_shows_a_course_test_only(world, course):
    from saylau.assessment import exams
    from saylau.assessment.tests.factories import bank_of

    other = exams.exam_create(by=world.admin, commission=world.cec, items=bank_of(world.admin, 1),
                              title_kk="a", title_ru="b", eligibility="persons", eligible_people=[world.member1],
                              mode="room")
    with pytest.raises(DomainError) as error:
        services.lesson_add(by=world.admin, module=course.read.module, kind=LessonKind.TEST, exam=other)
    assert error.value.code == "exam_not_for_course"


def test_self_enrolment_only_in_open_courses(world, course):
    assert services.self_enrol(user=world.participant, course=course).person == world.member1
    services.course_update(by=world.admin, course=course, open_enrolment=False)
    world.participant.person = world.member2
    with pytest.raises(PermissionDenied):
        services.self_enrol(user=world.participant, course=course)


def test_a_learner_not_started_falls_behind_a_quarter_of_the_way_to_the_deadline(world, course):
    deadline = timezone.localdate() + datetime.timedelta(days=40)
    services.cohort_enrol(by=world.admin, course=course, name="c", people=[world.member1], deadline=deadline)
    enrolment = CourseEnrolment.objects.get()
    assert enrolment.behind_from == timezone.localdate() + datetime.timedelta(days=10)
    assert not selectors.is_behind(enrolment)
    assert selectors.is_behind(enrolment, timezone.localdate() + datetime.timedelta(days=10))
