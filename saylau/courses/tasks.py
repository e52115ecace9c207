"""Background work for distance learning: recounting learners after a course changes, and the reminders."""

from django_tasks import task


@task()
def recompute_course(course_id: int) -> int:
    from .services import recompute_all

    return recompute_all(course_id=course_id)


@task()
def send_learner_reminders() -> int:
    from .reminders import send_learner_reminders as send

    return send()


@task()
def send_coordinator_digests() -> int:
    from .reminders import send_coordinator_digests as send

    return send()
