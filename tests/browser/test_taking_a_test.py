"""Taking an in-room test on a phone in a real browser: the trainer opens it, a participant types the join code,
answers (saved as given by the page's script), reloads mid-way and finds the answers kept, finishes and sees the
breakdown by topic. axe-core checks each examinee page in Kazakh and Russian.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from saylau.assessment import exams
from saylau.assessment.models import Attempt, AttemptItem, AttemptStatus
from saylau.assessment.tests.factories import approved_item, bank_of, distance_exam, scenario_document

from .conftest import log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def path_of(page):
    return re.sub(r"^https?://[^/]+", "", page.url).split("#")[0]


@pytest.fixture
def room_test(site):
    items = [approved_item(site.admin, scenario_document())] + bank_of(site.admin, 3)
    exam = distance_exam(site, items, mode="room", opens_at=None, closes_at=None, time_limit_minutes=30)
    exams.room_set_state(by=site.admin, exam=exam, state="open")
    return exam, items


def _axe(page, axe, label, failures):
    results = axe.run(page)
    if results.violations_count:
        failures.append(f"--- {label} ({path_of(page)}) ---\n{results.generate_report()}")


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_participant_takes_an_in_room_test_on_a_phone(browsing, site, room_test, language):
    exam, items = room_test
    b = browsing(locale="en-US", **PHONE)
    b.context.add_cookies([{"name": "django_language", "value": language, "url": site.url}])
    page = b.page
    axe, failures = Axe(), []
    log_in(page, "participant")

    page.goto("/assessment/join/")
    _axe(page, axe, "join", failures)
    page.locator("#join-code").fill(exam.join_code.lower())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert path_of(page) == f"/assessment/join/{exam.join_code}/"
    _axe(page, axe, "start", failures)
    page.locator(f'input[name="language"][value="{language}"]').check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    attempt = Attempt.objects.get(exam=exam, person=site.member1)
    assert path_of(page) == f"/assessment/attempts/{attempt.pk}/"
    _axe(page, axe, "attempt", failures)

    # Answer two plain items; the script saves each answer as it is given.
    first, second = items[1], items[2]
    page.locator(f'input[name="item-{first.pk}"][value="a"]').check()
    page.locator(f"#item-{first.pk}.saved").wait_for()
    page.locator(f'input[name="item-{second.pk}"][value="b"]').check()
    page.locator(f"#item-{second.pk}.saved").wait_for()
    assert AttemptItem.objects.get(attempt=attempt, item=first).response == {"choices": ["a"]}

    # The scenario: the second decision appears once the first is saved (the page reloads itself).
    scenario = items[0]
    assert page.locator(f'input[name="item-{scenario.pk}-step-s2"]').count() == 0
    page.locator(f'input[name="item-{scenario.pk}-step-s1"][value="s1a"]').check()
    page.locator(f'input[name="item-{scenario.pk}-step-s2"][value="s2a"]').first.wait_for()

    # Reload mid-way: the answers are still there.
    page.reload()
    assert page.locator(f'input[name="item-{first.pk}"][value="a"]').is_checked()
    assert page.locator(f'input[name="item-{second.pk}"][value="b"]').is_checked()
    assert page.locator(f'input[name="item-{scenario.pk}-step-s1"][value="s1a"]').is_checked()
    page.locator(f'input[name="item-{scenario.pk}-step-s2"][value="s2a"]').check()
    page.locator(f"#item-{scenario.pk}.saved").wait_for()

    with page.expect_navigation():
        page.locator('button[name="action"][value="finish"]').click()
    _axe(page, axe, "submit", failures)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert path_of(page) == f"/assessment/attempts/{attempt.pk}/result/"
    _axe(page, axe, "result", failures)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    # 2 (scenario) + 1 (first) of 5 points: 60 %.
    assert float(attempt.percent) == 60.0
    assert "60%" in page.locator(".result-box .score").inner_text()
    topics = page.locator("main table tbody th").all_inner_texts()
    assert len(topics) == 2
    page.screenshot(path=str(site_artifacts() / f"result-{language}.png"), full_page=True)
    assert not failures, "axe found accessibility violations:\n" + "\n".join(failures)


def site_artifacts():
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
