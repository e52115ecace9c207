import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from saylau.core import schedule

NOW = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


def test_every_job_is_due_at_first_and_then_only_after_its_interval():
    last_run = {job.task: NOW for job in schedule.PERIODIC}
    assert schedule.due_jobs({}, NOW) == schedule.PERIODIC
    assert schedule.due_jobs(last_run, NOW + datetime.timedelta(seconds=59)) == []
    minute = [job for job in schedule.PERIODIC if job.every <= datetime.timedelta(minutes=1)]
    assert minute and schedule.due_jobs(last_run, NOW + datetime.timedelta(minutes=1)) == minute


def test_every_periodic_job_names_a_task_that_exists():
    from django.utils.module_loading import import_string

    for job in schedule.PERIODIC:
        assert callable(import_string(job.task).enqueue)


@pytest.mark.django_db
def test_run_schedule_once_runs_the_sweep_that_submits_overdue_attempts(world, capsys):
    from saylau.assessment import attempts
    from saylau.assessment.models import AttemptStatus
    from saylau.assessment.tests.factories import bank_of, distance_exam

    exam = distance_exam(world, bank_of(world.admin, 2, topic="voting"), time_limit_minutes=10)
    attempt = attempts.attempt_start(by=None, exam=exam, person=world.member1, language="kk")
    attempt.__class__.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - datetime.timedelta(seconds=1))
    call_command("run_schedule", "--once")  # the test settings run tasks immediately
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert "submit_overdue_attempts" in capsys.readouterr().out
