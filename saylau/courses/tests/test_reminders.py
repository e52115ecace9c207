"""Reminders by the worker: learners behind their deadline's pace get a mail in their language at most once a week,
coordinators a weekly digest of their own region; both can be turned off from the mail, without logging in."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from saylau.core.schedule import PERIODIC
from saylau.courses import reminders, services
from saylau.courses.models import CourseEnrolment, DigestSent, ReminderKind, ReminderOptOut


@pytest.fixture
def behind(world, course):
    """member1 (Almaty region) and abai_member enrolled 30 days ago with 10 days left, nothing done."""
    services.cohort_enrol(by=world.admin, course=course, name="c", people=[world.member1, world.abai_member],
                          deadline=timezone.localdate() + datetime.timedelta(days=10))
    CourseEnrolment.objects.update(enrolled_at=timezone.now() - datetime.timedelta(days=30))
    for enrolment in CourseEnrolment.objects.all():
        services.refresh(enrolment=enrolment)
    return course


def test_the_worker_runs_both_on_a_schedule():
    tasks = {job.task for job in PERIODIC}
    assert {"saylau.courses.tasks.send_learner_reminders", "saylau.courses.tasks.send_coordinator_digests"} <= tasks


def test_a_learner_behind_is_reminded_once_a_week_in_their_language(world, behind):
    world.member1.language = "ru"
    world.member1.save()
    assert reminders.send_learner_reminders() == 2
    to_member1 = next(m for m in mail.outbox if m.to == [world.member1.email])
    assert "Участковая комиссия" in to_member1.subject
    assert "0 %" in to_member1.body and reverse("courses:course", args=[behind.pk]) in to_member1.body
    assert reminders.send_learner_reminders() == 0  # not twice in a week
    later = timezone.now() + datetime.timedelta(days=8)
    assert reminders.send_learner_reminders(later) == 2


def test_learners_on_pace_completed_or_without_address_get_nothing(world, behind):
    CourseEnrolment.objects.filter(person=world.member1).update(status="completed")
    world.abai_member.email = ""
    world.abai_member.save()
    assert reminders.send_learner_reminders() == 0


def test_the_link_in_the_mail_turns_reminders_off(client, world, behind):
    reminders.send_learner_reminders()
    body = next(m for m in mail.outbox if m.to == [world.member1.email]).body
    link = next(line for line in body.splitlines() if "/courses/unsubscribe/" in line).split("http://127.0.0.1:8000")[-1]
    assert client.get(link.strip()).status_code == 200
    assert client.post(link.strip()).status_code == 200
    assert ReminderOptOut.objects.filter(kind=ReminderKind.LEARNER, person=world.member1).exists()
    later = timezone.now() + datetime.timedelta(days=8)
    assert reminders.send_learner_reminders(later) == 1  # only the other learner


def test_a_forged_opt_out_link_is_refused(client):
    assert client.get("/courses/unsubscribe/not-a-token/").status_code == 404


def test_a_coordinator_gets_a_digest_of_their_region_once_a_week(world, behind):
    world.coordinator.email = "coord@example.kz"
    world.coordinator.save()
    world.abai_coordinator.email = "abai@example.kz"
    world.abai_coordinator.save()
    assert reminders.send_coordinator_digests() == 2
    digest = next(m for m in mail.outbox if m.to == ["coord@example.kz"])
    assert behind.title_kk in digest.body  # the coordinator has no language of their own: Kazakh
    [(course, counts)] = reminders.digest_for(world.coordinator, timezone.localdate())
    assert (course, counts.enrolled, counts.behind) == (behind, 1, 1)  # their region's learner only
    assert reverse("courses:progress", args=[behind.pk]) in digest.body
    assert reminders.send_coordinator_digests() == 0
    assert DigestSent.objects.count() == 2
    next_week = timezone.now() + datetime.timedelta(days=7)
    assert reminders.send_coordinator_digests(next_week) == 2


def test_a_coordinator_can_stop_the_digest(client, world, behind):
    world.coordinator.email = "coord@example.kz"
    world.coordinator.save()
    client.force_login(world.coordinator)
    client.post(reverse("courses:reminders"), {"kind": "digest", "wanted": "0"})
    assert reminders.send_coordinator_digests() == 0


def test_a_learner_can_turn_reminders_off_and_on_from_the_course_page(client, world, behind):
    client.force_login(world.participant)
    client.post(reverse("courses:reminders"), {"kind": "learner", "wanted": "0"})
    assert reminders.send_learner_reminders() == 1
    client.post(reverse("courses:reminders"), {"kind": "learner", "wanted": "1"})
    assert not ReminderOptOut.objects.exists()
