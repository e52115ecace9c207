"""The headline figures over the API, from the same snapshot and with the same scoping as the dashboards."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from saylau.commissions.models import Region
from saylau.core.errors import DomainError

from . import selectors
from .facts import LEVELS
from .figures import PERIODS, Filter

router = Router(tags=["reports"])


@router.get("/reports/summary")
def reports_summary(request, year: int | None = None, region: str = "", period: str = "", level: str = "",
                    audience: str = ""):
    """Events planned and held, distinct people covered, person-events, certificates issued and verified, the
    average normalised gain (entry → final test) and the pass rate (final and distance tests), for a year (this
    one by default). A coordinator always gets their own region's figures; ``as_of`` is the snapshot's time."""
    if year is not None and not 2000 <= year <= 2100:
        raise DomainError("invalid_year", _("The year must be between 2000 and 2100."), field="year")
    if period not in PERIODS:
        raise DomainError("invalid_period", _("The period is q1–q4 or m1–m12."), field="period")
    if region and not Region.objects.filter(iso_code=region.upper()).exists():
        raise DomainError("invalid_region", _("Unknown region code."), field="region")
    if level and level not in LEVELS:
        raise DomainError("invalid_level", _("Unknown level."), field="level")
    flt, figures, as_of = selectors.summary(request.auth, Filter(
        year=year or timezone.localdate().year, region=region.upper(), period=period, level=level, audience=audience))
    return {"year": flt.year, "region": flt.region or None, "period": flt.period or None, "level": flt.level or None,
            "audience": flt.audience or None, "as_of": as_of, **figures}
