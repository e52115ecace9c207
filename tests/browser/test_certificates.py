"""Certificates in a browser: an anonymous visitor checks a genuine number and a forged one on the verification
page (in Kazakh, and in Russian through the header's language switcher), and a participant finds the certificate on
"My certificates" on a phone without sideways scrolling. Axe runs on every page."""

import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.utils import timezone

from saylau.certificates import keys, services
from saylau.training.models import Attendance
from saylau.training.tests.conftest import (  # noqa: F401  (fixtures used by these tests)
    enrolled,
    event,
    make_event,
    precinct_members,
)

from .conftest import choose_language, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
FORGED = "ETC-2025-999999"


@pytest.fixture
def signing_key(settings, tmp_path):
    """A fresh key directory for this test (the live server runs in this process and sees the setting)."""
    settings.CERTIFICATE_KEYS_DIR = tmp_path / "keys"
    kid, _created = keys.generate()
    yield kid
    shutil.rmtree(tmp_path / "keys", ignore_errors=True)


@pytest.fixture
def certificate(site, enrolled, signing_key):  # noqa: F811
    """member1 attended all three sessions of ``enrolled`` (75 % needed), member2 none: one certificate, member1's."""
    award = services.award_set(by=site.coordinator, event=enrolled, min_attendance_percent=75)
    for session in (enrolled.s1, enrolled.s2, enrolled.s3):
        Attendance.objects.create(session=session, person=site.member1, checked_in_at=timezone.now(), method="roster")
    issued = services.issue_due(award=award)
    assert [c.person_id for c in issued] == [site.member1.pk]
    cache.clear()  # the verification throttle counts per address: earlier tests' checks must not count here
    return issued[0]


def axe_violations(page, axe) -> list[str]:
    results = axe.run(page)
    return [f"--- {page.url} ---\n{results.generate_report()}"] if results.violations_count else []


def check_number(page, number):
    """Type ``number`` into the verification form and submit it with Enter, as a keyboard user would."""
    page.goto("/verify/")
    field = page.locator("main #id_number")
    field.focus()
    page.keyboard.type(number)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/verify/{number}/")


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_genuine_number_is_valid_and_a_forged_one_unknown(browsing, site, certificate, language):
    w = site
    page = browsing().page
    page.goto("/verify/")
    if language != "kk":
        choose_language(page, language)
    assert page.evaluate("document.documentElement.lang") == language
    axe = Axe()

    check_number(page, certificate.number)
    verdict = page.locator("main section.verdict")
    assert verdict.get_attribute("class").split() == ["verdict", "verdict-valid"]
    assert verdict.locator("dd", has_text=certificate.number).count() == 1
    assert verdict.locator("dd", has_text="Омарова Айгүл Серікұлы").count() == 1
    assert w.member1.iin not in page.content()
    assert page.evaluate("document.documentElement.lang") == language
    failures = axe_violations(page, axe)

    check_number(page, FORGED)
    verdict = page.locator("main section.verdict")
    assert verdict.get_attribute("class").split() == ["verdict", "verdict-unknown"]
    assert FORGED in verdict.inner_text()
    assert verdict.locator("dl.facts").count() == 0 and "Омарова" not in page.content()
    assert page.locator("main .verdict-valid").count() == 0
    failures += axe_violations(page, axe)
    assert not failures, "\n".join(failures)


def test_my_certificates_on_a_phone(browsing, site, certificate):
    phone = browsing(**PHONE)
    page = phone.page
    log_in(page, "participant")
    page.goto("/certificates/mine/")
    assert page.evaluate("document.documentElement.lang") == "kk"
    cards = page.locator("main ul.cards li.card")
    assert cards.count() == 1
    assert certificate.number in cards.first.inner_text()
    assert cards.first.locator(f'a[href="/verify/{certificate.number}/"]').count() == 1
    sizes = page.evaluate("({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
                          " view: window.innerWidth})")
    assert sizes["view"] == 360
    assert sizes["doc"] <= 360 and sizes["body"] <= 360, f"/certificates/mine/: {sizes} on a 360px screen"
    failures = axe_violations(page, Axe())
    assert not failures, "\n".join(failures)
