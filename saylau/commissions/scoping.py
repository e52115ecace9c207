"""Role scoping: the one place that decides which commissions, people and memberships a user may see.

Every page, API handler, export and later app reads scoped records through these functions, so a
regional coordinator asking for another region's member gets "not found", whatever the entry point.

| role        | commissions / memberships             | people                          | IIN  |
|-------------|----------------------------------------|---------------------------------|------|
| admin       | all                                    | all                             | yes  |
| auditor     | all (read-only)                        | all                             | no   |
| coordinator | their region's subtree                 | anyone ever a member there      | yes  |
| trainer     | their region's subtree, or all if none | as for commissions              | no   |
| participant | the commissions they belong(ed) to     | themselves                      | own  |
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from saylau.accounts.models import Role
from saylau.core.errors import NotFound

from .models import Commission, Membership, Person

NATIONAL_ROLES = {Role.ADMIN, Role.AUDITOR}
MANAGING_ROLES = {Role.ADMIN, Role.COORDINATOR}


def _region_id(user) -> int | None:
    """The region a regionally scoped user is limited to; None means national."""
    if user.role == Role.COORDINATOR:
        return user.region_id
    if user.role == Role.TRAINER:
        return user.region_id
    return None


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def commissions_visible_to(user) -> QuerySet[Commission]:
    qs = Commission.objects.all()
    if not _is_active(user):
        return qs.none()
    if user.role in NATIONAL_ROLES:
        return qs
    if user.role in (Role.COORDINATOR, Role.TRAINER):
        region_id = _region_id(user)
        if region_id is None and user.role == Role.TRAINER:
            return qs
        return qs.filter(region_id=region_id)
    if user.role == Role.PARTICIPANT and user.person_id:
        return qs.filter(memberships__person_id=user.person_id).distinct()
    return qs.none()


def memberships_visible_to(user) -> QuerySet[Membership]:
    qs = Membership.objects.all()
    if not _is_active(user):
        return qs.none()
    if user.role in NATIONAL_ROLES:
        return qs
    if user.role in (Role.COORDINATOR, Role.TRAINER):
        region_id = _region_id(user)
        if region_id is None and user.role == Role.TRAINER:
            return qs
        return qs.filter(commission__region_id=region_id)
    if user.role == Role.PARTICIPANT and user.person_id:
        return qs.filter(person_id=user.person_id)
    return qs.none()


def people_visible_to(user) -> QuerySet[Person]:
    qs = Person.objects.all()
    if not _is_active(user):
        return qs.none()
    if user.role in NATIONAL_ROLES:
        return qs
    if user.role in (Role.COORDINATOR, Role.TRAINER):
        region_id = _region_id(user)
        if region_id is None and user.role == Role.TRAINER:
            return qs
        in_region = Membership.objects.filter(person_id=OuterRef("pk"), commission__region_id=region_id)
        return qs.filter(Exists(in_region))
    if user.role == Role.PARTICIPANT and user.person_id:
        return qs.filter(pk=user.person_id)
    return qs.none()


def can_see_iin(user, person: Person | None = None) -> bool:
    """Personal data: administrators, coordinators (within their scope) and the person themself."""
    if not _is_active(user):
        return False
    if user.role in MANAGING_ROLES:
        return True
    return person is not None and user.person_id == person.pk


def can_manage_registry(user) -> bool:
    return _is_active(user) and user.role in MANAGING_ROLES


def can_see_audit(user) -> bool:
    return _is_active(user) and user.role in (Role.ADMIN, Role.AUDITOR, Role.COORDINATOR)


def access_commission_by_id(user, commission_id: int) -> Commission:
    try:
        return commissions_visible_to(user).select_related("region", "parent").get(pk=commission_id)
    except (Commission.DoesNotExist, ValueError, TypeError):
        raise NotFound("not_found", _("Commission not found.")) from None


def access_person_by_id(user, person_id: int) -> Person:
    try:
        return people_visible_to(user).get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound("not_found", _("Person not found.")) from None


def access_membership_by_id(user, membership_id: int) -> Membership:
    try:
        return (
            memberships_visible_to(user)
            .select_related("person", "commission", "commission__region")
            .get(pk=membership_id)
        )
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise NotFound("not_found", _("Member not found.")) from None


def editable_commissions(user) -> QuerySet[Commission]:
    """Commissions whose records this user may change (imports, invitations)."""
    if not can_manage_registry(user):
        return Commission.objects.none()
    return commissions_visible_to(user)
