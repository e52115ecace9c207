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

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from saylau.accounts.models import Role
from saylau.core.errors import NotFound

from .models import Commission, Membership, Person

NATIONAL_ROLES = {Role.ADMIN, Role.AUDITOR}
MANAGING_ROLES = {Role.ADMIN, Role.COORDINATOR}


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _scoped(user, qs: QuerySet, *, in_region, own) -> QuerySet:
    """The table above, once: ``in_region(region_id)`` and ``own(person_id)`` give the model's filters."""
    if not _is_active(user):
        return qs.none()
    if user.role in NATIONAL_ROLES or (user.role == Role.TRAINER and user.region_id is None):
        return qs
    if user.role in (Role.COORDINATOR, Role.TRAINER):
        return qs.filter(in_region(user.region_id))
    if user.role == Role.PARTICIPANT and user.person_id:
        return qs.filter(own(user.person_id))
    return qs.none()


def commissions_visible_to(user) -> QuerySet[Commission]:
    def own(person_id):
        return Q(pk__in=Membership.objects.filter(person_id=person_id).values("commission_id"))

    return _scoped(user, Commission.objects.all(), in_region=lambda region_id: Q(region_id=region_id), own=own)


def memberships_visible_to(user) -> QuerySet[Membership]:
    return _scoped(user, Membership.objects.all(), in_region=lambda region_id: Q(commission__region_id=region_id),
                   own=lambda person_id: Q(person_id=person_id))


def people_visible_to(user) -> QuerySet[Person]:
    def in_region(region_id):
        return Exists(Membership.objects.filter(person_id=OuterRef("pk"), commission__region_id=region_id))

    return _scoped(user, Person.objects.all(), in_region=in_region, own=lambda person_id: Q(pk=person_id))


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
