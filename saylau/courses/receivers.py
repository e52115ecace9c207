"""A submitted attempt at a course's test moves the learner's progress (connected in ``apps.ready``)."""

from django.dispatch import receiver

from saylau.assessment.signals import attempt_scored


@receiver(attempt_scored)
def progress_after_test(sender, attempt, **kwargs):
    from .services import record_test_result

    record_test_result(attempt=attempt)
