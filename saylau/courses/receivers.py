"""A submitted attempt at a course's test moves the learner's progress (connected in ``apps.ready``)."""

from django.dispatch import receiver

from saylau.assessment.signals import attempt_scored


@receiver(attempt_scored)
def progress_after_test(sender, attempt, **kwargs):
    from .models import Lesson, LessonKind
    from .services import record_test_result

    # Most tests are no course's: one look, without opening a transaction (a nationwide test submits thousands).
    if Lesson.objects.filter(exam_id=attempt.exam_id, kind=LessonKind.TEST).exists():
        record_test_result(attempt=attempt)
