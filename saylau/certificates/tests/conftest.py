"""Certificate fixtures on top of the training world: a signing key, an event whose award needs 75 % attendance,
and helpers that record attendance and test results directly."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from saylau.assessment import exams
from saylau.assessment.models import Attempt, AttemptStatus
from saylau.assessment.tests.factories import bank_of
from saylau.certificates import keys, services
from saylau.training import services as training
from saylau.training.models import Attendance
from saylau.training.tests.conftest import (  # noqa: F401  (fixtures used by these tests)
    enrolled,
    event,
    make_event,
    precinct_members,
)


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    """A fresh key directory per test: what one test rotates, the next does not inherit."""
    settings.CERTIFICATE_KEYS_DIR = tmp_path / "keys"
    kid, _created = keys.generate()
    yield kid
    shutil.rmtree(tmp_path / "keys", ignore_errors=True)


def attend(session, *people):
    for person in people:
        Attendance.objects.create(session=session, person=person, checked_in_at=timezone.now(), method="roster")


def exam_for(world, event=None, **fields):  # noqa: F811
    defaults = {"title_kk": "Қорытынды тест", "title_ru": "Итоговый тест", "mode": "room",
                "purpose": "post", "eligibility": "persons"}
    defaults.update(fields)
    return exams.exam_create(by=world.admin, commission=world.tec, items=bank_of(world.admin, 2), event=event,
                             eligible_people=[world.member1, world.member2], **defaults)


def result(exam, person, percent, *, passed=None, number=1, when=None):
    percent = Decimal(str(percent))
    return Attempt.objects.create(
        exam=exam, person=person, number=number, language="kk", status=AttemptStatus.SUBMITTED,
        started_at=when or timezone.now(), submitted_at=when or timezone.now(), score=percent,
        max_score=Decimal(100), percent=percent,
        passed=passed if passed is not None else percent >= exam.pass_mark_percent)


@pytest.fixture
def award(world, enrolled):  # noqa: F811
    """``enrolled`` (3 sessions; member1 and member2 enrolled) with a 75 % attendance rule, issued by the TEC."""
    return services.award_set(by=world.coordinator, event=enrolled, min_attendance_percent=75)


@pytest.fixture
def held_event(world, award, django_capture_on_commit_callbacks):
    """member1 attended all three sessions, member2 one of three; the event is closed (certificates issued)."""
    held = award.event
    attend(held.s1, world.member1, world.member2)
    attend(held.s2, world.member1)
    attend(held.s3, world.member1)
    with django_capture_on_commit_callbacks(execute=True):
        training.event_close(by=world.coordinator, event=held)
    return held


def fonts_available() -> bool:
    return (Path(settings.CERTIFICATE_FONTS_DIR) / "PTF55F.ttf").exists()

