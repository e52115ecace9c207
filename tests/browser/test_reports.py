"""The reports in a real browser, over the known answers of ``report_world`` (the year 2025):

- the CEC's national dashboard: its headline figures, the map, axe-core, the filter form used with the keyboard
  only (Almaty Region, KZ-19) and a headline figure clicked through to the list of people behind it;
- a coordinator's regional dashboard (forced to KZ-19, no region to choose), in Kazakh and Russian, with axe-core;
- the national dashboard on a 360-px phone, without sideways scrolling of the page (wide tables scroll in their
  own ``.table-wrap``);
- and no Content Security Policy errors anywhere.

Screenshots for review go to test-artifacts/ (reports-national.png, reports-national-kz19.png,
reports-regional-kk.png, reports-regional-ru.png, reports-phone.png).
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import translation
from django.utils.translation import gettext

from saylau.commissions.models import Region
from saylau.reports import selectors, services
from saylau.reports.tests.conftest import YEAR, report_world  # noqa: F401 (the fixture, requested by name)

from .conftest import ARTIFACTS, choose_language, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DASHBOARD = f"/reports/?year={YEAR}"
# The headline figures of report_world in 2025 (its docstring counts them by hand).
NATIONAL = {"Events planned": "4", "Events held": "3", "Events cancelled": "1", "People covered (distinct)": "5",
            "Person-events": "7", "Certificates issued": "2", "Certificates verified": "1"}
ALMATY = {"People covered (distinct)": "4", "Person-events": "4", "Events planned": "2"}
# Every headline figure links to the list behind it (the average gain: the test results it is counted from).
GAIN = "Average normalised gain, entry → final test"
UNLINKED: set[str] = set()


def t(text, language):
    """A string of the interface as the page shows it in ``language`` (the source text while untranslated)."""
    with translation.override(language):
        return gettext(text)


def path_of(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def language_of(page) -> str:
    return page.evaluate("document.documentElement.lang")


def headline(page) -> dict[str, str]:
    """The headline figures as the page shows them, keyed by their (untranslated) label."""
    language = language_of(page)
    shown = {}
    for kpi in page.locator("main ul.kpis li.kpi").all():
        shown[kpi.locator(".kpi-label").inner_text().strip()] = kpi.locator(".kpi-value").inner_text().strip()
    labels = {t(label, language): label for label in (*NATIONAL, "Tests taken (final and distance)",
                                                      "Pass rate, %", GAIN)}
    return {labels.get(label, label): value for label, value in shown.items()}


def kpi_link(page, label):
    language = language_of(page)
    kpi = page.locator("main ul.kpis li.kpi").filter(
        has=page.locator(".kpi-label", has_text=re.compile(f"^{re.escape(t(label, language))}$")))
    return kpi.locator("a")


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def axe_check(page, axe, label, failures):
    results = axe.run(page)
    if results.violations_count:
        failures.append(f"--- {label} ({path_of(page)}) ---\n{results.generate_report()}")


def tab_to(page, selector, limit=80):
    """Press Tab until the element ``selector`` has the focus (it must be reachable with the keyboard)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def check_map(page, *, linked: tuple[str, ...] = ()):
    """The choropleth: 20 regions as ``path[data-region]``. Nationally the regions with commission members
    (``linked``) are links to that region's figures, and the SVG is then a group (assistive technology does not
    expose links inside an image); in a region's view it is an image without links."""
    svg = page.locator("main .chart-map svg#chart-map")
    assert svg.count() == 1, "the map is missing"
    assert svg.get_attribute("role") == ("group" if linked else "img")
    assert svg.locator("path[data-region]").count() == 20
    assert svg.locator('path[data-region="KZ-19"]').count() == 1
    regions = svg.locator("a path[data-region]").evaluate_all("paths => paths.map(p => p.dataset.region)")
    assert sorted(regions) == sorted(linked)
    for iso in linked:
        href = svg.locator(f'a:has(path[data-region="{iso}"])').get_attribute("href")
        assert f"region={iso}" in href and f"year={YEAR}" in href
    # Each chart on the page is a named image (the map, with its links, a named group).
    assert page.locator("main .chart svg[role=img]").count() >= 3


def csp_report(browsing) -> str:
    """The CSP errors, with the dashboard's elements that carry a ``style`` attribute (style-src 'self' blocks
    them); only called when there are errors."""
    page = browsing.context.new_page()
    page.goto(DASHBOARD)
    styled = page.locator("[style]").evaluate_all("all => all.map(e => e.outerHTML.slice(0, 100))")
    page.close()
    return (f"Content Security Policy violations ({len(browsing.csp_errors)}), e.g. {browsing.csp_errors[:1]}; "
            f"the dashboard's {len(styled)} elements with an inline style, e.g. {styled[:3]}")


def rows_of_list(page) -> list[str]:
    return page.locator("main table tbody tr th[scope=row]").all_inner_texts()


@pytest.fixture
def reports(site, report_world, monkeypatch):  # noqa: F811 (the imported fixture)
    """``report_world`` committed for the live server, and its snapshot built; the process's cached facts of an
    earlier test's snapshot are forgotten (their ids may come back after a rollback)."""
    assert report_world is site
    monkeypatch.setattr(selectors, "_loaded", None)
    services.refresh_snapshot()
    return site


def test_the_national_dashboard_its_keyboard_filter_and_its_lists(browsing, reports):
    w = reports
    b = browsing()
    page = b.page
    axe, failures = Axe(), []
    log_in(page, w.admin.username)
    page.goto(DASHBOARD)
    language = language_of(page)
    assert page.locator("main h1").inner_text() == t("National dashboard", language)
    figures = headline(page)
    assert {label: figures[label] for label in NATIONAL} == NATIONAL, figures
    for label in figures:
        assert kpi_link(page, label).count() == (0 if label in UNLINKED else 1), f"the figure {label!r}"
    assert kpi_link(page, "People covered (distinct)").get_attribute("href") == f"/reports/people/?year={YEAR}"
    check_map(page, linked=("KZ-10", "KZ-19"))
    assert page.locator("#id_region").count() == 1
    screenshot(page, "reports-national.png")
    axe_check(page, axe, "national dashboard", failures)

    # The headline figure leads to the list of the people behind it: as many as it says.
    with page.expect_navigation():
        kpi_link(page, "People covered (distinct)").click()
    assert path_of(page) == f"/reports/people/?year={YEAR}"
    assert sorted(rows_of_list(page)) == sorted(p.surname for p in (w.member1, w.member2, w.mover, w.chair,
                                                                    w.abai_member))
    axe_check(page, axe, "people list", failures)
    with page.expect_navigation():
        page.get_by_role("link", name=t("Back to the dashboard", language)).click()
    assert path_of(page) == DASHBOARD

    # The filter with the keyboard only: Tab to the region, choose KZ-19 with the arrow keys, Tab to "Show", Enter.
    tab_to(page, "#id_region")
    for _ in range(30):
        if page.locator("#id_region").input_value() == "KZ-19":
            break
        page.keyboard.press("ArrowDown")
    assert page.locator("#id_region").input_value() == "KZ-19"
    tab_to(page, "form.filters button[type=submit]", limit=5)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "region=KZ-19" in path_of(page) and f"year={YEAR}" in path_of(page)
    assert page.locator("#id_region").input_value() == "KZ-19"
    figures = headline(page)
    assert {label: figures[label] for label in ALMATY} == ALMATY, figures
    almaty = Region.objects.get(iso_code="KZ-19")
    with translation.override(language):
        assert almaty.name in page.locator("main p[role=status]").inner_text()
    check_map(page)
    screenshot(page, "reports-national-kz19.png")
    axe_check(page, axe, "national dashboard, KZ-19", failures)

    with page.expect_navigation():
        kpi_link(page, "People covered (distinct)").click()
    assert path_of(page) == f"/reports/people/?year={YEAR}&region=KZ-19"
    assert sorted(rows_of_list(page)) == sorted(p.surname for p in (w.member1, w.member2, w.mover, w.chair))

    assert not failures, "axe found accessibility violations:\n" + "\n".join(failures)
    assert not b.csp_errors, csp_report(b)


def test_the_regional_dashboard_in_kazakh_and_russian(browsing, reports):
    w = reports
    b = browsing()
    page = b.page
    axe, failures = Axe(), []
    log_in(page, w.coordinator.username)
    almaty = Region.objects.get(iso_code="KZ-19")
    for language in ("kk", "ru"):
        page.goto(DASHBOARD)
        choose_language(page, language)
        assert path_of(page) == DASHBOARD
        with translation.override(language):
            heading = gettext("Regional dashboard: %(region)s") % {"region": almaty.name}
        assert page.locator("main h1").inner_text() == heading
        assert page.locator("main form.filters select[name=region], #id_region").count() == 0
        figures = headline(page)
        assert {label: figures[label] for label in ALMATY} == ALMATY, (language, figures)
        check_map(page)
        screenshot(page, f"reports-regional-{language}.png")
        axe_check(page, axe, f"regional dashboard ({language})", failures)

        # Asking for another region changes nothing: the coordinator's region is forced.
        page.goto(f"{DASHBOARD}&region=KZ-10")
        assert page.locator("main h1").inner_text() == heading
        assert headline(page)["People covered (distinct)"] == "4"
        with page.expect_navigation():
            kpi_link(page, "People covered (distinct)").click()
        assert len(rows_of_list(page)) == 4
        axe_check(page, axe, f"people list ({language})", failures)

    assert not failures, "axe found accessibility violations:\n" + "\n".join(failures)
    assert not b.csp_errors, csp_report(b)


def test_the_national_dashboard_fits_an_old_phone(browsing, reports):
    phone = browsing(**PHONE)
    page = phone.page
    log_in(page, reports.admin.username)
    page.goto(DASHBOARD)
    assert headline(page)["People covered (distinct)"] == "5"
    sizes = page.evaluate("({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
                          " inner: window.innerWidth})")
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'))
        .slice(0, 10).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                          + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '')
                          + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')""")
    screenshot(page, "reports-phone.png")
    assert sizes["inner"] == 360
    assert sizes["doc"] <= sizes["inner"] + 1, f"the page scrolls sideways: {sizes}; too wide: {wide}"
    assert sizes["body"] <= sizes["inner"] + 1, f"the page scrolls sideways: {sizes}; too wide: {wide}"
    # The wide tables scroll inside their wrapper, not the page.
    assert page.locator("main .table-wrap table").count() > 0
    assert not phone.csp_errors, csp_report(phone)
