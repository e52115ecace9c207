"""The trainer's and coordinator's test pages in a browser: axe on each, and the live view updating itself."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from saylau.assessment import attempts, exams
from saylau.assessment.tests.factories import approved_item, bank_of, distance_exam
from saylau.assessment.tests.test_views_exams import essay_document, make_event, take

from .conftest import log_in


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_test_page_passes_axe_and_the_live_view_updates_itself(browsing, site, language):
    w = site
    items = bank_of(w.admin, 2, topic="voting")
    essay = approved_item(w.admin, essay_document())
    pre = distance_exam(w, items, purpose="pre")
    post = distance_exam(w, items + [essay], purpose="post", pre_test=pre)
    take(pre, w.member1, {items[0].pk}, items)
    take(post, w.member1, {items[0].pk, items[1].pk}, items)
    room = exams.exam_create(by=w.coordinator, commission=w.regional, items=items, mode="room",
                             title_kk="Т", title_ru="Т",
                             eligibility="persons", eligible_people=[w.member1, w.member2])
    exams.room_set_state(by=w.coordinator, exam=room, state="open")
    attempts.attempt_start(by=None, exam=room, person=w.member1, language="ru")
    event = make_event(w)
    b = browsing()
    b.context.add_cookies([{"name": "django_language", "value": language, "url": site.url}])
    page = b.page
    log_in(page, "coordinator")
    axe, failures = Axe(), []
    urls = ["/assessment/tests/", "/assessment/tests/new/?topic=voting", f"/assessment/tests/{post.pk}/",
            f"/assessment/tests/{room.pk}/projector/", f"/assessment/tests/{room.pk}/live/",
            f"/assessment/tests/{post.pk}/results/",
            f"/assessment/tests/{post.pk}/grading/", f"/assessment/tests/pair/{event.pk}/", f"/training/{event.pk}/",
            f"/assessment/tests/{room.pk}/"]
    att = post.attempts.first()
    urls.append(f"/assessment/tests/{post.pk}/attempts/{att.pk}/")
    for url in urls:
        page.goto(url)
        results = axe.run(page)
        if results.violations_count:
            failures.append(f"--- {url} ---\n{results.generate_report()}")
    # a form with errors
    page.goto("/assessment/tests/new/")
    page.locator("button[value=create].primary").click()
    results = axe.run(page)
    if results.violations_count:
        failures.append(f"--- new with errors ---\n{results.generate_report()}")
    # The live view refreshes itself: a second person joins and the count follows without a reload.
    page.goto(f"/assessment/tests/{room.pk}/live/")
    joined = page.locator("[data-part=counts] dd").first
    assert joined.inner_text() == "1"
    attempts.attempt_start(by=None, exam=room, person=w.member2, language="kk")
    expect(joined).to_have_text("2", timeout=15_000)
    assert not failures, "\n".join(failures)
