"""Who sees which figures: the CEC (administrators, auditors) the whole country, a regional coordinator their
region only (the filter's region is forced to theirs), nobody else."""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext_lazy as _

from saylau.accounts.models import Role
from saylau.core.errors import PermissionDenied

from .figures import Filter


def can_see_reports(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.role in (Role.ADMIN, Role.AUDITOR) or (user.role == Role.COORDINATOR and user.region_id is not None)


def is_national(user) -> bool:
    return can_see_reports(user) and user.role in (Role.ADMIN, Role.AUDITOR)


def scoped_filter(user, flt: Filter) -> Filter:
    """The filter as the user may apply it: a coordinator's region replaces whatever was asked."""
    if not can_see_reports(user):
        raise PermissionDenied("reports_forbidden", _("Reports are for the CEC and regional coordinators."))
    if user.role == Role.COORDINATOR:
        return replace(flt, region=user.region.iso_code)
    return flt
