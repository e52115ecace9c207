"""Automatic issuance: when an event closes, when a test attempt is scored and when a learner completes a course,
the worker issues what the award's rule now entitles (``tasks``). Connected in ``apps.ready``; the training,
assessment and courses apps know nothing of this."""

from django.db.models import Q
from django.dispatch import receiver

from saylau.assessment.signals import attempt_scored
from saylau.courses.signals import course_completed
from saylau.training.signals import event_closed

from .models import Award


@receiver(event_closed)
def issue_after_event(sender, event, **kwargs):
    from .tasks import issue_for_award

    award = Award.objects.filter(event=event, automatic=True).first()
    if award is not None:
        issue_for_award.enqueue(award.pk)


@receiver(attempt_scored)
def issue_after_test(sender, attempt, **kwargs):
    from .tasks import issue_for_award

    if not attempt.passed:
        return
    awards = Award.objects.filter(Q(exam_id=attempt.exam_id) | Q(required_exam_id=attempt.exam_id),
                                  automatic=True).select_related("event")
    for award in awards:
        # An event's certificate waits for the event to close (attendance is final then).
        if award.event_id is None or award.event.status == "held":
            issue_for_award.enqueue(award.pk, [attempt.person_id])


@receiver(course_completed)
def issue_after_course(sender, enrolment, **kwargs):
    from .tasks import issue_for_award

    award = Award.objects.filter(course_id=enrolment.course_id, automatic=True).first()
    if award is not None:
        issue_for_award.enqueue(award.pk, [enrolment.person_id])
