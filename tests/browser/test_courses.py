"""A distance course in a real browser, on a phone: a participant enrols in the demo course "Precinct election
commission: from preparation to counting", reads every article, takes every module quiz and the final test through
the test-taking pages, and downloads the certificate the completion earns. axe-core checks the course, an article, a
test lesson and the completed course. A locked lesson cannot be opened by its address, and the course reads in
Russian once the header's switcher says so.

The final test must be passed: its key is read from the database (the attempt's frozen item versions) and the
answers are given through the page, as a learner who knows them would.
"""

import re
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone, translation
from django.utils.translation import gettext

from saylau.assessment import bank
from saylau.assessment.demo import bank_documents
from saylau.assessment.models import Attempt, AttemptItem, AttemptStatus, ItemStatus
from saylau.certificates import keys
from saylau.certificates import services as certificate_services
from saylau.certificates.models import Certificate
from saylau.courses import services
from saylau.courses.demo import CoursesDemo
from saylau.courses.models import CourseEnrolment, LearnerStatus, LessonKind, LessonProgress

from .conftest import choose_language, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def path_of(page_or_response):
    return re.sub(r"^https?://[^/]+", "", page_or_response.url).split("#")[0]


def t(text, language="kk"):
    """A string of the interface as the page shows it in ``language`` (the source text while untranslated)."""
    with translation.override(language):
        return gettext(text)


def axe_check(page, axe, label, failures):
    results = axe.run(page)
    if results.violations_count:
        failures.append(f"--- {label} ({path_of(page)}) ---\n{results.generate_report()}")


@pytest.fixture
def signing_key(settings, tmp_path):
    """A fresh key directory for this test (the live server runs in this process and sees the setting)."""
    settings.CERTIFICATE_KEYS_DIR = tmp_path / "keys"
    kid, _created = keys.generate()
    return kid


@pytest.fixture
def demo_course(site, signing_key):
    """The approved demo item bank, the demo course built on it (published, open to all, sequential) and its
    certificate, issued automatically on completion."""
    for document in bank_documents():
        bank.item_create(by=site.admin, document=document, status=ItemStatus.APPROVED)
    course, _materials = CoursesDemo(seed=2025).build_course(site.admin, site.cec)
    award = certificate_services.award_set(by=site.admin, course=course)
    assert award.automatic and award.kind == "course"
    return course


# --- Answering items through the page ------------------------------------------------------------------------


def _number(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def _accepted_text(document) -> str:
    """The first fully accepted short answer, its "*" wildcards dropped ("\\*" is a literal asterisk)."""
    best = max(document["answers"], key=lambda answer: answer["fraction"])
    return re.sub(r"(?<!\\)\*+", "", best["text"]).replace("\\*", "*").strip()


class Examinee:
    """Answers one attempt's items on its page, waiting for each answer to be saved by the page's script."""

    def __init__(self, page, attempt):
        self.page, self.attempt = page, attempt

    def _saved(self, item_id):
        return self.page.expect_response(
            lambda response: response.request.method == "PUT"
            and response.url.endswith(f"/api/v1/attempts/{self.attempt.pk}/answers/{item_id}"))

    def _save(self, item_id, action):
        with self._saved(item_id) as saved:
            action()
        assert saved.value.status == 204, f"item {item_id}: the answer was not saved ({saved.value.status})"

    def answer(self, row, *, right: bool):
        document, page = row.version.document, self.page
        kind, prefix = document["type"], f"item-{row.item_id}"
        if kind in ("single_choice", "true_false"):
            options = sorted(document["options"], key=lambda option: option["fraction"])
            choice = options[-1] if right else options[0]
            self._save(row.item_id, page.locator(f'input[name="{prefix}"][value="{choice["id"]}"]').check)
        elif kind == "multiple_choice":
            good = [option["id"] for option in document["options"] if option["fraction"] > 0]
            bad = [option["id"] for option in document["options"] if option["fraction"] <= 0]
            for option_id in good if right else (bad[:1] or good[:1]):
                self._save(row.item_id, page.locator(f'input[name="{prefix}"][value="{option_id}"]').check)
        elif kind == "short_answer":
            text = _accepted_text(document) if right else "—"
            self._save(row.item_id, lambda: page.locator(f'input[name="{prefix}-text"]').fill(text))
        elif kind == "numerical":
            value = float(document["numbers"][0]["value"])
            number = _number(value if right else value + 1)
            self._save(row.item_id, lambda: page.locator(f'input[name="{prefix}-number"]').fill(number))
        elif kind == "matching":
            premises = [pair["id"] for pair in document["pairs"] if pair["premise"]]
            chosen = premises if right else premises[1:] + premises[:1]
            for premise, response in zip(premises, chosen, strict=True):
                select = page.locator(f'select[name="{prefix}-pair-{premise}"]')
                self._save(row.item_id, lambda select=select, response=response: select.select_option(response))
        elif kind == "scenario":
            steps = document["steps"]
            for number, step in enumerate(steps, start=1):
                options = sorted(step["options"], key=lambda option: option["fraction"])
                choice = options[-1] if right else options[0]
                radio = page.locator(f'input[name="{prefix}-step-{step["id"]}"][value="{choice["id"]}"]')
                # The step was revealed by a reload: let that page's script start before answering.
                radio.wait_for()
                page.wait_for_load_state("load")
                # Each saved decision but the last reloads the page, which then shows the next one.
                self._save(row.item_id, radio.check)
                if number < len(steps):
                    next_step = steps[number]["id"]
                    page.locator(f'input[name="{prefix}-step-{next_step}"]').first.wait_for()
        else:
            raise AssertionError(f"the demo course's tests hold no {kind} items")


def take_test(page, lesson, person, *, right: bool) -> Attempt:
    """From the test lesson's page: start, answer every item, finish, submit; ends on the result page."""
    with page.expect_navigation():
        page.get_by_role("button", name=t("Start the test")).click()
    attempt = Attempt.objects.get(exam=lesson.exam, person=person, status=AttemptStatus.OPEN)
    assert path_of(page) == f"/assessment/attempts/{attempt.pk}/"
    rows = list(AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position"))
    assert len(rows) == (10 if lesson.is_final else 5)
    examinee = Examinee(page, attempt)
    for row in rows:
        examinee.answer(row, right=right)
    assert AttemptItem.objects.filter(attempt=attempt, response__isnull=True).count() == 0
    with page.expect_navigation():
        page.locator('button[name="action"][value="finish"]').click()
    assert path_of(page) == f"/assessment/attempts/{attempt.pk}/submit/"
    assert page.locator("main .notice").count() == 0, "the submit page lists unanswered items"
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert path_of(page) == f"/assessment/attempts/{attempt.pk}/result/"
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    return attempt


# --- The tests ---------------------------------------------------------------------------------------------


def test_a_learner_completes_the_demo_course_on_a_phone_and_downloads_the_certificate(browsing, site, demo_course):
    course, member = demo_course, site.member1
    lessons = services.ordered_lessons(course)
    assert [lesson.kind for lesson in lessons] == (["material", "material", "test"] * 5 + ["test"])
    assert lessons[-1].is_final
    course_path = f"/courses/{course.pk}/"
    phone = browsing(**PHONE)
    # The clock runs as usual; the test moves it on once, for the lesson page's heartbeat to count time.
    phone.context.clock.install()
    page = phone.page
    axe, failures = Axe(), []
    log_in(page, "participant")

    # The course is open to all: the learner finds it in the list and enrols.
    page.goto("/courses/")
    with page.expect_navigation():
        page.locator(f'main a[href="{course_path}"]').click()
    assert path_of(page) == course_path
    assert page.locator("main h1").inner_text() == course.title_kk
    axe_check(page, axe, "course, not enrolled", failures)
    with page.expect_navigation():
        page.get_by_role("button", name=t("Enrol in this course")).click()
    assert path_of(page) == course_path
    enrolment = CourseEnrolment.objects.get(course=course, person=member)
    assert enrolment.status == LearnerStatus.NOT_STARTED
    assert t("You are enrolled. Start with the first lesson.") in page.locator(".messages").inner_text()

    # From "My courses": Start, then the course page's "Start the course".
    page.goto("/courses/")
    card = page.locator("main ul.cards li.card", has=page.locator(f'a[href="{course_path}"]'))
    with page.expect_navigation():
        card.get_by_role("link", name=t("Start"), exact=True).click()
    assert path_of(page) == course_path
    axe_check(page, axe, "course, enrolled", failures)
    with page.expect_navigation():
        page.get_by_role("link", name=f'{t("Start the course")}: {lessons[0].title_kk}').click()

    first_beat = f"{course_path}lessons/{lessons[0].pk}/beat/"
    quizzes = []
    for index, lesson in enumerate(lessons):
        assert path_of(page) == f"{course_path}lessons/{lesson.pk}/", f"lesson {index + 1}: {lesson.title_kk}"
        assert page.locator("main h1").inner_text() == lesson.title_kk
        if lesson.kind == LessonKind.MATERIAL:
            assert page.locator("main article.article p").count() > 0, "the article's text is not shown"
            if index == 0:
                axe_check(page, axe, "article lesson", failures)
                # Half a minute on the page: its script reports the time (31 s since it loaded, at least).
                with page.expect_response(lambda response: path_of(response) == first_beat) as beat:
                    page.clock.fast_forward(31_000)
                assert beat.value.status == 204
            with page.expect_navigation():
                page.get_by_role("button", name=t("I have studied this — next")).click()
            continue
        if index == 2:
            axe_check(page, axe, "test lesson", failures)
        # The first quiz is answered badly: a module quiz is done once submitted, whatever the score.
        attempt = take_test(page, lesson, member, right=lesson.is_final or index != 2)
        if lesson.is_final:
            assert attempt.passed and float(attempt.percent) == 100.0
        else:
            quizzes.append(attempt)
        with page.expect_navigation():
            page.get_by_role("link", name=t("Back to the course")).click()
        assert path_of(page) == course_path
        if not lesson.is_final:
            following = lessons[index + 1]
            with page.expect_navigation():
                page.get_by_role("link", name=f'{t("Continue")}: {following.title_kk}').click()
    assert quizzes[0].passed is False, "the badly answered quiz was passed"

    # Completed: 100 %, every lesson done, and the certificate to download.
    enrolment.refresh_from_db()
    assert enrolment.status == LearnerStatus.COMPLETED and enrolment.completed_at is not None
    assert enrolment.lessons_done == len(lessons) == 16 and enrolment.percent == 100
    rows = LessonProgress.objects.filter(enrolment=enrolment)
    assert rows.filter(completed_at__isnull=False).count() == 16
    assert rows.get(lesson=lessons[0]).time_spent_seconds >= 31
    assert enrolment.time_spent_seconds == sum(row.time_spent_seconds for row in rows)
    assert float(enrolment.final_percent) == 100.0
    progress = page.locator("main section[aria-labelledby=my-progress]")
    assert progress.locator("progress").get_attribute("value") == "100"
    assert "100 %" in progress.locator("strong").first.inner_text()
    with translation.override("kk"):
        lessons_done = gettext("%(done)s of %(total)s lessons done") % {"done": 16, "total": 16}
    assert lessons_done in progress.inner_text()
    verdict = progress.locator(".verdict-valid")
    day = timezone.localtime(enrolment.completed_at).strftime("%d.%m.%Y")
    assert verdict.inner_text() == t("Course completed on %(day)s.") % {"day": day}
    assert page.locator("main .outline .done").count() == 16
    certificate = Certificate.objects.get(person=member, award__course=course)
    assert certificate.award.kind == "course"
    axe_check(page, axe, "course, completed", failures)

    link = page.get_by_role("link", name=t("Download the certificate"))
    assert link.get_attribute("href") == f"/certificates/{certificate.number}/pdf"
    with page.expect_download() as download:
        link.click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # "My courses" shows the course as completed, at 100 %.
    page.goto("/courses/")
    card = page.locator("main ul.cards li.card", has=page.locator(f'a[href="{course_path}"]'))
    assert card.locator("progress").get_attribute("value") == "100"
    assert "100 %" in card.inner_text() and t("completed") in card.inner_text()
    assert not failures, "axe found accessibility violations:\n" + "\n".join(failures)
    assert not phone.csp_errors

    # The coordinator's page shows the same figures: 100 %, completed, the time spent, the final test's result.
    office = browsing().page
    log_in(office, "coordinator")
    office.goto(f"{course_path}progress/")
    row = office.locator("main table tbody tr", has=office.locator("th", has_text=member.surname))
    cells = row.locator("td").all_inner_texts()
    assert cells[1] == f"100 % · {t('completed')}"
    minutes = round(Decimal(enrolment.time_spent_seconds) / 60)  # as the template's widthratio rounds
    assert minutes >= 1
    with translation.override("kk"):
        assert cells[2] == gettext("%(minutes)s min") % {"minutes": minutes}
    assert cells[3] == "100 %"


def test_a_locked_lesson_cannot_be_opened_by_its_address_and_the_course_reads_in_russian(browsing, site,
                                                                                        demo_course):
    course = demo_course
    services.cohort_enrol(by=site.admin, course=course, name="PEC No. 1", people=[site.member1])
    lessons = services.ordered_lessons(course)
    course_path = f"/courses/{course.pk}/"
    page = browsing(**PHONE).page
    log_in(page, "participant")

    # Lesson 3 (the first quiz) before lessons 1 and 2: back to the course, with the reason.
    page.goto(f"{course_path}lessons/{lessons[2].pk}/")
    page.wait_for_url(f"**{course_path}")
    assert path_of(page) == course_path
    assert t("This lesson opens once the lessons before it are done.") in page.locator(".messages").inner_text()
    outline = page.locator("main ol.outline")
    assert outline.locator(f'a[href="{course_path}lessons/{lessons[2].pk}/"]').count() == 0
    assert outline.locator(f'a[href="{course_path}lessons/{lessons[0].pk}/"]').count() == 1
    assert not LessonProgress.objects.filter(lesson=lessons[2]).exists()

    # In Russian: the course, its lessons and the lesson page.
    choose_language(page, "ru")
    assert page.locator("main h1").inner_text() == course.title_ru
    assert outline.locator(f'a[href="{course_path}lessons/{lessons[0].pk}/"]').inner_text() == lessons[0].title_ru
    assert lessons[2].title_ru in outline.inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name=f'{t("Start the course", "ru")}: {lessons[0].title_ru}').click()
    assert path_of(page) == f"{course_path}lessons/{lessons[0].pk}/"
    assert page.evaluate("document.documentElement.lang") == "ru"
    assert page.locator("main h1").inner_text() == lessons[0].title_ru
    assert page.locator("main .crumbs a").first.inner_text() == course.title_ru
