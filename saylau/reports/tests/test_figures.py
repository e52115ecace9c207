"""Every headline figure against the answers counted by hand (``conftest.report_world``), and against a direct
count in the database, nationally and per region."""

from __future__ import annotations

import pytest
from django.db.models import Count

from saylau.reports import facts, figures
from saylau.reports.figures import Filter
from saylau.training.models import Attendance, Event, EventStatus

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(report_world):
    return facts.Facts.from_bytes(facts.build().to_bytes())  # as the pages read it: through the stored bytes


def test_national_headline_figures(known):
    assert figures.summary(known, Filter(year=YEAR)) == {
        "events_planned": 4, "events_held": 3, "events_cancelled": 1, "people_covered": 5, "person_events": 7,
        "certificates_issued": 2, "certificates_verified": 1, "average_gain": 0.2, "pass_rate": 66.7,
        "tests_taken": 3,
    }


def test_previous_year(known):
    summary = figures.summary(known, Filter(year=YEAR - 1))
    assert (summary["events_planned"], summary["events_held"], summary["people_covered"]) == (1, 1, 1)


@pytest.mark.parametrize(("region", "planned", "held", "people", "person_events"), [
    ("KZ-19", 2, 1, 4, 4),
    ("KZ-10", 1, 1, 2, 3),
    ("KZ-43", 0, 0, 0, 0),
])
def test_regional_headline_figures(known, region, planned, held, people, person_events):
    summary = figures.summary(known, Filter(year=YEAR, region=region))
    assert (summary["events_planned"], summary["events_held"], summary["people_covered"],
            summary["person_events"]) == (planned, held, people, person_events)


def test_a_mover_counts_in_each_region_and_once_nationally(known, report_world):
    by_region = {row["region"]: row for row in figures.people(known, Filter(year=YEAR))["by_region"]}
    assert by_region["KZ-19"]["people"] == 4 and by_region["KZ-10"]["people"] == 2
    assert sum(row["people"] for row in by_region.values()) == 6
    assert figures.summary(known, Filter(year=YEAR))["people_covered"] == 5
    ids, counts = figures.people_ids(known, Filter(year=YEAR))
    assert dict(zip(ids.tolist(), counts.tolist(), strict=True))[report_world.mover.pk] == 2


def test_people_covered_equals_a_direct_count(known):
    """The distinct people with a check-in at a non-cancelled event of the year, counted by the database."""
    attendance = Attendance.objects.filter(session__event__starts_on__year=YEAR).exclude(
        session__event__status=EventStatus.CANCELLED)
    direct_people = attendance.values("person_id").distinct().count()
    direct_pairs = attendance.values("person_id", "session__event_id").distinct().count()
    summary = figures.summary(known, Filter(year=YEAR))
    assert (summary["people_covered"], summary["person_events"]) == (direct_people, direct_pairs)
    held = Event.objects.filter(starts_on__year=YEAR).values("status").annotate(n=Count("*"))
    assert summary["events_held"] == {row["status"]: row["n"] for row in held}["held"]


def test_breakdowns_by_level_format_and_audience(known):
    people = figures.people(known, Filter(year=YEAR))
    assert {row["level"]: (row["people"], row["person_events"]) for row in people["by_level"]} == {
        "territorial": (4, 5), "republican": (2, 2)}
    assert {row["format"]: row["people"] for row in people["by_format"]} == {"in_person": 5, "distance": 2}
    assert {row["audience"]: row["people"] for row in people["by_audience"]} == {
        "tec_chairs": 2, "tec_members": 2, "precinct_members": 3}


def test_period_level_and_audience_filters(known):
    assert figures.summary(known, Filter(year=YEAR, period="q1"))["people_covered"] == 3
    assert figures.summary(known, Filter(year=YEAR, period="m9"))["people_covered"] == 2
    assert figures.summary(known, Filter(year=YEAR, period="q2"))["events_cancelled"] == 1
    assert figures.summary(known, Filter(year=YEAR, level="republican"))["people_covered"] == 2
    assert figures.summary(known, Filter(year=YEAR, audience="precinct_members"))["person_events"] == 3
    assert figures.summary(known, Filter(year=YEAR, audience="judges"))["people_covered"] == 0


def test_unknown_codes_match_nothing(known):
    summary = figures.summary(known, Filter(year=YEAR, region="KZ-99", level="galactic", audience="nobody"))
    assert summary["people_covered"] == summary["events_planned"] == 0


def test_cascade_coverage(known, report_world):
    cascade = figures.cascade(known, Filter(year=YEAR))
    assert (cascade["all"], cascade["some"], cascade["none"], cascade["precincts"]) == (1, 1, 1, 3)
    chairs = {row["level"]: row["chair_untrained"] for row in cascade["chairs"]}
    assert chairs["precinct"] == 1 and chairs["territorial"] == 0
    ids, trained = figures.commission_ids(known, Filter(year=YEAR), state="none")
    assert ids.tolist() == [report_world.pec3.pk] and trained[report_world.pec3.pk] == (0, 1)
    ids, _trained = figures.commission_ids(known, Filter(year=YEAR), state="some")
    assert ids.tolist() == [report_world.pec2.pk]


def test_coverage_targets_match_the_training_coverage(known, report_world):
    from saylau.training.selectors import coverage

    rows = figures.targets(known, Filter(year=YEAR))
    assert rows == [{"region": "KZ-19", "audience": "precinct_members", "target": 10, "reached": 2, "percent": 20.0}]
    (live,) = coverage(report_world.admin, year=YEAR)
    assert live.reached == rows[0]["reached"]


def test_test_outcomes(known):
    tests = figures.tests(known, Filter(year=YEAR))
    assert (tests["graded"], tests["passed"], tests["pass_rate"]) == (3, 2, 66.7)
    assert (tests["matched"], tests["pre_mean"], tests["post_mean"], tests["average_gain"]) == (2, 50.0, 60.0, 0.2)
    assert tests["weakest_topics"] == [{"topic": "voter-lists", "percent": 50.0, "answers_max": 2.0}]
    regions = {row["region"]: row for row in tests["by_region"]}
    assert regions["KZ-19"]["pass_rate"] == 50.0 and regions["KZ-10"]["pass_rate"] == 100.0
    assert tests["heat"] == [{"region": "KZ-19", "cells": {"voter-lists": 50.0}}]


def test_certificates(known):
    certificates = figures.certificates(known, Filter(year=YEAR))
    assert (certificates["issued"], certificates["revoked"], certificates["verified"], certificates["checks"]) == (
        2, 1, 1, 2)
    assert figures.certificates(known, Filter(year=YEAR, region="KZ-10"))["issued"] == 0


def test_roadmap_status_follows_the_events(known, report_world):
    from saylau.training.models import Roadmap, RoadmapItem

    roadmap = Roadmap.objects.create(year=YEAR, resolution_number="58/73", resolution_date="2024-12-11")
    held = RoadmapItem.objects.create(roadmap=roadmap, title_kk="a", title_ru="a", kind="seminar", level="territorial",
                                      planned_quarter=1, responsible=report_world.tec)
    RoadmapItem.objects.create(roadmap=roadmap, title_kk="b", title_ru="b", kind="seminar", level="territorial",
                               planned_month=4, responsible=report_world.tec)
    Event.objects.filter(pk=report_world.e1.pk).update(roadmap_item=held)
    roadmap_figures = figures.roadmap(facts.build(), Filter(year=YEAR))
    assert (roadmap_figures["planned"], roadmap_figures["held"], roadmap_figures["percent_held"]) == (2, 1, 50.0)
    assert [(q["quarter"], q["planned"], q["held"]) for q in roadmap_figures["quarters"]] == [
        (1, 1, 1), (2, 1, 0), (3, 0, 0), (4, 0, 0)]


def test_an_empty_database_gives_zeros(db):
    empty = facts.build()
    summary = figures.summary(empty, Filter(year=YEAR))
    assert summary["people_covered"] == 0 and summary["pass_rate"] is None and summary["average_gain"] is None
    assert figures.dashboard(empty, Filter(year=YEAR, region="KZ-19", level="precinct", audience="judges"))


def test_people_covered_since_january_month_by_month(known):
    assert figures.cumulative_by_month(known, Filter(year=YEAR, period="q4")) == [0, 0, 3, 3, 3, 3, 3, 3, 4, 4, 5, 5]
    assert figures.cumulative_by_month(known, Filter(year=YEAR - 1)) == [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]
    assert figures.cumulative_by_month(known, Filter(year=YEAR, region="KZ-10"))[-1] == 2
