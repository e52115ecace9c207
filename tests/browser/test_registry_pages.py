"""The registry in a real browser: login, languages, the tree with and without JavaScript, keyboard use,
accessibility (axe-core) in Kazakh and Russian, a phone-sized screen, and screenshots for review.

UI labels are being translated in parallel, so assertions rely on structure, ``lang`` attributes and
data (commission names stored per language), never on translated labels.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import ARTIFACTS, PASSWORD, choose_language, log_in

pytestmark = pytest.mark.browser

LANGUAGE_COOKIE = "django_language"


def html_lang(page):
    return page.evaluate("document.documentElement.lang")


def path_of(page):
    return re.sub(r"^https?://[^/]+", "", page.url)


def set_language_cookie(context, base_url, code):
    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": code, "url": base_url}])


# --- (1) Login -----------------------------------------------------------------------------------

def test_coordinator_logs_in_with_username_and_lands_on_home(page, site):
    log_in(page, "coordinator")

    assert path_of(page) == "/"
    assert page.locator("main h1").count() == 1
    # The header knows who is logged in and offers the registry menu.
    assert "coordinator" in page.locator("header .who").inner_text()
    assert page.locator('header nav a[href="/registry/"]').is_visible()
    # The coordinator's view starts at their regional TEC (name in Kazakh, the default language).
    home_links = page.locator("main .cards a")
    assert home_links.all_inner_texts() == [site.regional.name_kk]


def test_wrong_password_stays_on_login_page_with_an_alert(page, site):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("coordinator")
    page.locator("#id_password").fill("not-the-password")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert path_of(page).startswith("/accounts/login/")
    assert page.locator('main [role="alert"]').is_visible()


# --- (2) Languages -------------------------------------------------------------------------------

def test_language_switch_changes_lang_is_remembered_and_shows_names_in_that_language(browsing, site):
    b = browsing(locale="en-US")  # the browser asks for English; the platform still starts in Kazakh
    page = b.page
    page.goto("/accounts/login/")
    assert html_lang(page) == "kk"
    log_in(page, "coordinator")
    commission_path = f"/registry/c/{site.tec.pk}/"
    page.goto(commission_path)
    heading = page.locator("main h1")
    current = page.locator('header form.lang button[aria-current="true"]')

    assert html_lang(page) == "kk"
    assert heading.inner_text() == "Қонаев қалалық АСК"
    assert current.get_attribute("value") == "kk"

    choose_language(page, "ru")
    assert path_of(page) == commission_path, "the switch returns to the same page"
    assert html_lang(page) == "ru"
    assert heading.inner_text() == "Конаевская ТИК"
    assert current.get_attribute("value") == "ru"
    assert {c["name"]: c["value"] for c in b.context.cookies()}[LANGUAGE_COOKIE] == "ru"

    # Remembered: a fresh load of another page, and of the same page, stays in Russian.
    page.goto("/")
    assert html_lang(page) == "ru"
    assert page.locator("main .cards a").all_inner_texts() == [site.regional.name_ru]
    page.goto(commission_path)
    assert html_lang(page) == "ru"
    assert heading.inner_text() == "Конаевская ТИК"
    # The children of the commission are named in Russian too.
    assert "УИК №1" in page.locator("main ul.tree").inner_text()

    choose_language(page, "en")
    assert html_lang(page) == "en"
    assert heading.inner_text() == "Konaev City TEC"
    page.reload()
    assert html_lang(page) == "en"

    choose_language(page, "kk")
    assert html_lang(page) == "kk"
    assert heading.inner_text() == "Қонаев қалалық АСК"
    # Each language button announces its own language to screen readers.
    for code in ("kk", "ru", "en"):
        assert page.locator(f'header form.lang button[value="{code}"]').get_attribute("lang") == code


# --- (3) The tree ----------------------------------------------------------------------------------

def test_tree_loads_children_in_place_and_leads_to_members(page, site):
    log_in(page, "coordinator")
    page.goto("/registry/")
    node = page.locator(f'main details[data-children-url="/registry/c/{site.regional.pk}/children/"]')
    assert node.count() == 1
    assert node.get_attribute("open") is None
    child_link = node.locator(f'a[href="/registry/c/{site.tec.pk}/"]')
    assert child_link.count() == 0, "children are not in the page before the node is opened"

    # Open the node: the children arrive by fetch, in place.
    with page.expect_response(lambda r: r.url.endswith(f"/registry/c/{site.regional.pk}/children/")) as response:
        node.locator(":scope > summary").click()
    assert response.value.status == 200
    assert response.value.request.headers.get("x-fragment") == "1"
    child_link.wait_for()
    assert path_of(page) == "/registry/"
    assert node.get_attribute("open") is not None
    assert child_link.inner_text() == site.tec.name_kk
    # The no-JavaScript link was replaced by the loaded children.
    assert node.locator(f':scope > ul a[href="/registry/c/{site.regional.pk}/children/"]').count() == 0
    assert node.locator(":scope > ul").get_attribute("aria-busy") is None

    # Closing and reopening does not fetch again.
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if "/children/" in request.url else None)
    summary = node.locator(":scope > summary")
    summary.click()
    assert node.get_attribute("open") is None
    summary.click()
    assert node.get_attribute("open") is not None
    page.wait_for_timeout(200)
    assert fetched == []
    assert child_link.count() == 1

    child_link.click()
    page.wait_for_url(f"**/registry/c/{site.tec.pk}/")
    assert page.locator("main h1").inner_text() == site.tec.name_kk
    members = page.locator("main .table-wrap table").first
    assert site.chair.full_name in members.inner_text()
    # From the commission to the person.
    members.get_by_role("link", name=site.chair.full_name).click()
    page.wait_for_url(f"**/registry/p/{site.chair.pk}/")
    assert page.locator("main h1").inner_text() == site.chair.full_name


def test_tree_works_without_javascript(browsing, site):
    page = browsing(java_script_enabled=False).page
    log_in(page, "coordinator")
    page.goto("/registry/")
    node = page.locator(f'main details[data-children-url="/registry/c/{site.regional.pk}/children/"]')
    node.locator(":scope > summary").click()  # <details> opens natively
    assert node.get_attribute("open") is not None
    # Nothing is fetched; the fallback link leads to a page listing the children.
    fallback = node.locator(f':scope > ul a[href="/registry/c/{site.regional.pk}/children/"]')
    assert fallback.is_visible()
    fallback.click()
    page.wait_for_url(f"**/registry/c/{site.regional.pk}/children/")
    assert page.locator("main h1").inner_text() == site.regional.name_kk
    assert page.locator("header").count() == 1, "the fallback is a full page"

    page.locator(f'main a[href="/registry/c/{site.tec.pk}/"]').first.click()
    page.wait_for_url(f"**/registry/c/{site.tec.pk}/")
    assert page.locator("main h1").inner_text() == site.tec.name_kk
    assert site.chair.full_name in page.locator("main table").first.inner_text()

    # The language switch is a plain form: it works without JavaScript as well.
    page.locator('header form.lang button[value="ru"]').click()
    page.wait_for_load_state()
    assert html_lang(page) == "ru"
    assert page.locator("main h1").inner_text() == site.tec.name_ru


# --- (4) Keyboard --------------------------------------------------------------------------------

def active_element(page):
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return {tag: e.tagName.toLowerCase(), id: e.id, cls: e.className, href: e.getAttribute('href')}; })()"
    )


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, site):
    log_in(page, "coordinator")
    for path in ("/", "/registry/", f"/registry/c/{site.tec.pk}/", "/registry/members/"):
        page.goto(path)
        page.keyboard.press("Tab")
        focused = active_element(page)
        assert (focused["cls"], focused["href"]) == ("skip", "#main"), f"{path}: first Tab went to {focused}"
        # Visible when focused, inside the viewport.
        box = page.locator("a.skip").bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0
        page.keyboard.press("Enter")
        assert active_element(page)["id"] == "main", path
        # The next Tab lands inside main, past the header.
        page.keyboard.press("Tab")
        assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), path


def test_login_form_by_keyboard_only_with_iin(page, site):
    page.goto("/accounts/login/")
    # The username field has autofocus; nothing is clicked from here on.
    assert active_element(page)["id"] == "id_username"
    page.keyboard.type(site.member1.iin)
    page.keyboard.press("Tab")
    assert active_element(page)["id"] == "id_password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert path_of(page) == "/"
    assert page.locator("header .who").inner_text().startswith("participant")


def test_tree_node_opens_with_the_keyboard(page, site):
    log_in(page, "coordinator")
    page.goto("/registry/")
    node = page.locator(f'main details[data-children-url="/registry/c/{site.regional.pk}/children/"]')
    node.locator(":scope > summary").focus()
    page.keyboard.press("Space")
    node.locator(f'a[href="/registry/c/{site.tec.pk}/"]').wait_for()
    assert node.get_attribute("open") is not None


# --- (5) Accessibility -----------------------------------------------------------------------------

BAD_IIN_CSV = (
    "iin,surname,first name,patronymic,commission,position,basis\n"
    "123456789012,Тестов,Тест,Тестұлы,TEC-19-01,member,non_permanent\n"
)


def _axe_check(page, axe, label, failures):
    results = axe.run(page)
    if results.violations_count:
        print(results.generate_report())
        failures.append(f"--- {label} ({path_of(page)}, lang={html_lang(page)}) ---\n{results.generate_report()}")


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_pages_have_no_axe_violations(browsing, site, language):
    b = browsing()
    page = b.page
    set_language_cookie(b.context, site.url, language)
    axe = Axe()
    failures = []

    page.goto("/accounts/login/")
    assert html_lang(page) == language
    _axe_check(page, axe, "login", failures)
    page.goto("/accounts/activate/")
    _axe_check(page, axe, "activate", failures)
    # The activation form with errors (an IIN too short, no code).
    page.locator("#id_iin").fill("123")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    _axe_check(page, axe, "activate with errors", failures)
    # The login form with a wrong password.
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("coordinator")
    page.locator("#id_password").fill("wrong-password")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    _axe_check(page, axe, "login with error", failures)

    log_in(page, "coordinator")
    assert html_lang(page) == language
    _axe_check(page, axe, "home", failures)

    page.goto("/registry/")
    _axe_check(page, axe, "registry tree", failures)
    node = page.locator(f'main details[data-children-url="/registry/c/{site.regional.pk}/children/"]')
    node.locator(":scope > summary").click()
    node.locator(f'a[href="/registry/c/{site.tec.pk}/"]').wait_for()
    _axe_check(page, axe, "registry tree, node opened", failures)
    page.goto("/registry/?q=TEC-19")
    _axe_check(page, axe, "registry search results", failures)
    page.goto(f"/registry/c/{site.regional.pk}/children/")
    _axe_check(page, axe, "children page (no-JS fallback)", failures)

    page.goto(f"/registry/c/{site.tec.pk}/")
    _axe_check(page, axe, "commission", failures)
    page.goto(f"/registry/p/{site.chair.pk}/")
    _axe_check(page, axe, "person", failures)
    page.goto("/registry/members/")
    _axe_check(page, axe, "members", failures)
    page.goto("/accounts/invitations/")
    _axe_check(page, axe, "invitations", failures)
    page.goto("/audit/")
    _axe_check(page, axe, "audit", failures)

    page.goto("/registry/import/")
    _axe_check(page, axe, "import", failures)
    page.locator("main form button[type=submit]").click()  # no file: the form shows its error
    page.wait_for_load_state()
    assert page.locator("main .has-error").count() == 1
    _axe_check(page, axe, "import without a file", failures)
    page.locator('main input[type="file"]').set_input_files(
        {"name": "members.csv", "mimeType": "text/csv", "buffer": BAD_IIN_CSV.encode()}
    )
    with page.expect_response(lambda r: r.url.endswith("/registry/import/") and r.request.method == "POST") as resp:
        page.locator("main form button[type=submit]").click()
    assert resp.value.status == 422
    page.wait_for_load_state()
    problems = page.locator("main table tbody tr")
    assert problems.count() >= 1
    assert "iin" in problems.first.inner_text().lower() or "ИИН" in problems.first.inner_text()
    assert page.locator('main form[action*="/confirm/"]').count() == 0, "a file with problems cannot be confirmed"
    _axe_check(page, axe, "import preview with errors", failures)

    assert not failures, "axe found accessibility violations:\n" + "\n".join(failures)


# --- (6) Phone-sized screen ------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["kk", "ru"])
def test_no_horizontal_overflow_on_a_phone(browsing, site, language):
    b = browsing(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = b.page
    set_language_cookie(b.context, site.url, language)
    log_in(page, "coordinator")
    for path in ("/registry/members/", "/registry/", f"/registry/c/{site.regional.pk}/children/",
                 f"/registry/c/{site.tec.pk}/", f"/registry/p/{site.chair.pk}/", "/registry/import/",
                 "/accounts/invitations/", "/audit/", "/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360 + 1, f"{path}: the page is {width}px wide on a 360px screen"
    page.goto("/registry/members/")
    # The table scrolls inside its wrapper instead of widening the page.
    wrap = page.locator("main .table-wrap").first
    assert wrap.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    assert wrap.evaluate("e => e.clientWidth") <= 360


# --- (7) Screenshots -------------------------------------------------------------------------------

def test_screenshots_of_tree_and_commission(page, site):
    ARTIFACTS.mkdir(exist_ok=True)
    tree_png = ARTIFACTS / "registry-tree.png"
    commission_png = ARTIFACTS / "commission.png"
    for path in (tree_png, commission_png):
        path.unlink(missing_ok=True)

    log_in(page, "coordinator")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/registry/")
    node = page.locator(f'main details[data-children-url="/registry/c/{site.regional.pk}/children/"]')
    node.locator(":scope > summary").click()
    node.locator(f'a[href="/registry/c/{site.tec.pk}/"]').wait_for()
    page.screenshot(path=str(tree_png), full_page=True)
    page.goto(f"/registry/c/{site.tec.pk}/")
    page.screenshot(path=str(commission_png), full_page=True)

    for path in (tree_png, commission_png):
        assert path.is_file(), path
        data = path.read_bytes()
        assert len(data) > 1000, path
        assert data[:8] == b"\x89PNG\r\n\x1a\n", path


def test_editing_pages_have_no_axe_violations(browsing, site):
    """The registry editing forms and the user administration, empty and with errors (Kazakh)."""
    page = browsing().page
    axe = Axe()
    failures = []
    log_in(page, "coordinator")
    for label, path in (
        ("commission edit", f"/registry/c/{site.tec.pk}/edit/"),
        ("commission add child", f"/registry/c/{site.tec.pk}/add/"),
        ("person edit", f"/registry/p/{site.chair.pk}/edit/"),
        ("registry search finding people", "/registry/?q=Ахметов"),
    ):
        response = page.goto(path)
        assert response.status == 200, path
        _axe_check(page, axe, label, failures)
    # The new-commission form sent empty shows its errors.
    page.goto(f"/registry/c/{site.tec.pk}/add/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("main .has-error, main [role=alert]").count() >= 1
    _axe_check(page, axe, "commission add child with errors", failures)

    page.context.clear_cookies()
    log_in(page, "admin")
    for label, path in (("users", "/accounts/users/"), ("user access", f"/accounts/users/{site.coordinator.pk}/")):
        response = page.goto(path)
        assert response.status == 200, path
        _axe_check(page, axe, label, failures)

    assert not failures, "axe found accessibility violations:\n" + "\n".join(failures)
