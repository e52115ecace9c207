"""Who sees and manages which certificates: built on the registry's scoping (``commissions.scoping``).

| role        | sees                                                        | manages (rules, issuing)      | revokes, designs |
|-------------|-------------------------------------------------------------|-------------------------------|------------------|
| admin       | all                                                         | all                           | yes              |
| auditor     | all (read-only)                                             | —                             | —                |
| coordinator | issued by their region's commissions, or held by its people | awards issued in their region | —                |
| trainer     | their own, and those issued in their region                 | —                             | —                |
| participant | their own                                                   | —                             | —                |

The public verification page shows what a certificate states to anyone who has its number, never the IIN."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from saylau.accounts.models import Role
from saylau.commissions.scoping import people_visible_to
from saylau.core.errors import NotFound

from .models import Award, Certificate


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def certificates_visible_to(user) -> QuerySet[Certificate]:
    qs = Certificate.objects.all()
    if not _active(user):
        return qs.none()
    if user.role in (Role.ADMIN, Role.AUDITOR):
        return qs
    own = Q(person_id=user.person_id) if user.person_id else Q(pk__in=[])
    if user.role == Role.COORDINATOR:
        return qs.filter(own | Q(issuer__region_id=user.region_id) | Q(person__in=people_visible_to(user)))
    if user.role == Role.TRAINER and user.region_id:
        return qs.filter(own | Q(issuer__region_id=user.region_id))
    return qs.filter(own)


def awards_manageable_by(user) -> QuerySet[Award]:
    if not _active(user):
        return Award.objects.none()
    if user.role == Role.ADMIN:
        return Award.objects.all()
    if user.role == Role.COORDINATOR and user.region_id:
        return Award.objects.filter(issuer__region_id=user.region_id)
    return Award.objects.none()


def can_manage_award(user, award: Award) -> bool:
    return awards_manageable_by(user).filter(pk=award.pk).exists()


def can_revoke(user) -> bool:
    return _active(user) and user.role == Role.ADMIN


def can_edit_designs(user) -> bool:
    return _active(user) and user.role == Role.ADMIN


def can_download(user, certificate: Certificate) -> bool:
    """The PDF and the credential: the holder, and those who manage certificates (administrators, coordinators
    within their scope)."""
    if not _active(user):
        return False
    if user.person_id and user.person_id == certificate.person_id:
        return True
    return user.role in (Role.ADMIN, Role.COORDINATOR) and certificates_visible_to(user).filter(
        pk=certificate.pk).exists()


def access_certificate(user, number: str) -> Certificate:
    try:
        return certificates_visible_to(user).select_related("award", "person", "issuer").get(number=number)
    except Certificate.DoesNotExist:
        raise NotFound("not_found", _("Certificate not found.")) from None
