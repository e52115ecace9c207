"""The dashboards, the lists behind the figures, the exports, the annual report and the summary API: scoped by
role, and holding the same numbers as one another."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.cache import cache

from saylau.accounts.services import api_token_create
from saylau.reports import selectors, services
from saylau.reports.models import Snapshot
from saylau.training.models import Attendance

from .conftest import YEAR, attend

pytestmark = pytest.mark.django_db

HEADLINE = ("events_planned", "events_held", "people_covered", "person_events", "certificates_issued",
            "certificates_verified", "average_gain", "pass_rate")


@pytest.fixture
def snapshot(report_world):
    cache.clear()
    return services.refresh_snapshot()


def api(client, user, **params):
    return client.get("/api/v1/reports/summary", params, HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)}")


def test_the_summary_api_nationally(client, report_world, snapshot):
    body = api(client, report_world.admin, year=YEAR).json()
    assert {key: body[key] for key in HEADLINE} == {
        "events_planned": 4, "events_held": 3, "people_covered": 5, "person_events": 7, "certificates_issued": 2,
        "certificates_verified": 1, "average_gain": 0.2, "pass_rate": 66.7}
    assert body["region"] is None and body["as_of"]


def test_a_coordinator_only_ever_gets_their_region(client, report_world, snapshot):
    own = api(client, report_world.coordinator, year=YEAR).json()
    asked_for_other = api(client, report_world.coordinator, year=YEAR, region="KZ-10").json()
    assert own == asked_for_other
    assert (own["region"], own["people_covered"], own["person_events"], own["events_planned"]) == ("KZ-19", 4, 4, 2)
    abai = api(client, report_world.abai_coordinator, year=YEAR).json()
    assert (abai["region"], abai["people_covered"], abai["person_events"]) == ("KZ-10", 2, 3)


@pytest.mark.parametrize("role", ["participant", "trainer"])
def test_others_get_no_figures(client, report_world, snapshot, role):
    assert api(client, getattr(report_world, role), year=YEAR).status_code == 403
    client.force_login(getattr(report_world, role))
    assert client.get("/reports/").status_code == 403
    assert client.get(f"/reports/annual/{YEAR}/").status_code == 403


def test_bad_parameters_are_named(client, report_world, snapshot):
    body = api(client, report_world.admin, year=YEAR, region="KZ-99").json()
    assert body["code"] == "invalid_region"
    assert api(client, report_world.admin, period="q5").json()["code"] == "invalid_period"
    assert api(client, report_world.admin, year=1900).status_code == 400


def test_the_national_dashboard(client, report_world, snapshot):
    client.force_login(report_world.admin)
    page = client.get("/reports/", {"year": YEAR}).content.decode()
    assert '<svg' in page and 'data-region="KZ-19"' in page
    assert 'href="/reports/people/?year=2025"' in page
    assert 'name="region"' in page  # the CEC chooses any region


def test_the_regional_dashboard_is_forced_to_the_coordinators_region(client, report_world, snapshot):
    client.force_login(report_world.coordinator)
    response = client.get("/reports/", {"year": YEAR, "region": "KZ-10"})
    assert response.status_code == 200
    assert response.context["filter"].region == "KZ-19"
    assert response.context["data"]["summary"]["people_covered"] == 4
    assert 'name="region"' not in response.content.decode()
    people = client.get("/reports/people/", {"year": YEAR, "by_region": "KZ-10"})
    assert people.context["count"] == 0  # another region's list is empty, not widened


def test_the_list_behind_a_figure_has_as_many_rows_as_the_figure(client, report_world, snapshot):
    client.force_login(report_world.admin)
    people = client.get("/reports/people/", {"year": YEAR})
    assert people.context["count"] == 5 and len(people.context["table"].rows) == 5
    assert report_world.mover.surname in people.content.decode()
    assert client.get("/reports/events/", {"year": YEAR, "status": "held"}).context["count"] == 3
    none = client.get("/reports/commissions/", {"year": YEAR, "state": "none"})
    assert [row.cells[0] for row in none.context["table"].rows] == ["PEC-19-0003"]
    assert client.get("/reports/results/", {"year": YEAR, "outcome": "passed"}).context["count"] == 2
    assert client.get("/reports/certificates/", {"year": YEAR, "verified": "1"}).context["count"] == 1
    export = client.get("/reports/people/", {"year": YEAR, "export": "xlsx"})
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len([row for row in rows[4:] if row and row[0]]) == 5  # title, heading, blank, header, 5 people


def test_exports_hold_the_same_numbers_as_the_api(client, report_world, snapshot):
    from openpyxl import load_workbook

    summary = api(client, report_world.admin, year=YEAR).json()
    client.force_login(report_world.admin)
    book = load_workbook(io.BytesIO(client.get("/reports/tables/all.xlsx", {"year": YEAR}).content))
    assert len(book.sheetnames) >= 15
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    # The headline table's rows, in the order of tables.summary_table (the labels are in the page's language).
    keys = ["events_planned", "events_held", "events_cancelled", "people_covered", "person_events",
            "certificates_issued", "certificates_verified", "tests_taken", "pass_rate", "average_gain"]
    exported = dict(zip(keys, [row[1] for row in rows[4:] if row and row[0]], strict=True))
    assert exported == {key: summary[key] for key in keys}
    csv_text = client.get("/reports/tables/people_region.csv", {"year": YEAR}).content.decode("utf-8-sig")
    assert csv_text.splitlines()[1:] == ["Abai Region,2,3", "Almaty Region,4,4"] or "4,4" in csv_text
    assert client.get("/reports/tables/nothing.csv", {"year": YEAR}).status_code == 404


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_annual_report_docx_holds_the_api_numbers(client, report_world, snapshot, language):
    import docx

    summary = api(client, report_world.admin, year=YEAR).json()
    client.force_login(report_world.admin)
    response = client.get(f"/reports/annual/{YEAR}/", {"language": language, "format": "docx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = docx.Document(io.BytesIO(response.content))
    title = document.paragraphs[0].text
    assert str(YEAR) in title
    assert ("жыл" in title.lower() or "есеп" in title.lower()) if language == "kk" else "отчёт" in title.lower()
    headline = document.tables[0]
    values = {row.cells[0].text: row.cells[1].text for row in headline.rows[1:]}
    assert str(summary["people_covered"]) in values.values()
    assert str(summary["person_events"]) in values.values()
    assert len(document.inline_shapes) >= 3  # the charts and the map


def test_the_annual_report_pdf_in_russian(client, report_world, snapshot):
    client.force_login(report_world.admin)
    response = client.get(f"/reports/annual/{YEAR}/", {"language": "ru", "format": "pdf"})
    assert response.content.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True).stdout
    text = text.decode()
    assert "2025" in text and "Партнёр" in text or "партнёр" in text.lower()
    assert client.get(f"/reports/annual/{YEAR}/", {"language": "en", "format": "pdf"}).status_code == 404


def test_the_dashboard_as_pdf(client, report_world, snapshot):
    client.force_login(report_world.coordinator)
    response = client.get("/reports/dashboard.pdf", {"year": YEAR})
    assert response.content.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True).stdout
    assert "Almaty" in text.decode() or "Алматы" in text.decode()


def test_figures_state_their_time_and_follow_a_refresh(client, report_world, snapshot):
    client.force_login(report_world.admin)
    before = client.get("/reports/", {"year": YEAR}).context["data"]["summary"]["people_covered"]
    attend(report_world.e2.day_sessions[0], report_world.pec3_chair)
    assert client.get("/reports/", {"year": YEAR}).context["data"]["summary"]["people_covered"] == before
    newer = services.refresh_snapshot()
    response = client.get("/reports/", {"year": YEAR})
    assert response.context["data"]["summary"]["people_covered"] == before + 1
    assert response.context["as_of"] == newer.built_at
    assert Snapshot.objects.count() == services.KEEP


def test_a_snapshot_is_built_when_there_is_none(report_world):
    Snapshot.objects.all().delete()
    facts, as_of = selectors.current_facts()
    assert Snapshot.objects.count() == 1 and len(facts.pe_person) == Attendance.objects.values(
        "person_id", "session__event_id").distinct().count()


def test_the_worker_rebuilds_only_when_a_source_has_changed(report_world):
    from saylau.reports.tasks import refresh_figures

    first = refresh_figures.call()
    assert Snapshot.objects.count() == 1
    assert refresh_figures.call() is None  # nothing changed: no rebuild
    attend(report_world.e2.day_sessions[0], report_world.pec3_chair)
    second = refresh_figures.call()
    assert second and second != first
    assert refresh_figures.call() is None


@pytest.mark.parametrize("change", ["event_edited", "membership_ended", "certificate_revoked", "new_day"])
def test_the_fingerprint_sees_each_kind_of_change(report_world, change):
    import datetime

    from saylau.certificates.models import Certificate
    from saylau.commissions.models import Membership
    from saylau.reports import facts
    from saylau.training.models import Event

    before = facts.fingerprint(today=datetime.date(2025, 12, 1))
    today = datetime.date(2025, 12, 1)
    if change == "event_edited":  # through the service, which audits it
        from saylau.training import services as training

        training.event_update(by=report_world.admin, event=Event.objects.get(pk=report_world.e1.pk), level="regional")
    elif change == "membership_ended":
        Membership.objects.filter(person=report_world.member3).update(term_end=datetime.date(2025, 11, 30))
    elif change == "certificate_revoked":
        Certificate.objects.filter(pk=report_world.cert1.pk).update(revoked_on=datetime.date(2025, 5, 1))
    else:
        today = datetime.date(2025, 12, 2)
    assert facts.fingerprint(today=today) != before
