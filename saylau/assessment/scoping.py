"""Who sees and manages the item bank, tests and attempts (the registry's regional scoping, applied here).

| role        | item bank                          | tests (see / manage)                                   | attempts          |
|-------------|------------------------------------|--------------------------------------------------------|-------------------|
| admin       | all; approves, retires, amendments | all / all                                              | all               |
| auditor     | all (read)                         | all / none                                             | all (read)        |
| coordinator | all; writes drafts                 | their region's and national / their region's           | of tests they see |
| trainer     | all; writes drafts                 | tests of events they train, and their own / the same   | of tests they see |
| participant | none                               | tests they have an attempt at                          | their own         |

The answer keys live in the bank: a participant never reads an item except through their own attempt, whose
payload (``attempts.item_payload``) holds no key until the attempt is submitted.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from saylau.accounts.models import Role
from saylau.core.errors import NotFound

from .models import Attempt, Exam, Item

BANK_READERS = {Role.ADMIN, Role.AUDITOR, Role.COORDINATOR, Role.TRAINER}
BANK_AUTHORS = {Role.ADMIN, Role.COORDINATOR, Role.TRAINER}
TEST_MANAGERS = {Role.ADMIN, Role.COORDINATOR, Role.TRAINER}


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_read_bank(user) -> bool:
    return _active(user) and user.role in BANK_READERS


def can_author_items(user) -> bool:
    return _active(user) and user.role in BANK_AUTHORS


def can_review_items(user) -> bool:
    """Approve, retire, send back to review, record amendments: the CEC's methodologists (administrators)."""
    return _active(user) and user.role == Role.ADMIN


def items_visible_to(user) -> QuerySet[Item]:
    return Item.objects.all() if can_read_bank(user) else Item.objects.none()


def access_item_by_id(user, item_id: int) -> Item:
    try:
        return items_visible_to(user).select_related("current", "topic").get(pk=item_id)
    except (Item.DoesNotExist, ValueError, TypeError):
        raise NotFound("not_found", _("Item not found.")) from None


def exams_visible_to(user) -> QuerySet[Exam]:
    qs = Exam.objects.all()
    if not _active(user):
        return qs.none()
    if user.role in (Role.ADMIN, Role.AUDITOR):
        return qs
    if user.role == Role.COORDINATOR:
        return qs.filter(Q(commission__region_id=user.region_id) | Q(commission__region__isnull=True))
    if user.role == Role.TRAINER:
        own = Q(created_by=user)
        if user.person_id:
            own |= Q(event__trainers__person_id=user.person_id)
        return qs.filter(own).distinct()
    if user.role == Role.PARTICIPANT and user.person_id:
        return qs.filter(attempts__person_id=user.person_id).distinct()
    return qs.none()


def exams_manageable_by(user) -> QuerySet[Exam]:
    if not _active(user):
        return Exam.objects.none()
    if user.role == Role.ADMIN:
        return Exam.objects.all()
    if user.role == Role.COORDINATOR:
        return Exam.objects.filter(commission__region_id=user.region_id)
    if user.role == Role.TRAINER:
        return exams_visible_to(user)
    return Exam.objects.none()


def can_create_exams(user) -> bool:
    return _active(user) and user.role in TEST_MANAGERS


def access_exam_by_id(user, exam_id: int, *, manage: bool = False) -> Exam:
    qs = exams_manageable_by(user) if manage else exams_visible_to(user)
    try:
        return qs.select_related("event", "commission", "pre_test").get(pk=exam_id)
    except (Exam.DoesNotExist, ValueError, TypeError):
        raise NotFound("not_found", _("Test not found.")) from None


def attempts_visible_to(user) -> QuerySet[Attempt]:
    """Attempts at tests the user sees; a participant's are only their own."""
    if not _active(user):
        return Attempt.objects.none()
    if user.role == Role.PARTICIPANT:
        return Attempt.objects.filter(person_id=user.person_id) if user.person_id else Attempt.objects.none()
    return Attempt.objects.filter(exam__in=exams_visible_to(user))


def own_attempts(user) -> QuerySet[Attempt]:
    """The examinee's own attempts: anyone else's, even to an administrator, are not among them."""
    if not (_active(user) and user.person_id):
        return Attempt.objects.none()
    return Attempt.objects.filter(person_id=user.person_id)


def access_own_attempt(user, attempt_id: int) -> Attempt:
    """The examinee's own attempt (anyone else's, even an administrator's view of it, is "not found" here)."""
    try:
        return own_attempts(user).select_related("exam").get(pk=attempt_id)
    except (Attempt.DoesNotExist, ValueError, TypeError):
        raise NotFound("not_found", _("Attempt not found.")) from None


def access_attempt_by_id(user, attempt_id: int) -> Attempt:
    try:
        return attempts_visible_to(user).select_related("exam", "person").get(pk=attempt_id)
    except (Attempt.DoesNotExist, ValueError, TypeError):
        raise NotFound("not_found", _("Attempt not found.")) from None
