"""Every figure of the dashboards, the exports, the annual report and the summary API, counted from ``Facts``.

Pure functions of the facts and a filter (no database): the same call gives the same numbers to the page, the
XLSX, the DOCX and the API. The definitions (docs/reports.md has them for readers):

- *events planned*: events starting in the period, whatever became of them; *held*: those marked held;
- *people covered*: distinct people who attended at least one session of a non-cancelled event in the period;
  *person-events*: distinct (person, event) pairs of the same. A person counts for the region of the commission
  they sat on when enrolled (else the event's region): a member who moved counts in each region they trained
  in, and once nationally;
- *trained* (cascade, map): a current commission member covered in the period, wherever the event was;
- *pass rate*: passed / submitted among final and distance tests (entry tests are not meant to be passed),
  each examinee's best attempt per test; *average gain*: Hake's gain of the means over everyone with both an
  entry and a final test of the same pair;
- *certificates verified*: distinct certificates checked at least once in the period.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, replace

import numpy as np

from .facts import (
    COMMISSION_LEVELS,
    EVENT_STATUSES,
    FORMATS,
    ITEM_STATUSES,
    KINDS,
    LEARNER_STATUSES,
    LEVELS,
    POSITIONS,
    PURPOSES,
    Facts,
)

HELD = EVENT_STATUSES.index("held")
CANCELLED = EVENT_STATUSES.index("cancelled")
PRECINCT = COMMISSION_LEVELS.index("precinct")
CHAIR = POSITIONS.index("chair")
PASS_RATE_PURPOSES = [PURPOSES.index("post"), PURPOSES.index("distance")]
HEAT_TOPICS = 8  # the heat table's columns: the weakest topics (all of them are in the "topics" table)
PERIODS = ["", "q1", "q2", "q3", "q4", *[f"m{m}" for m in range(1, 13)]]


@dataclass(frozen=True)
class Filter:
    year: int
    period: str = ""            # "", "q1"…"q4", "m1"…"m12"
    region: str = ""            # ISO 3166-2 code; a coordinator's is forced
    level: str = ""             # training level of the events
    audience: str = ""          # audience code

    def dates(self) -> tuple[datetime.date, datetime.date]:
        if self.period.startswith("q"):
            quarter = int(self.period[1:])
            first, last = 3 * quarter - 2, 3 * quarter
        elif self.period.startswith("m"):
            first = last = int(self.period[1:])
        else:
            first, last = 1, 12
        return (datetime.date(self.year, first, 1),
                datetime.date(self.year, last, calendar.monthrange(self.year, last)[1]))

    def quarters(self) -> list[int]:
        low, high = self.dates()
        return list(range((low.month - 1) // 3 + 1, (high.month - 1) // 3 + 2))

    def previous_year(self) -> Filter:
        return replace(self, year=self.year - 1)


def _in_period(dates: np.ndarray, flt: Filter) -> np.ndarray:
    low, high = flt.dates()
    return (dates >= low.toordinal()) & (dates <= high.toordinal())


def _audience_bit(facts: Facts, flt: Filter) -> int:
    index = facts.audience_index(flt.audience) if flt.audience else -1
    return 1 << index if index >= 0 else 0


def event_mask(facts: Facts, flt: Filter, *, by_region: bool = True) -> np.ndarray:
    mask = _in_period(facts.ev_date, flt)
    if flt.level:
        mask &= facts.ev_level == LEVELS.index(flt.level) if flt.level in LEVELS else False
    if flt.audience:
        bit = _audience_bit(facts, flt)
        mask &= (facts.ev_audiences & bit) != 0 if bit else False
    if by_region and flt.region:
        mask &= facts.ev_region == facts.region_index(flt.region)
    return mask


def attendance_mask(facts: Facts, flt: Filter, *, by_region: bool = True) -> np.ndarray:
    """Person-event rows that count as coverage under the filter."""
    events = event_mask(facts, flt, by_region=False) & (facts.ev_status != CANCELLED)
    mask = events[facts.pe_event]
    if by_region and flt.region:
        mask &= facts.pe_region == facts.region_index(flt.region)
    return mask


def distinct_sorted(values: np.ndarray) -> int:
    """Distinct values of a sorted array."""
    return int(np.count_nonzero(np.diff(values))) + 1 if len(values) else 0


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array (a pass over it, where ``np.unique`` would sort it again)."""
    return values[np.diff(values, prepend=values[:1] - 1) != 0] if len(values) else values


def _distinct_by(persons: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    """Distinct people per group (``persons`` sorted; every subset of it stays sorted)."""
    counts = np.zeros(n, dtype=np.int64)
    present = np.bincount(groups[(groups >= 0) & (groups < n)].astype(np.int64), minlength=n)
    for group in np.flatnonzero(present):
        counts[group] = distinct_sorted(persons[groups == group])
    return counts


def _by_bits(persons: np.ndarray, bits: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct people and rows per audience, for rows carrying a bitmask of audiences."""
    people, rows = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    for index in range(n):
        has = (bits & (1 << index)) != 0
        people[index], rows[index] = distinct_sorted(persons[has]), int(np.count_nonzero(has))
    return people, rows


def _through_event(rows_event: np.ndarray, events: np.ndarray) -> np.ndarray:
    """Rows (attempts, certificates) whose event is among ``events``; rows of no event are not."""
    if not len(events):
        return np.zeros(len(rows_event), dtype=bool)
    return (rows_event >= 0) & events[np.maximum(rows_event, 0)]


# --- Headline figures -----------------------------------------------------------------------------------


def _records_mask(facts: Facts, flt: Filter, *, dates: np.ndarray | None, regions: np.ndarray,
                  events: np.ndarray) -> np.ndarray:
    """Records (attempts, certificates) of the filter: dated in the period (unless ``dates`` is None), of its
    region, and, when a level or an audience is asked for, of an event with them."""
    mask = _in_period(dates, flt) if dates is not None else np.ones(len(regions), dtype=bool)
    if flt.region:
        mask &= regions == facts.region_index(flt.region)
    if flt.level or flt.audience:
        mask &= _through_event(events, event_mask(facts, flt, by_region=False))
    return mask


def _test_mask(facts: Facts, flt: Filter) -> np.ndarray:
    return _records_mask(facts, flt, dates=facts.a_date, regions=facts.a_region, events=facts.a_event)


def pass_rate(facts: Facts, mask: np.ndarray) -> tuple[float | None, int, int]:
    graded = mask & np.isin(facts.a_purpose, PASS_RATE_PURPOSES) & (facts.a_passed >= 0)
    taken = int(np.count_nonzero(graded))
    passed = int(np.count_nonzero(graded & (facts.a_passed == 1)))
    return (round(100 * passed / taken, 1) if taken else None), passed, taken


def pre_post(facts: Facts, mask: np.ndarray) -> dict:
    """Means over people with both tests of a pair (the final test in the filter), and Hake's gain of them."""
    post = mask & (facts.a_pre >= 0)
    matched = int(np.count_nonzero(post))
    if not matched:
        return {"matched": 0, "pre_mean": None, "post_mean": None, "gain": None}
    pre_mean = round(float(facts.a_percent[facts.a_pre[post]].mean()), 1)
    post_mean = round(float(facts.a_percent[post].mean()), 1)
    return {"matched": matched, "pre_mean": pre_mean, "post_mean": post_mean, "gain": hake_gain(pre_mean, post_mean)}


def hake_gain(pre_mean: float, post_mean: float) -> float | None:
    """(post − pre) / (100 − pre), as ``assessment.results.normalised_gain``; undefined when pre is 100 %."""
    return round((post_mean - pre_mean) / (100 - pre_mean), 3) if pre_mean < 100 else None


def _certificate_mask(facts: Facts, flt: Filter, *, by_date: bool = True) -> np.ndarray:
    return _records_mask(facts, flt, dates=facts.z_date if by_date else None, regions=facts.z_region,
                         events=facts.z_event)


def verified_certificates(facts: Facts, flt: Filter) -> tuple[np.ndarray, int]:
    """Indices of the certificates (of the filter's region, level, audience) checked in the period, and the
    number of checks."""
    checks = _in_period(facts.v_date, flt) & _certificate_mask(facts, flt, by_date=False)[facts.v_certificate]
    return np.unique(facts.v_certificate[checks]), int(facts.v_checks[checks].sum())


def summary(facts: Facts, flt: Filter) -> dict:
    """The headline figures (``GET /api/v1/reports/summary``)."""
    events = event_mask(facts, flt)
    attended = attendance_mask(facts, flt)
    tests = _test_mask(facts, flt)
    rate, _passed, taken = pass_rate(facts, tests)
    certificates = _certificate_mask(facts, flt)
    verified, _checks = verified_certificates(facts, flt)
    return {
        "events_planned": int(np.count_nonzero(events)),
        "events_held": int(np.count_nonzero(events & (facts.ev_status == HELD))),
        "events_cancelled": int(np.count_nonzero(events & (facts.ev_status == CANCELLED))),
        "people_covered": distinct_sorted(facts.pe_person[attended]),
        "person_events": int(np.count_nonzero(attended)),
        "certificates_issued": int(np.count_nonzero(certificates)),
        "certificates_verified": len(verified),
        "average_gain": pre_post(facts, tests)["gain"],
        "pass_rate": rate,
        "tests_taken": taken,
    }


# --- Sections of the dashboard ----------------------------------------------------------------------------


def roadmap(facts: Facts, flt: Filter) -> dict:
    """The year's roadmap items: planned and held by quarter and by kind (statuses derive from the events)."""
    mask = facts.ri_year == flt.year
    if flt.period:
        mask &= np.isin(facts.ri_quarter, flt.quarters())
    if flt.region:
        mask &= facts.ri_region == facts.region_index(flt.region)
    if flt.level:
        mask &= facts.ri_level == (LEVELS.index(flt.level) if flt.level in LEVELS else -2)
    if flt.audience:
        mask &= (facts.ri_audiences & _audience_bit(facts, flt)) != 0
    status = facts.ri_status
    held = np.isin(status, [ITEM_STATUSES.index("held"), ITEM_STATUSES.index("partly_held")])
    by_status = {name: int(np.count_nonzero(mask & (status == i))) for i, name in enumerate(ITEM_STATUSES)}
    quarters = [{"quarter": q, "planned": int(np.count_nonzero(mask & (facts.ri_quarter == q))),
                 "held": int(np.count_nonzero(mask & held & (facts.ri_quarter == q)))} for q in range(0, 5)]
    kinds = [{"kind": kind, "planned": int(np.count_nonzero(mask & (facts.ri_kind == i))),
              "held": int(np.count_nonzero(mask & held & (facts.ri_kind == i)))} for i, kind in enumerate(KINDS)]
    planned = int(np.count_nonzero(mask))
    return {"planned": planned, "held": by_status["held"] + by_status["partly_held"], "by_status": by_status,
            "quarters": [q for q in quarters if q["quarter"] or q["planned"]],
            "kinds": [k for k in kinds if k["planned"]],
            "percent_held": round(100 * (by_status["held"] + by_status["partly_held"]) / planned, 1) if planned else None}


def events(facts: Facts, flt: Filter) -> dict:
    mask = event_mask(facts, flt)
    held = mask & (facts.ev_status == HELD)
    cancelled = mask & (facts.ev_status == CANCELLED)
    months = [datetime.date.fromordinal(int(d)).month for d in facts.ev_date[mask]]
    held_months = [datetime.date.fromordinal(int(d)).month for d in facts.ev_date[held]]
    by_month = [{"month": m, "planned": months.count(m), "held": held_months.count(m)} for m in range(1, 13)]

    def table(codes: list[str], column: np.ndarray, key: str) -> list[dict]:
        return [{key: code, "planned": int(np.count_nonzero(mask & (column == i))),
                 "held": int(np.count_nonzero(held & (column == i))),
                 "cancelled": int(np.count_nonzero(cancelled & (column == i)))}
                for i, code in enumerate(codes) if np.any(mask & (column == i))]

    return {"by_month": by_month, "by_kind": table(KINDS, facts.ev_kind, "kind"),
            "by_level": table(LEVELS, facts.ev_level, "level"), "by_format": table(FORMATS, facts.ev_format, "format")}


def people(facts: Facts, flt: Filter) -> dict:
    """People covered and person-events, by region, audience, level and format."""
    mask = attendance_mask(facts, flt)
    persons = facts.pe_person[mask]
    event = facts.pe_event[mask]
    regions = facts.meta["regions"]
    placed = facts.pe_region[mask]
    unplaced = placed < 0
    region_people = _distinct_by(persons, placed, len(regions))
    region_rows = np.bincount(placed[~unplaced], minlength=len(regions))
    audience_people, audience_rows = _by_bits(persons, facts.ev_audiences[event], len(facts.meta["audiences"]))

    def table(codes: list[str], column: np.ndarray, key: str) -> list[dict]:
        values = column[event]
        counts = _distinct_by(persons, values, len(codes))
        return [{key: code, "people": int(counts[i]), "person_events": int(np.count_nonzero(values == i))}
                for i, code in enumerate(codes) if counts[i]]

    return {
        "people": distinct_sorted(persons), "person_events": int(np.count_nonzero(mask)),
        "by_region": [{"region": iso, "people": int(region_people[i]),
                       "person_events": int(region_rows[i])}
                      for i, iso in enumerate(regions) if region_people[i]],
        "without_region": {"people": distinct_sorted(persons[unplaced]), "person_events": int(np.count_nonzero(unplaced))},
        "by_audience": [{"audience": code, "people": int(audience_people[i]), "person_events": int(audience_rows[i])}
                        for i, code in enumerate(facts.meta["audiences"]) if audience_rows[i]],
        "by_level": table(LEVELS, facts.ev_level, "level"),
        "by_format": table(FORMATS, facts.ev_format, "format"),
    }


def cumulative_by_month(facts: Facts, flt: Filter) -> list[int]:
    """Distinct people covered from 1 January to the end of each month of the filter's year (the period is
    ignored: the line shows the whole year)."""
    mask = attendance_mask(facts, replace(flt, period=""))
    persons = facts.pe_person[mask]
    if not len(persons):
        return [0] * 12
    months = np.array([datetime.date.fromordinal(int(d)).month for d in facts.ev_date], dtype=np.int64)
    month = months[facts.pe_event[mask]]
    starts = np.flatnonzero(np.diff(persons, prepend=-1))  # each person's first row (rows are in person order)
    first_month = np.minimum.reduceat(month, starts)
    return np.cumsum(np.bincount(first_month, minlength=13)[1:13]).tolist()


def trained_people(facts: Facts, flt: Filter) -> np.ndarray:
    """Distinct people covered in the period under the level and audience filters, wherever they trained."""
    return unique_sorted(facts.pe_person[attendance_mask(facts, flt, by_region=False)])


def _members_in_scope(facts: Facts, flt: Filter) -> np.ndarray:
    """Current memberships in the filter's region (and audience, for an audience of commission members)."""
    mask = np.ones(len(facts.m_person), dtype=bool)
    if flt.region:
        mask &= facts.c_region[facts.m_commission] == facts.region_index(flt.region)
    scope = facts.meta["audience_scope"].get(flt.audience)
    if scope:
        levels, positions = scope
        mask &= np.isin(facts.c_level[facts.m_commission], levels)
        if positions:
            mask &= np.isin(facts.m_position, positions)
    return mask


def commission_coverage(facts: Facts, flt: Filter, trained_members: np.ndarray | None = None) -> dict:
    """Per commission: current members and how many of them are trained; the chair's status.
    ``trained_members``: which memberships are held by a trained person, if already known."""
    members = _members_in_scope(facts, flt)
    if trained_members is None:
        trained_members = np.isin(facts.m_person, trained_people(facts, flt))
    trained = trained_members & members
    n = len(facts.c_id)
    total = np.bincount(facts.m_commission[members], minlength=n)
    done = np.bincount(facts.m_commission[trained], minlength=n)
    chairs = members & (facts.m_position == CHAIR)
    chair_untrained = np.bincount(facts.m_commission[chairs & ~trained], minlength=n) > 0
    return {"members": total, "trained": done, "chair_untrained": chair_untrained}


def cascade(facts: Facts, flt: Filter) -> dict:
    """Precinct commissions with all, some or none of their members trained; commissions with the chair
    untrained, by level; and the same per region."""
    trained_members = np.isin(facts.m_person, trained_people(facts, flt))
    coverage = commission_coverage(facts, flt, trained_members)
    total, done = coverage["members"], coverage["trained"]
    in_region = facts.c_region == facts.region_index(flt.region) if flt.region else np.ones(len(total), dtype=bool)
    staffed = in_region & (total > 0)
    states = {"all": staffed & (done == total), "some": staffed & (done > 0) & (done < total),
              "none": staffed & (done == 0)}
    precinct = facts.c_level == PRECINCT
    counts = {state: int(np.count_nonzero(mask & precinct)) for state, mask in states.items()}
    precincts = sum(counts.values())
    regions = facts.meta["regions"]
    per_region = []
    for i, iso in enumerate(regions):
        here = precinct & (facts.c_region == i)
        row = {state: int(np.count_nonzero(mask & here)) for state, mask in states.items()}
        row["region"], row["total"] = iso, sum(row.values())
        if row["total"]:
            row["percent_all"] = round(100 * row["all"] / row["total"], 1)
            per_region.append(row)
    chairs = [{"level": level, "commissions": int(np.count_nonzero(staffed & (facts.c_level == i))),
               "chair_untrained": int(np.count_nonzero(staffed & (facts.c_level == i) & coverage["chair_untrained"]))}
              for i, level in enumerate(COMMISSION_LEVELS) if np.any(staffed & (facts.c_level == i))]
    member_regions = facts.c_region[facts.m_commission]
    members = _members_in_scope(facts, flt)
    trained = members & trained_members
    share = []
    for i, iso in enumerate(regions):
        here = members & (member_regions == i)
        n = int(np.count_nonzero(here))
        if n:
            t = int(np.count_nonzero(trained & (member_regions == i)))
            share.append({"region": iso, "members": n, "trained": t, "percent": round(100 * t / n, 1)})
    return {
        "precincts": precincts, **counts,
        "percent": {state: (round(100 * value / precincts, 1) if precincts else None) for state, value in counts.items()},
        "by_region": per_region, "chairs": chairs, "member_share": share,
        "members": int(np.count_nonzero(members)), "members_trained": int(np.count_nonzero(trained)),
    }


def targets(facts: Facts, flt: Filter) -> list[dict]:
    """Coverage targets of the year against the distinct people reached (as ``/api/v1/coverage`` counts them:
    members by where they sit now, for commission audiences; by the event's region for the others)."""
    mask = facts.ct_year == flt.year
    if flt.region:
        mask &= facts.ct_region == facts.region_index(flt.region)
    if flt.audience:
        mask &= facts.ct_audience == facts.audience_index(flt.audience)
    regions = facts.meta["regions"]
    reached_by_audience: dict[str, np.ndarray] = {}  # distinct people reached per region, for each audience

    def reached_per_region(code: str) -> np.ndarray:
        audience_filter = Filter(year=flt.year, audience=code)
        if facts.meta["audience_scope"].get(code):
            # Memberships are in person order: the trained ones, per region of the commission, distinct.
            trained = _members_in_scope(facts, audience_filter) & np.isin(facts.m_person,
                                                                          trained_people(facts, audience_filter))
            return _distinct_by(facts.m_person[trained], facts.c_region[facts.m_commission[trained]], len(regions))
        attended = attendance_mask(facts, audience_filter, by_region=False)
        return _distinct_by(facts.pe_person[attended], facts.ev_region[facts.pe_event[attended]], len(regions))

    rows = []
    for i in np.flatnonzero(mask):
        region, code = int(facts.ct_region[i]), facts.meta["audiences"][int(facts.ct_audience[i])]
        if code not in reached_by_audience:
            reached_by_audience[code] = reached_per_region(code)
        reached, target = int(reached_by_audience[code][region]), int(facts.ct_target[i])
        rows.append({"region": regions[region], "audience": code, "target": target, "reached": reached,
                     "percent": round(100 * reached / target, 1) if target else None})
    return sorted(rows, key=lambda row: (row["region"], facts.meta["audiences"].index(row["audience"])))


def tests(facts: Facts, flt: Filter, *, weakest: int = 5) -> dict:
    mask = _test_mask(facts, flt)
    rate, passed, taken = pass_rate(facts, mask)
    gains = pre_post(facts, mask)
    regions = facts.meta["regions"]
    n_regions, n_topics = len(regions), len(facts.meta["topics"])
    region = np.where(facts.a_region >= 0, facts.a_region, n_regions)  # the last bin: no region
    # Points per region and topic in one pass over the (millions of) topic rows; the country is their sum.
    rows = np.flatnonzero(mask[facts.t_attempt] & (facts.t_topic >= 0))
    cell = region[facts.t_attempt[rows]].astype(np.int64) * n_topics + facts.t_topic[rows]
    size = (n_regions + 1) * n_topics
    cell_points = np.bincount(cell, weights=facts.t_points[rows], minlength=size).reshape(n_regions + 1, n_topics)
    cell_max = np.bincount(cell, weights=facts.t_max[rows], minlength=size).reshape(n_regions + 1, n_topics)
    points, maxima = cell_points.sum(axis=0), cell_max.sum(axis=0)
    topics = sorted(({"topic": facts.meta["topics"][i], "percent": round(float(100 * points[i] / maxima[i]), 1),
                      "answers_max": round(float(maxima[i]), 1)} for i in range(n_topics) if maxima[i] > 0),
                    key=lambda row: (row["percent"], row["topic"]))
    def per_region(rows: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(region[rows], weights=None if weights is None else weights[rows], minlength=n_regions + 1)

    results = per_region(mask)
    percent_sum = per_region(mask, facts.a_percent)
    graded = mask & np.isin(facts.a_purpose, PASS_RATE_PURPOSES) & (facts.a_passed >= 0)
    graded_n, passed_n = per_region(graded), per_region(graded & (facts.a_passed == 1))
    post = mask & (facts.a_pre >= 0)
    matched_n = per_region(post)
    post_sum = per_region(post, facts.a_percent)
    pre_sum = np.bincount(region[post], weights=facts.a_percent[facts.a_pre[post]], minlength=n_regions + 1)
    by_region = []
    for i, iso in enumerate(regions):
        if not results[i]:
            continue
        gain = None
        if matched_n[i]:
            gain = hake_gain(round(pre_sum[i] / matched_n[i], 1), round(post_sum[i] / matched_n[i], 1))
        by_region.append({"region": iso, "tests": int(results[i]), "graded": int(graded_n[i]),
                          "pass_rate": round(100 * passed_n[i] / graded_n[i], 1) if graded_n[i] else None,
                          "average_gain": gain, "mean_percent": round(float(percent_sum[i] / results[i]), 1)})
    heat = []
    for i, iso in enumerate(regions):
        cells = {facts.meta["topics"][t]: round(float(100 * cell_points[i, t] / cell_max[i, t]), 1)
                 for t in range(n_topics) if cell_max[i, t] > 0}
        if cells:
            heat.append({"region": iso, "cells": cells})
    return {"tests": int(np.count_nonzero(mask)), "graded": taken, "passed": passed, "pass_rate": rate,
            "mean_percent": round(float(facts.a_percent[mask].mean()), 1) if np.any(mask) else None,
            **{key: gains[key] for key in ("matched", "pre_mean", "post_mean")}, "average_gain": gains["gain"],
            "weakest_topics": topics[:weakest], "topics": topics, "by_region": by_region,
            "heat_topics": [row["topic"] for row in topics[:HEAT_TOPICS]], "heat": heat}


def certificates(facts: Facts, flt: Filter) -> dict:
    mask = _certificate_mask(facts, flt)
    verified, checks = verified_certificates(facts, flt)
    regions = facts.meta["regions"]
    without = facts.z_region < 0
    issued_by_region = np.bincount(facts.z_region[mask & ~without], minlength=len(regions))
    verified_regions = facts.z_region[verified]
    verified_by_region = np.bincount(verified_regions[verified_regions >= 0], minlength=len(regions))
    return {"issued": int(np.count_nonzero(mask)), "revoked": int(np.count_nonzero(mask & facts.z_revoked)),
            "verified": len(verified), "checks": checks,
            "by_region": [{"region": iso, "issued": int(issued_by_region[i]), "verified": int(verified_by_region[i])}
                          for i, iso in enumerate(regions) if issued_by_region[i] or verified_by_region[i]],
            "national": {"issued": int(np.count_nonzero(mask & without)),
                         "verified": int(np.count_nonzero(without[verified]))}}


def courses(facts: Facts, flt: Filter) -> dict:
    """Learners enrolled in the period, by status; behind schedule: not completed and past their pace date."""
    mask = _in_period(facts.k_enrolled, flt)
    if flt.region:
        mask &= facts.k_region == facts.region_index(flt.region)
    completed = LEARNER_STATUSES.index("completed")
    behind = mask & (facts.k_status != completed) & (facts.k_behind_from <= facts.meta["today"])
    counts = {status: int(np.count_nonzero(mask & (facts.k_status == i))) for i, status in enumerate(LEARNER_STATUSES)}
    total = int(np.count_nonzero(mask))
    regions = facts.meta["regions"]
    by_region = []
    for i, iso in enumerate(regions):
        here = mask & (facts.k_region == i)
        n = int(np.count_nonzero(here))
        if n:
            done = int(np.count_nonzero(here & (facts.k_status == completed)))
            by_region.append({"region": iso, "learners": n, "completed": done,
                              "behind": int(np.count_nonzero(behind & (facts.k_region == i))),
                              "percent_completed": round(100 * done / n, 1)})
    return {"learners": total, **counts, "behind": int(np.count_nonzero(behind)),
            "percent_completed": round(100 * counts["completed"] / total, 1) if total else None,
            "courses": int(len(np.unique(facts.k_course[mask]))), "by_region": by_region}


def dashboard(facts: Facts, flt: Filter) -> dict:
    """Everything a dashboard shows, and the same for the previous year's headline."""
    return {
        "summary": summary(facts, flt), "previous": summary(facts, flt.previous_year()),
        "cumulative": {"year": cumulative_by_month(facts, flt),
                       "previous": cumulative_by_month(facts, flt.previous_year())},
        "roadmap": roadmap(facts, flt), "events": events(facts, flt), "people": people(facts, flt),
        "targets": targets(facts, flt), "cascade": cascade(facts, flt), "tests": tests(facts, flt),
        "certificates": certificates(facts, flt), "courses": courses(facts, flt),
    }


# --- The lists behind the figures ---------------------------------------------------------------------------


def people_ids(facts: Facts, flt: Filter, *, region: str = "", audience: str = "", level: str = "",
               format: str = "") -> tuple[np.ndarray, np.ndarray]:
    """The distinct people behind a "people covered" figure (optionally one row of a breakdown), and how many
    events each attended. A filter's region (a coordinator's) is never widened by ``region``."""
    if flt.region and region and region != flt.region:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    narrowed = replace(flt, region=region or flt.region, audience=audience or flt.audience, level=level or flt.level)
    mask = attendance_mask(facts, narrowed)
    if format:
        mask &= facts.ev_format[facts.pe_event] == (FORMATS.index(format) if format in FORMATS else -2)
    return np.unique(facts.pe_person[mask], return_counts=True)


def event_ids(facts: Facts, flt: Filter, *, status: str = "", kind: str = "", month: int = 0) -> np.ndarray:
    mask = event_mask(facts, flt)
    if status in EVENT_STATUSES:
        mask &= facts.ev_status == EVENT_STATUSES.index(status)
    if kind in KINDS:
        mask &= facts.ev_kind == KINDS.index(kind)
    if month:
        months = np.array([datetime.date.fromordinal(int(d)).month for d in facts.ev_date], dtype=np.int8)
        mask &= months == month
    return facts.ev_id[mask]


def commission_ids(facts: Facts, flt: Filter, *, state: str, level: str = "precinct") -> tuple[np.ndarray, dict]:
    """Commissions behind a cascade figure: ``state`` is all, some, none or chair_untrained."""
    coverage = commission_coverage(facts, flt)
    total, done = coverage["members"], coverage["trained"]
    mask = total > 0
    if flt.region:
        mask &= facts.c_region == facts.region_index(flt.region)
    if level in COMMISSION_LEVELS:
        mask &= facts.c_level == COMMISSION_LEVELS.index(level)
    mask &= {"all": done == total, "some": (done > 0) & (done < total), "none": done == 0,
             "chair_untrained": coverage["chair_untrained"]}.get(state, np.zeros(len(total), dtype=bool))
    picked = np.flatnonzero(mask)
    return facts.c_id[picked], {int(facts.c_id[i]): (int(done[i]), int(total[i])) for i in picked}


def attempt_ids(facts: Facts, flt: Filter, *, outcome: str = "") -> np.ndarray:
    mask = _test_mask(facts, flt)
    if outcome in ("passed", "failed"):
        mask &= np.isin(facts.a_purpose, PASS_RATE_PURPOSES) & (facts.a_passed == (1 if outcome == "passed" else 0))
    return facts.a_id[mask]


def certificate_ids(facts: Facts, flt: Filter, *, verified: bool = False) -> np.ndarray:
    if verified:
        return facts.z_id[verified_certificates(facts, flt)[0]]
    return facts.z_id[_certificate_mask(facts, flt)]
