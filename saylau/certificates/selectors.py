"""Reads for the certificate pages: an award's candidates with the rule's verdict and what was issued, the
register, a holder's certificates, and the status list (revoked positions)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from saylau.commissions.models import Person

from . import rules
from .models import Award, Certificate
from .scoping import certificates_visible_to


def award_candidates(award: Award) -> list[dict]:
    """One row per candidate: the person, the rule's verdict and the certificate if issued."""
    outcomes = rules.evaluate(award)
    people = Person.objects.in_bulk([o.person_id for o in outcomes])
    issued = {c.person_id: c for c in award.certificates.all()}
    rows = [{"person": people[o.person_id], "outcome": o, "certificate": issued.pop(o.person_id, None)}
            for o in outcomes]
    # Issued by hand to someone the rule does not list (e.g. not enrolled): still shown.
    for certificate in issued.values():
        rows.append({"person": certificate.person, "outcome": None, "certificate": certificate})
    return sorted(rows, key=lambda row: row["person"].full_name)


def register(user, *, q: str = "", status: str = "", event_id: int | None = None,
             person_id: int | None = None) -> QuerySet[Certificate]:
    qs = certificates_visible_to(user).select_related("award", "issuer")
    if q:
        qs = qs.filter(Q(number__icontains=q.strip()) | Q(holder_name__icontains=q.strip()))
    if status == "valid":
        qs = qs.filter(revoked_on__isnull=True)
    elif status == "revoked":
        qs = qs.filter(revoked_on__isnull=False)
    if event_id:
        qs = qs.filter(award__event_id=event_id)
    if person_id:
        qs = qs.filter(person_id=person_id)
    return qs.order_by("-issued_on", "-number")


def held_by(person_id: int) -> QuerySet[Certificate]:
    return Certificate.objects.filter(person_id=person_id).select_related("award").order_by("-issued_on", "-number")


def revoked_positions() -> list[int]:
    return list(Certificate.objects.filter(revoked_on__isnull=False).values_list("status_index", flat=True))
