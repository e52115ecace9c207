"""``{% event_tests event %}``: the tests section of an event's page (the event's tests the user sees, and links
to create the entry/final pair for those who may)."""

from django import template

from saylau.accounts.models import Role

register = template.Library()


@register.inclusion_tag("assessment/tests/_event_tests.html", takes_context=True)
def event_tests(context, event):
    from ..scoping import exams_visible_to
    from ..views.exams import can_test_event, exam_state

    user = context.get("user")
    if user is None or not user.is_authenticated or user.role == Role.PARTICIPANT:
        return {"show": False}
    tests = exams_visible_to(user).filter(event=event).order_by("created_at", "pk")
    can_create = can_test_event(user, event)
    return {"show": bool(tests) or can_create, "event": event, "can_create": can_create,
            "has_pair": any(exam.purpose == "pre" for exam in tests),
            "tests": [(exam, exam_state(exam)) for exam in tests]}
