"""Training in a real browser: the cascade scenario end to end (a territorial event under a republican training
of trainers, its two-day programme, enrolment by a registry filter, an accredited trainer marking the roster),
accessibility (axe-core) of the training pages in Kazakh and Russian, a phone-sized screen, and the plain forms
without JavaScript.

UI labels are translated (Kazakh by default), so elements are found by names, ids and links; assertions rely on
data stored per language (titles, names) and on the database.
"""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from conftest import make_iin
from saylau.commissions import iin as iin_rules
from saylau.commissions.models import Basis, Membership, Person, Position
from saylau.training import services
from saylau.training.models import (
    Accreditation,
    Attendance,
    Audience,
    Enrolment,
    EnrolmentStatus,
    Event,
    EventStatus,
    EventTrainer,
    Session,
)

from .conftest import choose_language, log_in

pytestmark = pytest.mark.browser

DAY = datetime.timedelta(days=1)
LANGUAGE_COOKIE = "django_language"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}

NEW_EVENT_KK = "Қонаев қ. учаскелік комиссияларына арналған каскадтық семинар"
NEW_EVENT_RU = "Каскадный семинар для участковых комиссий г. Конаев"


def path_of(page):
    return re.sub(r"^https?://[^/]+", "", page.url)


def html_lang(page):
    return page.evaluate("document.documentElement.lang")


def set_language_cookie(context, base_url, code):
    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": code, "url": base_url}])


def submit(page, locator):
    """Press a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state()


# --- Data made in Python -----------------------------------------------------------------------------

@pytest.fixture
def tot(site):
    """A republican training of trainers by the CEC, held two months ago. The person who completed it is
    accredited as a trainer in KZ-19 (they sit on the regional TEC) and is the ``trainer`` user's person."""
    today = timezone.localdate()
    event = services.event_create(
        by=site.admin, title_kk="Тренерлерді даярлау: республикалық курс", title_ru="Подготовка тренеров: республиканский курс",
        kind="training", level="republican", organiser=site.cec, starts_on=today - 60 * DAY, ends_on=today - 59 * DAY,
        trains_trainers=True, audiences=[Audience.objects.get(code="trainers")],
    )
    session = services.session_create(
        by=site.admin, event=event, day=event.starts_on, starts_at=datetime.time(10), ends_at=datetime.time(17),
        title_kk="Ересектерді оқыту әдістемесі", title_ru="Методика обучения взрослых",
    )
    iin = make_iin(700, year=1972, sex="f")
    facts = iin_rules.parse(iin)[1]
    trainer = Person.objects.create(iin=iin, surname="Жұмабаева", first_name="Сәуле", patronymic="Қайратқызы",
                                    birth_date=facts.birth_date, sex=facts.sex, email="trainer@example.kz")
    Membership.objects.create(person=trainer, commission=site.regional, position=Position.MEMBER,
                              basis=Basis.PERMANENT, term_start=datetime.date(2021, 4, 1))
    services.enrol_list(by=site.admin, event=event, people=[trainer])
    services.attendance_mark(by=site.admin, session=session, person=trainer, present=True)
    issued = services.event_close(by=site.admin, event=event)
    assert [a.person_id for a in issued] == [trainer.pk]
    accreditation = Accreditation.objects.get(person=trainer)
    assert accreditation.region == site.almaty_region and accreditation.valid_until > today + 2 * DAY
    site.trainer.person = trainer
    site.trainer.save()
    event.refresh_from_db()
    assert event.status == EventStatus.HELD and event.region is None
    event.trainer_person = trainer
    return event


@pytest.fixture
def cascade(site, tot):
    """The state the scenario reaches, made in Python: the Konaev seminar under the ToT, two days from tomorrow,
    three sessions, member1 and member2 enrolled, the accredited trainer assigned (a second one is not), member1
    present at the first session; a roadmap item for it and a coverage target for the year."""
    tomorrow = timezone.localdate() + DAY
    precinct_members = Audience.objects.get(code="precinct_members")
    roadmap = services.roadmap_create(by=site.admin, year=tomorrow.year, resolution_number="12/345",
                                      resolution_date=datetime.date(tomorrow.year, 1, 15))
    item = services.roadmap_item_create(
        by=site.admin, roadmap=roadmap, title_kk="Учаскелік комиссия мүшелерін каскадтық оқыту",
        title_ru="Каскадное обучение членов участковых комиссий", kind="seminar", level="territorial",
        planned_month=tomorrow.month, responsible=site.regional, planned_participants=40,
        audiences=[precinct_members],
    )
    services.coverage_target_set(by=site.admin, year=tomorrow.year, region=site.almaty_region,
                                 audience=precinct_members, target=40)
    event = services.event_create(
        by=site.coordinator, title_kk=NEW_EVENT_KK, title_ru=NEW_EVENT_RU, kind="seminar", format="in_person",
        level="territorial", organiser=site.tec, starts_on=tomorrow, ends_on=tomorrow + DAY, parent=tot,
        venue_address="Қонаев қ., Абай к-сі 1", venue_room="204", capacity=30, languages=["kk", "ru"],
        roadmap_item=item, audiences=[precinct_members], trainers=[tot.trainer_person],
    )
    sessions = [
        services.session_create(
            by=site.coordinator, event=event, day=day, starts_at=start, ends_at=end, title_kk=kk, title_ru=ru,
            topic=topic, method=method, speakers=speakers,
        )
        for day, start, end, kk, ru, topic, method, speakers in (
            (tomorrow, datetime.time(9), datetime.time(10, 30), "Сайлау комиссиясының жұмысын ұйымдастыру",
             "Организация работы избирательной комиссии", "1-модуль", "lecture", [{"person": site.chair}]),
            (tomorrow, datetime.time(11), datetime.time(12, 30), "Байқаушылармен және БАҚ-пен жұмыс",
             "Работа с наблюдателями и СМИ", "", "practical_case",
             [{"name": "Әлия Нұрланқызы", "organisation": "Электоралдық оқыту орталығы", "position": "тренер"}]),
            (tomorrow + DAY, datetime.time(9), datetime.time(12), "Дауыс беру күні: практикум",
             "День голосования: практикум", "2-модуль", "facilitation", []),
        )
    ]
    services.enrol_list(by=site.coordinator, event=event, people=[site.member1, site.member2])
    services.attendance_mark(by=site.coordinator, session=sessions[0], person=site.member1, present=True)
    # A second accredited trainer, not yet assigned: the event page offers the "Assign" form.
    iin = make_iin(701, year=1981)
    facts = iin_rules.parse(iin)[1]
    second = Person.objects.create(iin=iin, surname="Серікбаев", first_name="Дәурен", birth_date=facts.birth_date,
                                   sex=facts.sex)
    Accreditation.objects.create(person=second, event=tot, region=site.almaty_region, issued_on=tot.ends_on,
                                 valid_until=tot.ends_on + 700 * DAY)
    event.s1, event.s2, event.s3 = sessions
    return event


# --- (1) The scenario --------------------------------------------------------------------------------

def test_coordinator_builds_a_cascade_event_and_the_accredited_trainer_marks_the_roster(browsing, site, tot):
    tomorrow = timezone.localdate() + DAY
    day_after = tomorrow + DAY
    coordinator = browsing().page
    log_in(coordinator, "coordinator")

    # The new event, organised by Konaev TEC, one level of the cascade below the republican ToT.
    coordinator.goto("/training/")
    submit(coordinator, coordinator.locator('main a[href="/training/new/"]'))
    assert path_of(coordinator) == "/training/new/"
    form = coordinator.locator("main form")
    form.locator("#id_title_kk").fill(NEW_EVENT_KK)
    form.locator("#id_title_ru").fill(NEW_EVENT_RU)
    form.locator("#id_kind").select_option("seminar")
    form.locator("#id_format").select_option("in_person")
    form.locator("#id_level").select_option("territorial")
    form.locator("#id_starts_on").fill(tomorrow.isoformat())
    form.locator("#id_ends_on").fill(day_after.isoformat())
    form.locator("#id_organiser").select_option(str(site.tec.pk))
    form.locator("#id_venue_address").fill("Қонаев қ., Абай к-сі 1")
    form.locator(f'input[name="audiences"][value="{Audience.objects.get(code="precinct_members").pk}"]').check()
    assert form.locator('input[name="languages"]:checked').count() == 2, "both languages are ticked by default"
    # The ToT is offered as a parent (the coordinator sees national events).
    assert form.locator(f'#id_parent option[value="{tot.pk}"]').count() == 1
    form.locator("#id_parent").select_option(str(tot.pk))
    submit(coordinator, form.locator("button[type=submit]"))

    event = Event.objects.get(title_kk=NEW_EVENT_KK)
    assert path_of(coordinator) == f"/training/{event.pk}/"
    assert (event.parent_id, event.organiser_id, event.region_id, event.level) == (
        tot.pk, site.tec.pk, site.almaty_region.pk, "territorial")
    assert (event.starts_on, event.ends_on, event.created_by_id) == (tomorrow, day_after, site.coordinator.pk)
    assert coordinator.locator("main h1").inner_text() == NEW_EVENT_KK
    assert coordinator.locator("main .messages .success").count() == 1
    assert coordinator.locator(f'main dl.facts a[href="/training/{tot.pk}/"]').inner_text() == tot.title_kk

    # A two-day programme through the session form: "Save and add another", then "Save".
    submit(coordinator, coordinator.locator(f'main a[href="/training/{event.pk}/sessions/new/"]'))
    form = coordinator.locator("main form")
    assert form.locator("#id_day").input_value() == tomorrow.isoformat(), "the first day is suggested"
    form.locator("#id_starts_at").fill("09:00")
    form.locator("#id_ends_at").fill("10:30")
    form.locator("#id_title_kk").fill("Сайлау комиссиясының жұмысын ұйымдастыру")
    form.locator("#id_title_ru").fill("Организация работы избирательной комиссии")
    form.locator("#id_topic").fill("1-модуль")
    form.locator("#id_speaker_name").fill("Әлия Нұрланқызы")
    form.locator("#id_speaker_organisation").fill("Электоралдық оқыту орталығы")
    submit(coordinator, form.locator('button[name="another"]'))
    assert path_of(coordinator) == f"/training/{event.pk}/sessions/new/"
    assert coordinator.locator("main .messages .success").count() == 1
    form = coordinator.locator("main form")
    form.locator("#id_day").fill(day_after.isoformat())
    form.locator("#id_starts_at").fill("14:00")
    form.locator("#id_ends_at").fill("17:00")
    form.locator("#id_title_kk").fill("Дауыс беру күні: практикум")
    form.locator("#id_title_ru").fill("День голосования: практикум")
    form.locator("#id_method").select_option("facilitation")
    submit(coordinator, form.locator("button[type=submit]:not([name])"))
    assert path_of(coordinator) == f"/training/{event.pk}/"
    sessions = list(event.sessions.order_by("day", "starts_at"))
    assert [(s.day, s.starts_at, s.method) for s in sessions] == [
        (tomorrow, datetime.time(9), "lecture"), (day_after, datetime.time(14), "facilitation")]
    assert [sp.name for sp in sessions[0].speakers.all()] == ["Әлия Нұрланқызы"]
    days = coordinator.locator("main h3")
    assert days.count() == 2
    assert days.nth(0).inner_text().startswith(tomorrow.isoformat())
    assert days.nth(1).inner_text().startswith(day_after.isoformat())
    programme = coordinator.locator("main .table-wrap table").first.inner_text()
    assert "09:00–10:30" in programme and "Сайлау комиссиясының жұмысын ұйымдастыру" in programme

    # The trainer cannot open a roster before being assigned to the event.
    trainer = browsing().page
    log_in(trainer, "trainer")
    assert trainer.goto(f"/training/sessions/{sessions[0].pk}/roster/").status == 403

    # Enrolment by a registry filter: precinct commissions under Konaev TEC. Count first, then confirm.
    submit(coordinator, coordinator.locator(f'main a[href="/training/{event.pk}/enrol/"]'))
    by_filter = coordinator.locator('main form:has(input[name="by_filter"])')
    by_filter.locator("#id_under").select_option(str(site.tec.pk))
    by_filter.locator('input[name="level"][value="precinct"]').check()
    assert by_filter.locator('button[name="confirm"]').count() == 0, "nothing to confirm before counting"
    submit(coordinator, by_filter.locator("button[type=submit]:not([name])"))
    by_filter = coordinator.locator('main form:has(input[name="by_filter"])')
    preview = by_filter.locator('[role="status"]')
    assert re.search(r"\b2\b", preview.inner_text()), preview.inner_text()
    assert not Enrolment.objects.filter(event=event).exists(), "counting enrols nobody"
    # The filter is kept for the confirmation.
    assert by_filter.locator("#id_under").input_value() == str(site.tec.pk)
    assert by_filter.locator('input[name="level"][value="precinct"]').is_checked()
    submit(coordinator, by_filter.locator('button[name="confirm"]'))
    assert path_of(coordinator) == f"/training/{event.pk}/"
    enrolled = Enrolment.objects.filter(event=event, status=EnrolmentStatus.ENROLLED)
    assert sorted(enrolled.values_list("person_id", flat=True)) == sorted([site.member1.pk, site.member2.pk])
    participants = coordinator.locator("main table").filter(
        has=coordinator.locator(f'a[href="/registry/p/{site.member1.pk}/"]'))
    assert participants.count() == 1
    names = participants.locator("tbody tr td:first-child").all_inner_texts()
    assert sorted(names) == sorted([site.member1.full_name, site.member2.full_name])
    assert site.chair.full_name not in names, "the TEC's own chair sits on no precinct commission"

    # The coordinator assigns the accredited trainer (only accredited people are offered).
    assign = coordinator.locator(f'main form[action="/training/{event.pk}/trainers/"]')
    assert assign.locator('select[name="person"] option').all_inner_texts() == [tot.trainer_person.full_name]
    assign.locator('select[name="person"]').select_option(str(tot.trainer_person.pk))
    submit(coordinator, assign.locator("button[type=submit]"))
    assert path_of(coordinator) == f"/training/{event.pk}/"
    assert list(EventTrainer.objects.filter(event=event).values_list("person_id", flat=True)) == [
        tot.trainer_person.pk]
    assert tot.trainer_person.full_name in coordinator.locator("main").inner_text()

    # The trainer, in their own browser, opens the roster from the event page and taps two people present.
    trainer.goto(f"/training/{event.pk}/")
    roster_link = trainer.locator(f'main a[href="/training/sessions/{sessions[0].pk}/roster/"]')
    assert trainer.locator('main a[href*="/roster/"]').count() == 2, "a roster link per session"
    submit(trainer, roster_link)
    assert path_of(trainer) == f"/training/sessions/{sessions[0].pk}/roster/"
    buttons = trainer.locator("main ul.roster button")
    assert buttons.count() == 2
    assert buttons.evaluate_all("bs => bs.map(b => b.getAttribute('aria-pressed'))") == ["false", "false"]
    for person in (site.member1, site.member2):
        submit(trainer, trainer.locator(f"main ul.roster li#p{person.pk} button"))
        assert trainer.url.endswith(f"/training/sessions/{sessions[0].pk}/roster/#p{person.pk}")
        button = trainer.locator(f"main ul.roster li#p{person.pk} button")
        assert button.get_attribute("aria-pressed") == "true"
        assert trainer.locator(f"main ul.roster li#p{person.pk}").get_attribute("class") == "present"
    assert buttons.evaluate_all("bs => bs.map(b => b.getAttribute('aria-pressed'))") == ["true", "true"]
    assert re.search(r"\b2\b.*\b2\b", trainer.locator('main > p[role="status"]').inner_text())
    marks = Attendance.objects.filter(session=sessions[0])
    assert sorted(marks.values_list("person_id", flat=True)) == sorted([site.member1.pk, site.member2.pk])
    assert set(marks.values_list("marked_by_id", "method")) == {(site.trainer.pk, "roster")}

    # The cascade of the ToT shows the new event nested under it, with its trainer and attendance.
    coordinator.goto(f"/training/{tot.pk}/cascade/")
    root = coordinator.locator("main ul.cascade.root > li")
    assert root.locator(":scope > a").get_attribute("href") == f"/training/{tot.pk}/"
    child = root.locator(":scope > ul.cascade > li")
    assert child.count() == 1
    assert child.locator(":scope > a").get_attribute("href") == f"/training/{event.pk}/"
    assert child.locator(":scope > a").inner_text() == NEW_EVENT_KK
    assert "Жұмабаева Сәуле" in child.inner_text()
    assert child.locator("strong").inner_text() == "2", "two people reached in the new branch"
    # The trainer's person attended the ToT itself: three distinct people reached from the root.
    assert root.locator(":scope > span strong").inner_text() == "3"
    choose_language(coordinator, "ru")
    assert child.locator(":scope > a").inner_text() == NEW_EVENT_RU


# --- (2) Accessibility ---------------------------------------------------------------------------------

def _axe_check(page, axe, label, failures):
    results = axe.run(page)
    if results.violations_count:
        failures.append(f"--- {label} ({path_of(page)}, lang={html_lang(page)}) ---\n{results.generate_report()}")


BAD_IIN_CSV = "iin,surname\n123456789012,Тестов\n"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_training_pages_have_no_axe_violations(browsing, site, cascade, language):
    b = browsing()
    page = b.page
    set_language_cookie(b.context, site.url, language)
    axe = Axe()
    failures = []
    log_in(page, "coordinator")
    assert html_lang(page) == language
    event = cascade

    # Each page with something in it: (label, path, an element the page must show).
    for label, path, shown in (
        ("event list", "/training/", f'main table a[href="/training/{event.pk}/"]'),
        ("calendar", f"/training/calendar/?month={event.starts_on:%Y-%m}",
         f'main .calendar a.cal-event[href="/training/{event.pk}/"]'),
        ("roadmap", "/training/roadmap/", f'main table a[href="/training/{event.pk}/"]'),
        ("coverage", f"/training/coverage/?year={event.starts_on.year}", "main table tbody tr td:nth-child(6)"),
        ("event page", f"/training/{event.pk}/", 'main form[action$="/trainers/"] select[name="person"]'),
        ("event form", "/training/new/", f'main #id_parent option[value="{event.parent_id}"]'),
        ("session form", f"/training/{event.pk}/sessions/new/", 'main button[name="another"]'),
        ("enrol page", f"/training/{event.pk}/enrol/", 'main input[name="level"][value="precinct"]'),
        ("roster", f"/training/sessions/{event.s1.pk}/roster/", 'main ul.roster button[aria-pressed="true"]'),
        ("cascade", f"/training/{event.parent_id}/cascade/", f'main ul.cascade li a[href="/training/{event.pk}/"]'),
        ("check-in page", "/training/check-in/", "main #id_code"),
        ("check-in page from the QR", f"/training/check-in/{event.s1.check_in_code}/", 'main input[name="via"]'),
    ):
        response = page.goto(path)
        assert response.status == 200, path
        assert html_lang(page) == language, path
        assert page.locator(shown).count() >= 1, f"{label}: {shown} is missing"
        _axe_check(page, axe, label, failures)

    # The roster with the check-in code opened.
    page.goto(f"/training/sessions/{event.s1.pk}/roster/")
    page.locator("main details > summary").click()
    _axe_check(page, axe, "roster, check-in code opened", failures)

    # Forms with errors.
    page.goto(f"/training/{event.pk}/sessions/new/")
    page.locator("main #id_day").fill((event.ends_on + 5 * DAY).isoformat())
    page.locator("main #id_starts_at").fill("10:00")
    page.locator("main #id_ends_at").fill("09:00")
    submit(page, page.locator("main form button[type=submit]:not([name])"))
    assert page.locator("main .has-error").count() >= 1
    _axe_check(page, axe, "session form with errors", failures)

    page.goto("/training/new/")
    submit(page, page.locator("main form button[type=submit]"))
    assert page.locator("main .has-error").count() >= 1
    _axe_check(page, axe, "event form with errors", failures)

    page.goto(f"/training/{event.pk}/enrol/")
    by_filter = page.locator('main form:has(input[name="by_filter"])')
    by_filter.locator('input[name="level"][value="precinct"]').check()
    submit(page, by_filter.locator("button[type=submit]:not([name])"))
    assert page.locator('main button[name="confirm"]').count() == 1
    _axe_check(page, axe, "enrol page with the count", failures)
    page.locator('main input[type="file"]').set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": BAD_IIN_CSV.encode()})
    with page.expect_response(lambda r: r.url.endswith("/enrol/") and r.request.method == "POST") as response:
        page.locator('main form:has(input[name="by_file"]) button[type=submit]').click()
    assert response.value.status == 422
    page.wait_for_load_state()
    assert page.locator('main [role="alert"]').count() == 1
    _axe_check(page, axe, "enrol page with a rejected file", failures)

    page.goto("/training/check-in/")
    page.locator("main #id_code").fill("ZZZZZZ")
    submit(page, page.locator("main form button[type=submit]"))
    assert page.locator("main .has-error").count() == 1
    _axe_check(page, axe, "check-in page with an error", failures)

    # What the trainer and the participant see.
    page.context.clear_cookies()
    set_language_cookie(b.context, site.url, language)
    log_in(page, "trainer")
    for label, path in (("event page (trainer)", f"/training/{event.pk}/"),
                        ("roster (trainer)", f"/training/sessions/{event.s2.pk}/roster/")):
        assert page.goto(path).status == 200, path
        _axe_check(page, axe, label, failures)
    page.context.clear_cookies()
    set_language_cookie(b.context, site.url, language)
    log_in(page, "participant")
    for label, path in (("event page (participant)", f"/training/{event.pk}/"), ("my training", "/training/mine/")):
        assert page.goto(path).status == 200, path
        _axe_check(page, axe, label, failures)

    assert not failures, "axe found accessibility violations:\n" + "\n".join(failures)


# --- (3) Phone-sized screen ------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["kk", "ru"])
def test_roster_and_event_page_fit_a_phone(browsing, site, cascade, language):
    b = browsing(**PHONE)
    page = b.page
    set_language_cookie(b.context, site.url, language)
    log_in(page, "trainer")
    for path in (f"/training/sessions/{cascade.s1.pk}/roster/", f"/training/{cascade.pk}/"):
        page.goto(path)
        assert html_lang(page) == language
        sizes = page.evaluate("({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
                              " view: window.innerWidth})")
        assert sizes["view"] == 360
        assert sizes["doc"] <= 360 and sizes["body"] <= 360, f"{path}: {sizes} on a 360px screen"
    # The roster's buttons are large enough to tap and fill the width.
    page.goto(f"/training/sessions/{cascade.s1.pk}/roster/")
    for box in page.locator("main ul.roster button").evaluate_all(
            "bs => bs.map(b => { const r = b.getBoundingClientRect(); return [r.left, r.right, r.height]; })"):
        left, right, height = box
        assert left >= 0 and right <= 360 and height >= 44, box


# --- (4) Without JavaScript ----------------------------------------------------------------------------

def test_session_and_attendance_work_without_javascript(browsing, site, cascade):
    page = browsing(java_script_enabled=False).page
    log_in(page, "coordinator")
    event = cascade

    page.goto(f"/training/{event.pk}/sessions/new/")
    form = page.locator("main form")
    form.locator("#id_day").fill(event.ends_on.isoformat())
    form.locator("#id_starts_at").fill("14:00")
    form.locator("#id_ends_at").fill("15:30")
    form.locator("#id_title_kk").fill("Қорытынды тест")
    form.locator("#id_title_ru").fill("Итоговый тест")
    form.locator("#id_method").select_option("test")
    submit(page, form.locator("button[type=submit]:not([name])"))
    assert path_of(page) == f"/training/{event.pk}/"
    added = Session.objects.get(event=event, title_kk="Қорытынды тест")
    assert (added.day, added.starts_at, added.ends_at, added.method) == (
        event.ends_on, datetime.time(14), datetime.time(15, 30), "test")
    assert "Қорытынды тест" in page.locator("main").inner_text()

    # The roster: each tap is a plain form post; a second tap clears the mark.
    submit(page, page.locator(f'main a[href="/training/sessions/{added.pk}/roster/"]'))
    row = page.locator(f"main ul.roster li#p{site.member2.pk}")
    assert row.locator("button").get_attribute("aria-pressed") == "false"
    submit(page, row.locator("button"))
    assert row.locator("button").get_attribute("aria-pressed") == "true"
    assert Attendance.objects.filter(session=added, person=site.member2).exists()
    submit(page, row.locator("button"))
    assert row.locator("button").get_attribute("aria-pressed") == "false"
    assert not Attendance.objects.filter(session=added, person=site.member2).exists()
    submit(page, row.locator("button"))
    assert row.locator("button").get_attribute("aria-pressed") == "true"
    assert page.locator(f"main ul.roster li#p{site.member1.pk} button").get_attribute("aria-pressed") == "false"
    assert Attendance.objects.filter(session=added).count() == 1
