"""The library and the coordinators' pages in a real browser: search (with a keyboard only), a material with its
versions and its printable article, what changed since the last campaign, the course editor, enrolling a cohort
and the progress page. axe-core checks each, in Kazakh and Russian."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from saylau.courses import services
from saylau.courses.models import LessonKind
from saylau.courses.tests.conftest import article

from .conftest import choose_language, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def library(site):
    first = article(site.admin)
    services.material_new_version(by=site.admin, material=first, version={
        "body_ru": "# Списки избирателей\n\n1. Уточнение списков.\n2. Ознакомление.\n\n> Совет участковой комиссии.",
        "change_note": "учтены поправки"})
    course = services.course_create(by=site.admin, title_kk="Курс", title_ru="Курс", commission=site.cec,
                                    open_enrolment=True)
    module = services.module_add(by=site.admin, course=course, title_kk="Модуль", title_ru="Модуль")
    services.lesson_add(by=site.admin, module=module, kind=LessonKind.MATERIAL, material=first)
    services.course_set_status(by=site.admin, course=course, status="published")
    services.cohort_enrol(by=site.admin, course=course, name="c", people=[site.member1, site.member2])
    return first, course


def violations(page, axe, label, failures):
    results = axe.run(page)
    if results.violations_count:
        failures.append(f"--- {label} ({page.url}) ---\n{results.generate_report()}")


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_library_and_coordinator_pages_pass_axe(browsing, site, library, language):
    material, course = library
    page = browsing().page
    axe, failures = Axe(), []
    log_in(page, "coordinator")
    choose_language(page, language)

    page.goto("/library/")
    # Search with the keyboard only: the field is reachable and Enter submits.
    page.locator("#id_q").focus()
    page.keyboard.type("сайлаушылардың")
    page.keyboard.press("Enter")
    page.wait_for_url("**/library/?q=*")
    assert page.locator("ul.cards li").count() == 1
    violations(page, axe, "library search", failures)

    for path in (f"/library/{material.pk}/", f"/library/{material.pk}/v1/", "/library/changes/",
                 f"/library/{material.pk}/print/?lang=ru", "/library/new/", f"/courses/{course.pk}/",
                 f"/courses/{course.pk}/enrol/", f"/courses/{course.pk}/progress/"):
        response = page.goto(path)
        assert response.status == 200, path
        violations(page, axe, path, failures)
    assert page.get_by_text("Омарова").count() == 1  # the progress page lists the region's learners

    page = browsing().page
    log_in(page, "admin")
    choose_language(page, language)
    page.goto(f"/courses/{course.pk}/editor/")
    violations(page, axe, "editor", failures)
    assert not failures, "\n".join(failures)
