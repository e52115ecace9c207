"""The statistics pages in a browser: axe on each (every item's details opened), a person's history on a phone
without sideways scrolling, and the entry vs final report on paper without the site's menus."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from saylau.assessment.tests.factories import bank_of, distance_exam
from saylau.assessment.tests.test_views_exams import take
from saylau.psychometrics import analysis
from saylau.psychometrics.models import AttemptAbility, ItemAnalysis
from saylau.psychometrics.tests.test_views import analysed_cohort

from .conftest import log_in

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def statistics_world(w):
    """An analysed test of 40 attempts (IRT, flags), and member1 and member2 through an entry and a final test."""
    cohort = analysed_cohort(w)
    items = bank_of(w.admin, 2, topic="voting")
    pre = distance_exam(w, items, purpose="pre")
    post = distance_exam(w, items, purpose="post", pre_test=pre)
    for person, before, after in ((w.member1, set(), {items[0].pk}), (w.member2, {items[0].pk}, {i.pk for i in items})):
        take(pre, person, before, items)
        take(post, person, after, items)
    analysis.analyse_test(exam=post)
    analysis.analyse_bank()
    assert AttemptAbility.objects.filter(attempt__person=w.member1).count() == 2
    return cohort, post


def axe_failures(page, urls, axe) -> list[str]:
    failures = []
    for url in urls:
        page.goto(url)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        results = axe.run(page)
        if results.violations_count:
            failures.append(f"--- {url} ---\n{results.generate_report()}")
    return failures


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_statistics_page_passes_axe_and_the_history_fits_a_phone(browsing, site, language):
    w = site
    cohort, post = statistics_world(w)
    flagged = ItemAnalysis.objects.filter(flagged=True).order_by("item_id").first().item_id
    cookie = [{"name": "django_language", "value": language, "url": site.url}]

    b = browsing()
    b.context.add_cookies(cookie)
    page = b.page
    log_in(page, "admin")
    axe = Axe()
    failures = axe_failures(page, [
        f"/statistics/tests/{cohort.pk}/", f"/statistics/tests/{post.pk}/", f"/statistics/tests/{post.pk}/pre-post/",
        "/statistics/bank/", f"/assessment/bank/items/{flagged}/", "/assessment/bank/?flagged=1",
        f"/statistics/people/{cohort.people[0].pk}/", f"/statistics/people/{w.member1.pk}/",
        f"/assessment/tests/{post.pk}/", f"/assessment/tests/{post.pk}/results/"], axe)
    page.goto(f"/statistics/tests/{cohort.pk}/")
    assert page.evaluate("document.documentElement.lang") == language
    assert page.locator("svg[role=img]").count() >= 2

    # On paper the report keeps its tables and drops the site's header and the test's menu.
    page.goto(f"/statistics/tests/{post.pk}/pre-post/")
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible() and not page.locator("nav.subnav").is_visible()
    assert page.locator("table tr.person-row").count() == 2
    page.emulate_media(media="screen")

    # A participant's own history, and a coordinator's view of it, on a 360-px phone.
    for username, path in (("participant", "/statistics/me/"), ("coordinator", f"/statistics/people/{w.member1.pk}/")):
        phone = browsing(**PHONE)
        phone.context.add_cookies(cookie)
        log_in(phone.page, username)
        phone.page.goto(path)
        assert phone.page.locator("tr.attempt-row").count() == 2
        assert phone.page.locator("svg#ability, svg[aria-labelledby^=ability]").count() == 1
        sizes = phone.page.evaluate("({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
                                    " view: window.innerWidth})")
        assert sizes["view"] == 360
        assert sizes["doc"] <= 360 and sizes["body"] <= 360, f"{path}: {sizes} on a 360px screen"
        failures += axe_failures(phone.page, [path], axe)
    assert not failures, "\n".join(failures)
