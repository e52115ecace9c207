"""Periodic jobs. The worker (``db_worker``) runs tasks once they are enqueued; this module says which tasks to
enqueue and how often, and ``manage.py run_schedule`` (started by scripts/serve beside the worker) enqueues them
when they fall due. Apps add their jobs to ``PERIODIC`` by dotted path, so this module imports no app."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PeriodicJob:
    task: str  # dotted path of a django-tasks task taking no arguments
    every: datetime.timedelta


PERIODIC: list[PeriodicJob] = [
    # Attempts past their deadline are submitted with what was saved, even if nobody opens them again.
    PeriodicJob("saylau.assessment.tasks.submit_overdue_attempts", datetime.timedelta(minutes=1)),
    # Item statistics of tests that closed since the last run (precomputed: pages never compute them).
    PeriodicJob("saylau.psychometrics.tasks.refresh_closed_tests", datetime.timedelta(minutes=5)),
    # Learners behind their deadline's pace (each at most once a week), and each coordinator's weekly digest
    # (checked hourly, sent once per week: ``DigestSent``).
    PeriodicJob("saylau.courses.tasks.send_learner_reminders", datetime.timedelta(hours=24)),
    PeriodicJob("saylau.courses.tasks.send_coordinator_digests", datetime.timedelta(hours=1)),
    # The reports' snapshot: every dashboard, export and summary counts from it (as of its time).
    PeriodicJob("saylau.reports.tasks.refresh_figures", datetime.timedelta(minutes=1)),
]


def due_jobs(last_run: dict[str, datetime.datetime], now: datetime.datetime) -> list[PeriodicJob]:
    """The jobs never run, or whose interval has passed since they last ran."""
    return [job for job in PERIODIC if job.task not in last_run or now - last_run[job.task] >= job.every]


def enqueue_due(last_run: dict[str, datetime.datetime], now: datetime.datetime) -> list[str]:
    """Enqueue the due jobs and note when; returns their names."""
    names = []
    for job in due_jobs(last_run, now):
        import_string(job.task).enqueue()
        last_run[job.task] = now
        names.append(job.task)
    return names
