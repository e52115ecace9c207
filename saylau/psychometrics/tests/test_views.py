"""The statistics pages: who reaches which page, the figures shown equal the stored ones (page and XLSX), sending
a flagged item back to review, the bank's health on a small known bank, a person's history, the entry vs final
report (worked out by hand here), and the pure modules behind them (``gains``, ``charts``)."""

from __future__ import annotations

import datetime
import io
import re

import numpy as np
import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from saylau.accounts.models import Role, User
from saylau.assessment import attempts, bank
from saylau.assessment.models import Attempt, ItemStatus, LegalAct, Topic
from saylau.assessment.tests.factories import approved_item, bank_of, choice_document, distance_exam
from saylau.assessment.tests.test_views_exams import decimal_point, figure, login, new_person, plain, take, text
from saylau.core.models import AuditEntry
from saylau.psychometrics import analysis, charts, gains
from saylau.psychometrics.flags import LABELS
from saylau.psychometrics.models import AttemptAbility, ItemAnalysis, TestAnalysis
from saylau.psychometrics.views import IRT_FIGURES, ITEM_FIGURES, TEST_FIGURES, flag_reason

pytestmark = pytest.mark.django_db

# --- Helpers ----------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english():
    """Labels compared here are the source texts (the pages are asked for in English too)."""
    with translation.override("en"):
        yield


def rows(html: str, css_class: str) -> list[list[str]]:
    """The cells' text of the table rows whose class starts with ``css_class``."""
    found = []
    for row in re.findall(rf'<tr class="{css_class}[^"]*"[^>]*>(.*?)</tr>', html, re.S):
        found.append([decimal_point(plain(cell)) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)])
    return found


def shown(value, decimals: int = 2) -> str:
    """A stored figure as the page shows it in English."""
    return "—" if value is None else f"{round(value, decimals) + 0.0:.{decimals}f}"


def item_cells(row: dict) -> list[str]:
    cells = []
    for key, _label, decimals in ITEM_FIGURES:
        negative = key == "effective_weight" and row.get("negative_covariance")
        cells.append("negative covariance" if negative else shown(row.get(key), decimals))
    for key, _label, decimals in IRT_FIGURES:
        value = (row.get("fit") or {}).get("p_value") if key == "fit_p" else row.get(key)
        cells.append(shown(value, decimals))
    return cells


def submit_drawn(exam, person) -> Attempt:
    """``person`` starts ``exam`` in Russian and submits without answering (for exposure: what was shown)."""
    attempt = attempts.attempt_start(by=None, exam=exam, person=person, language="ru")
    return attempts.attempt_submit(attempt=attempt, by=None)


# --- Fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture
def pair(world):
    """member1 took an entry and a final test of the Almaty region (two items); the final test is analysed."""
    items = bank_of(world.admin, 2)
    pre = distance_exam(world, items, purpose="pre")
    post = distance_exam(world, items, purpose="post", pre_test=pre)
    take(pre, world.member1, set(), items)
    take(post, world.member1, {items[0].pk}, items)
    analysis.analyse_test(exam=post)
    post.items = items
    return post


def analysed_cohort(world, *, size: int = 40):
    """``size`` people took a six-item distance test of the Almaty region, answering as the Rasch model says
    (fixed seed); the test and the bank are analysed (IRT from 30 attempts, flags from 20). Every item is flagged
    at least for its option "c", which ``take`` never chooses. One more approved item was never shown."""
    items = bank_of(world.admin, 6)
    people = [new_person(100 + k, f"Сынақов{k:02d}", "Адам", world) for k in range(size)]
    exam = distance_exam(world, items, people=people)
    rng = np.random.default_rng(7)
    difficulty = [-3.5, -1.0, 0.0, 0.5, 1.0, 2.0]
    for person in people:
        theta = rng.normal()
        right = {item.pk for item, b in zip(items, difficulty, strict=True)
                 if rng.random() < 1 / (1 + np.exp(-(theta - b)))}
        take(exam, person, right, items)
    analysis.analyse_test(exam=exam)
    analysis.analyse_bank()
    exam.items, exam.people = items, people
    exam.unshown = approved_item(world.admin, choice_document(99, topic="observers"))
    return exam


@pytest.fixture
def cohort(world):
    return analysed_cohort(world)


# --- Who reaches which page -------------------------------------------------------------------------------------

PAGES = {
    "test": "/statistics/tests/{exam}/",
    "xlsx": "/statistics/tests/{exam}/items.xlsx",
    "pre_post": "/statistics/tests/{exam}/pre-post/",
    "bank": "/statistics/bank/",
    "person": "/statistics/people/{person}/",
    "me": "/statistics/me/",
}
EXPECTED = {
    # role:              test xlsx pre-post bank person me
    "admin":            (200, 200, 200, 200, 200, 404),
    "coordinator":      (200, 200, 200, 200, 200, 404),
    "auditor":          (200, 200, 200, 200, 200, 404),
    "abai_coordinator": (404, 404, 404, 200, 404, 404),
    "trainer":          (404, 404, 404, 200, 200, 404),
    "participant":      (404, 404, 404, 403, 200, 200),
}
REFRESH = {"admin": 302, "coordinator": 302, "auditor": 403, "abai_coordinator": 404, "trainer": 404,
           "participant": 404}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_page_answers_each_role_as_the_scoping_says(client, world, pair, role):
    login(client, getattr(world, role))
    got = tuple(client.get(url.format(exam=pair.pk, person=world.member1.pk)).status_code for url in PAGES.values())
    assert dict(zip(PAGES, got, strict=True)) == dict(zip(PAGES, EXPECTED[role], strict=True))
    assert client.post(f"/statistics/tests/{pair.pk}/refresh/").status_code == REFRESH[role]


@pytest.mark.parametrize("page", [*PAGES.values(), "/statistics/tests/{exam}/refresh/"])
def test_anonymous_visitors_are_sent_to_log_in(client, world, pair, page):
    response = client.get(page.format(exam=pair.pk, person=world.member1.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_pages_only_take_the_methods_they_mean(client, world, pair):
    login(client, world.admin)
    assert client.get(f"/statistics/tests/{pair.pk}/refresh/").status_code == 405
    assert client.post(f"/statistics/tests/{pair.pk}/").status_code == 405
    assert client.get(f"/statistics/items/{pair.items[0].pk}/send-back/").status_code == 405


def test_a_test_without_an_entry_test_has_no_pre_post_report(client, world, pair):
    login(client, world.admin)
    assert client.get(f"/statistics/tests/{pair.pre_test_id}/pre-post/").status_code == 404


# --- A test's statistics ----------------------------------------------------------------------------------------


def test_the_test_page_shows_the_stored_figures_flags_and_curves(client, world, cohort):
    stored = TestAnalysis.objects.get(exam=cohort)
    assert stored.irt and stored.irt["model"] == "rasch"
    login(client, world.coordinator)
    html = text(client.get(f"/statistics/tests/{cohort.pk}/"))

    assert "over 40 submitted attempts" in html
    for key, label, decimals, percent in TEST_FIGURES:
        assert figure(html, str(label)) == shown(stored.test[key], decimals) + (" %" if percent else "")
    table = rows(html, "item-row")
    assert [cells[0] for cells in table] == [str(row["position"]) for row in stored.items]
    for cells, row in zip(table, stored.items, strict=True):
        assert cells[1] == row["name"]
        assert cells[3:] == item_cells(row)
        assert row["flags"] and all(str(LABELS[flag["code"]]) in cells[2] for flag in row["flags"])
        assert f'href="/assessment/bank/items/{row["item_id"]}/"' in html
    # Each item's options with the right one marked in words, and its share per group as stored.
    first = stored.items[0]
    options = rows(html, "option-row")[:3]
    assert [cells[1] for cells in options] == ["right", "wrong", "wrong"]
    assert options[0][2:] == [shown(first["distractors"][0][group], 1) for group in ("lower", "middle", "upper", "total")]
    # The curves: an image with a name and a description, and the test's curve as a table too.
    calibrated = [row for row in stored.items if row["difficulty"] is not None]
    assert html.count('role="img"') == 1 + len(calibrated)
    assert '<title id="test-info-title">Test information curve</title>' in html
    b = np.array([row["difficulty"] for row in calibrated])
    information = (np.exp(-b) / (1 + np.exp(-b)) ** 2).sum()  # Rasch: Σ P(1 − P) at θ = 0
    at_zero = next(cells for cells in rows(html, "info-row") if cells[0] == "0")
    assert at_zero[1] == shown(information) and at_zero[2] == shown(1 / np.sqrt(information))


def test_the_xlsx_holds_the_stored_numbers(client, world, cohort):
    stored = TestAnalysis.objects.get(exam=cohort)
    login(client, world.coordinator)
    response = client.get(f"/statistics/tests/{cohort.pk}/items.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = list(workbook["Items"].iter_rows(values_only=True))
    header, body = sheet[0], sheet[1:]
    assert header[:4] == ("Position in the test", "Item number", "Item name", "Attempts")
    assert len(body) == len(stored.items)
    for values, row in zip(body, stored.items, strict=True):
        assert values[:4] == (row["position"], row["item_id"], row["name"], row["n"])
        assert list(values[4:4 + len(ITEM_FIGURES)]) == [row[key] for key, _l, _d in ITEM_FIGURES]
        irt_values = values[5 + len(ITEM_FIGURES):5 + len(ITEM_FIGURES) + len(IRT_FIGURES)]
        assert list(irt_values) == [row[key] if key != "fit_p" else (row["fit"] or {}).get("p_value")
                                   for key, _l, _d in IRT_FIGURES]
        assert str(LABELS["unused_distractor"]) in values[-1]
    test = dict(list(workbook["Test"].iter_rows(values_only=True))[1:])
    assert test["Attempts analysed"] == 40 and test["Maximum score"] == stored.test["max_score"]
    assert test["Coefficient of internal consistency (alpha), %"] == stored.test["alpha"]


def test_without_statistics_the_page_says_so_and_recompute_fills_it(client, world):
    items = bank_of(world.admin, 2)
    exam = distance_exam(world, items)
    take(exam, world.member1, {items[0].pk}, items)
    login(client, world.coordinator)
    html = text(client.get(f"/statistics/tests/{exam.pk}/"))
    assert "No statistics yet" in html and "Recompute now" in html
    assert client.get(f"/statistics/tests/{exam.pk}/items.xlsx").status_code == 404

    response = client.post(f"/statistics/tests/{exam.pk}/refresh/", follow=True)
    assert response.redirect_chain == [(f"/statistics/tests/{exam.pk}/", 302)]
    html = text(response)
    assert "The statistics are being recomputed" in html
    # The test settings run tasks inline: the analysis is there at once.
    assert TestAnalysis.objects.get(exam=exam).attempts == 1
    assert AuditEntry.objects.filter(action="psychometrics.test.analysed", actor=world.coordinator).exists()
    assert "over 1 submitted attempt." in html and "IRT parameters need at least 30 attempts." in html

    login(client, world.auditor)
    assert "Recompute now" not in text(client.get(f"/statistics/tests/{exam.pk}/"))


def test_new_attempts_after_the_analysis_are_announced(client, world, pair):
    take(pair.pre_test, world.member2, set(), pair.items)
    take(pair, world.member2, set(), pair.items)
    login(client, world.coordinator)
    assert "not included yet" in text(client.get(f"/statistics/tests/{pair.pk}/"))


# --- The bank: an item's statistics, sending it back, the list's filter -----------------------------------------


def test_the_item_page_shows_the_pooled_figures_and_a_reviewer_sends_it_back_for_a_flag(client, world, cohort):
    item = cohort.items[2]
    stored = ItemAnalysis.objects.get(item=item)
    flag = next(flag for flag in stored.flags if flag["code"] == "unused_distractor")
    login(client, world.admin)
    html = text(client.get(f"/assessment/bank/items/{item.pk}/"))
    assert figure(html, "Attempts analysed") == "40"
    assert figure(html, "Facility index, %") == shown(stored.figures["facility"])
    assert figure(html, "Discrimination index, %") == shown(stored.figures["discrimination_index"])
    assert rows(html, "option-row")[0][2:] == [shown(stored.distractors[0][g], 1)
                                               for g in ("lower", "middle", "upper", "total")]
    assert f'<span class="flag">{LABELS["unused_distractor"]}</span> c' in html
    assert html.count(f'action="/statistics/items/{item.pk}/send-back/"') == len(stored.flags)
    # The item's information curve on the bank's Rasch scale; its peak, 0.25, at the item's difficulty.
    assert 'id="item-information-title"' in html and "Item information curve" in html
    assert f"θ = {shown(round(stored.figures['rasch_difficulty'] * 4) / 4)}" in html

    response = client.post(f"/statistics/items/{item.pk}/send-back/", {"flag": "unused_distractor"}, follow=True)
    assert "The item was sent back to review." in text(response)
    item.refresh_from_db()
    assert item.status == ItemStatus.REVIEW
    assert item.review_reason == flag_reason(flag) == "Item statistics: a wrong option nobody chooses (c)."
    entry = AuditEntry.objects.filter(action="assessment.item.status", object_id=str(item.pk)).latest("pk")
    assert entry.changes["status"] == ["approved", "review"] and entry.actor == world.admin
    # Now in review: no more buttons, the reason shows at the top.
    html = text(client.get(f"/assessment/bank/items/{item.pk}/"))
    assert "/send-back/" not in html and "Item statistics: a wrong option nobody chooses (c)." in html


def test_only_reviewers_send_items_back_and_only_for_a_flag_the_item_has(client, world, cohort):
    item = cohort.items[0]
    login(client, world.coordinator)  # an author, not a reviewer
    assert "/send-back/" not in text(client.get(f"/assessment/bank/items/{item.pk}/"))
    assert client.post(f"/statistics/items/{item.pk}/send-back/", {"flag": "unused_distractor"}).status_code == 403
    login(client, world.participant)
    assert client.post(f"/statistics/items/{item.pk}/send-back/", {"flag": "unused_distractor"}).status_code == 404
    login(client, world.admin)
    response = client.post(f"/statistics/items/{item.pk}/send-back/", {"flag": "too_hard"}, follow=True)
    assert "This flag is no longer raised" in text(response)
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED


def test_an_item_never_analysed_says_so(client, world, cohort):
    login(client, world.admin)
    assert "No statistics yet: the item has not been in an analysed test." in text(
        client.get(f"/assessment/bank/items/{cohort.unshown.pk}/"))


def test_the_bank_list_filters_the_flagged_items_and_marks_them(client, world, cohort):
    login(client, world.coordinator)
    everything = text(client.get("/assessment/bank/"))
    assert f"/assessment/bank/items/{cohort.unshown.pk}/" in everything
    assert everything.count("<strong>flagged</strong>") == 6
    flagged = text(client.get("/assessment/bank/", {"flagged": "1"}))
    assert f"/assessment/bank/items/{cohort.unshown.pk}/\"" not in flagged
    assert all(f"/assessment/bank/items/{item.pk}/\"" in flagged for item in cohort.items)
    assert 'name="flagged" value="1" id="id_flagged" checked' in flagged
    assert "6 items" in plain(flagged)


# --- The bank's health ------------------------------------------------------------------------------------------


@pytest.fixture
def known_bank(world):
    """A small bank, by hand:

    | topic       | item | status   | languages | difficulty | cites           |
    |-------------|------|----------|-----------|------------|-----------------|
    | voter-lists | v1–3 | approved | kk, ru    | 2          | elections 24.1  |
    | voter-lists | v4   | approved | ru        | 4          | elections 24.1  |
    | voter-lists | v5   | draft    | kk, ru    | 2          | elections 99    |
    | voter-lists | v6   | retired  | kk, ru    | 2          | elections 24.1  |
    | observers   | o1–2 | approved | kk, ru    | 3          | elections 24.1  |
    | observers   | o3   | review   | kk, ru    | 3          | elections 24.1  |

    Article 99 is then recorded as amended: v5 goes to review. Two open distance tests: A asks 4 voter-list and
    2 observer items (the whole pool: kk has only 3 voter-list items), B asks 1 observer item of 2. Two people
    take A in Russian and three take B: 5 distance attempts; v1–v4 are shown twice (40 %), o1 and o2 twice in A
    plus 3 times between them in B (at least 40 %, and B draws them from a larger pool: over-exposed).
    """
    def item(n, topic, status=ItemStatus.APPROVED, **kwargs):
        document = choice_document(n, topic=topic, **kwargs)
        return bank.item_create(by=world.admin, document=document, status=status)

    w = world
    v = [item(n, "voter-lists") for n in (1, 2, 3)] + [item(4, "voter-lists", languages=("ru",), difficulty=4)]
    v.append(item(5, "voter-lists", status=ItemStatus.DRAFT,
                  references=[{"act": "elections", "article": "99", "paragraph": ""}]))
    v.append(item(6, "voter-lists"))
    bank.item_set_status(by=w.admin, item=v[5], status=ItemStatus.RETIRED)
    o = [item(n, "observers", difficulty=3) for n in (7, 8)] + [item(9, "observers", status=ItemStatus.REVIEW,
                                                                     difficulty=3)]
    people = [new_person(n, f"Тестов{n}", "Адам", w) for n in range(1, 6)]
    test_a = distance_exam(w, None, people=people[:2], title_ru="Тест А", title_kk="Тест А",
                           blueprint=[{"topic": "voter-lists", "count": 4}, {"topic": "observers", "count": 2}])
    test_b = distance_exam(w, None, people=people[2:], title_ru="Тест Б", title_kk="Тест Б",
                           blueprint=[{"topic": "observers", "count": 1}])
    for person in people[:2]:
        submit_drawn(test_a, person)
    for person in people[2:]:
        submit_drawn(test_b, person)
    bank.amendment_record(by=w.admin, act=LegalAct.objects.get(code="elections"), article="99",
                          amended_on=datetime.date(2025, 6, 1))
    ItemAnalysis.objects.create(item=o[0], computed_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC),
                                attempts=25, tests=1, flagged=True,
                                flags=[{"code": "too_easy", "detail": "95 % > 90 %"},
                                       {"code": "low_discrimination", "detail": "10 % < 20 %"}])
    return type("Bank", (), {"v": v, "o": o, "a": test_a, "b": test_b})


def test_bank_health_counts_a_small_known_bank_right(client, world, known_bank, django_assert_max_num_queries):
    login(client, world.coordinator)
    with django_assert_max_num_queries(20):  # 16 today: a fixed number, whatever the size of the bank
        html = text(client.get("/statistics/bank/"))
    voter, observers = (Topic.objects.get(code=code).name_en for code in ("voter-lists", "observers"))

    def table(css: str) -> dict[str, list[str]]:
        return {cells[0]: cells[1:] for cells in rows(html, css)}

    # draft, in review, approved, retired, total
    status = table("status-row")
    assert status[voter] == ["0", "1", "4", "1", "6"] and status[observers] == ["0", "1", "2", "0", "3"]
    assert rows(html, "status-total") == [["total", "0", "2", "6", "1", "9"]]
    assert sum(int(cells[-1]) for name, cells in status.items() if name not in (voter, observers)) == 0
    # Approved, drawable: in Kazakh, in Russian, in either
    language = table("language-row")
    assert language[voter] == ["3", "4", "4"] and language[observers] == ["2", "2", "2"]
    # Difficulty 1–5, not set, total
    difficulty = table("difficulty-row")
    assert difficulty[voter] == ["0", "3", "0", "1", "0", "0", "4"]
    assert difficulty[observers] == ["0", "0", "2", "0", "0", "0", "2"]
    # Test A's voter-list row cannot be filled in Kazakh.
    assert rows(html, "shortage-row") == [["Тест А", voter, "1–5", "4", "3 too few", "4"]]
    # Exposure: 5 distance attempts; o1, o2 over-exposed; v1–v4 shown twice each (40 %) but A takes the whole pool.
    assert "There have been 5 attempts at distance tests." in plain(html)
    v, o = known_bank.v, known_bank.o
    over = rows(html, "overexposed-row")
    assert sorted(cells[0] for cells in over) == [f"#{o[0].pk} · Сұрақ 7", f"#{o[1].pk} · Сұрақ 8"]
    shown_in_b = {cells[0]: int(cells[2]) for cells in over}
    assert sum(shown_in_b.values()) == 2 + 2 + 3
    exposure = {cells[0]: cells[1:] for cells in rows(html, "exposure-row")}
    assert exposure[f"#{v[3].pk} · Сұрақ 4"] == [voter, "approved", "2", "2", "40.0"]
    assert {f"#{o[0].pk} · Сұрақ 7 over-exposed", f"#{o[1].pk} · Сұрақ 8 over-exposed"} <= set(exposure)
    # Flagged: one item, two flags, a link to the bank's filter.
    assert "1 item is flagged." in plain(html) and 'href="/assessment/bank/?flagged=1"' in html
    assert sorted(rows(html, "flag-row")) == [["low discrimination", "1"], ["too easy", "1"]]
    # Citing an amended article: v5, now in review with the amendment as its reason.
    amended = rows(html, "amended-row")
    assert len(amended) == 1 and amended[0][0] == f"#{v[4].pk} · Сұрақ 5" and amended[0][1] == "in review"
    assert "art. 99" in amended[0][2] and "2025-06-01" in amended[0][2] and "Amended on 2025-06-01" in amended[0][3]


def test_bank_health_is_for_the_banks_readers(client, world):
    login(client, world.participant)
    assert client.get("/statistics/bank/").status_code == 403
    login(client, world.auditor)
    html = text(client.get("/statistics/bank/"))
    assert "No item is flagged." in html and "No live item cites an amended article." in html


# --- A person's history -----------------------------------------------------------------------------------------


def test_a_persons_history_lists_their_attempts_in_order_with_abilities_and_draws_them(client, world, cohort):
    person = cohort.people[0]
    later_items = bank_of(world.admin, 2, topic="observers")
    later = distance_exam(world, later_items, people=cohort.people[:3], title_ru="Позже", title_kk="Кейін")
    for someone in cohort.people[:3]:
        take(later, someone, {later_items[0].pk}, later_items)
    analysis.analyse_bank()
    own = list(Attempt.objects.filter(person=person).select_related("ability").order_by("submitted_at"))
    assert len(own) == 2 and all(AttemptAbility.objects.filter(attempt=a).exists() for a in own)

    login(client, world.coordinator)
    html = text(client.get(f"/statistics/people/{person.pk}/"))
    expected = [[attempt.exam.title_kk, timezone.localtime(attempt.submitted_at).strftime("%Y-%m-%d"),
                 shown(float(attempt.percent), 1), "yes" if attempt.passed else "no",
                 f"{shown(attempt.ability.theta)} ± {shown(attempt.ability.se)}"] for attempt in own]
    got = rows(html, "attempt-row")
    assert got == expected
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="line-chart"' in html
    assert '<title id="ability-title">Ability over time</title>' in html
    assert html.count("<circle ") == 2
    assert f'href="/statistics/tests/{cohort.pk}/"' in html and f'href="/statistics/tests/{later.pk}/"' in html

    user = User.objects.create(username="synaqov", role=Role.PARTICIPANT, person=person)
    login(client, user)
    mine = text(client.get("/statistics/me/"))
    assert "My progress" in mine and len(rows(mine, "attempt-row")) == 2
    assert f"/statistics/tests/{cohort.pk}/" not in mine  # no links to the staff's pages


def test_a_history_lists_only_attempts_at_tests_the_viewer_sees(client, world, pair):
    login(client, world.trainer)  # sees the region's people, runs none of these tests
    html = text(client.get(f"/statistics/people/{world.member1.pk}/"))
    assert rows(html, "attempt-row") == [] and "No submitted attempts yet." in html
    login(client, world.coordinator)
    assert len(rows(text(client.get(f"/statistics/people/{world.member1.pk}/")), "attempt-row")) == 2


# --- Entry vs final ---------------------------------------------------------------------------------------------


def test_the_pre_post_report_compares_participants_and_topics_as_worked_out_by_hand(client, world):
    """Items v1, v2 (voter lists) and o1, o2 (observers).

    | person | entry right | entry % (v, o) | final right    | final % (v, o)  | gain               |
    |--------|-------------|----------------|----------------|-----------------|--------------------|
    | Абаев  | v1 o1       | 50 (50, 50)    | all            | 100 (100, 100)  | 50/50 = 1.00       |
    | Бекова | v1          | 25 (50, 0)     | v1 o1          | 50 (50, 50)     | 25/75 = 0.33       |
    | Валиев | —           | 0 (0, 0)       | v1 v2 o1       | 75 (100, 50)    | 75/100 = 0.75      |
    | Горина | (no entry)  |                | all            | 100             | not compared       |

    Group: entry 25.0, final 75.0, mean gain (1 + 1/3 + 0.75) / 3 = 0.69, Hake's gain of the means 50/75 = 0.67.
    Voter lists: entry (50 + 50 + 0) / 3 = 33.3, final (100 + 50 + 100) / 3 = 83.3, gains 1, 0, 1: mean 0.67.
    Observers: entry (50 + 0 + 0) / 3 = 16.7, final (100 + 50 + 50) / 3 = 66.7, gains 1, 0.5, 0.5: mean 0.67.
    """
    v1, v2 = (approved_item(world.admin, choice_document(n, topic="voter-lists")) for n in (1, 2))
    o1, o2 = (approved_item(world.admin, choice_document(n, topic="observers")) for n in (3, 4))
    items = [v1, v2, o1, o2]
    people = [new_person(1, "Абаев", "Арман", world), new_person(2, "Бекова", "Дана", world),
              new_person(3, "Валиев", "Ерік", world), new_person(4, "Горина", "Жанар", world)]
    pre = distance_exam(world, items, people=people, purpose="pre")
    post = distance_exam(world, items, people=people, purpose="post", pre_test=pre)
    for person, right in zip(people[:3], ({v1.pk, o1.pk}, {v1.pk}, set()), strict=True):
        take(pre, person, right, items)
    for person, right in zip(people, ({i.pk for i in items}, {v1.pk, o1.pk}, {v1.pk, v2.pk, o1.pk},
                                      {i.pk for i in items}), strict=True):
        take(post, person, right, items)

    login(client, world.coordinator)
    html = text(client.get(f"/statistics/tests/{post.pk}/pre-post/"))
    assert rows(html, "person-row") == [["Абаев Арман", "50.0", "100.0", "1.00"],
                                        ["Бекова Дана", "25.0", "50.0", "0.33"],
                                        ["Валиев Ерік", "0.0", "75.0", "0.75"]]
    assert (figure(html, "Took both tests"), figure(html, "Entry, mean %"), figure(html, "Final, mean %"),
            figure(html, "Mean normalised gain")) == ("3", "25.0", "75.0", "0.69")
    interval = gains.bootstrap_mean([1.0, 1 / 3, 0.75])
    assert figure(html, "95 % confidence interval") == f"{shown(interval.low)} … {shown(interval.high)}"
    assert 1 / 3 <= interval.low < interval.mean < interval.high <= 1.0
    assert "(Hake's ⟨g⟩) is 0.67" in plain(html) and "percentile bootstrap over participants" in html
    assert "Not compared: 0 took only the entry test, 1 only the final test." in plain(html)
    voter, observers = (Topic.objects.get(code=code).name_en for code in ("voter-lists", "observers"))
    topics = {cells[0]: cells[1:5] for cells in rows(html, "topic-row")}
    assert topics == {voter: ["3", "33.3", "83.3", "0.67"], observers: ["3", "16.7", "66.7", "0.67"]}
    # On paper: the site's header (site.css) and the test's menu (class noprint) are hidden; see the browser test.
    assert '<div class="noprint">' in html and "/static/psychometrics/statistics.css" in html


# --- gains.py (pure) --------------------------------------------------------------------------------------------


def test_the_normalised_gain_by_hand():
    assert gains.normalised_gain(50, 100) == 1.0
    assert gains.normalised_gain(25, 50) == pytest.approx(1 / 3)
    assert gains.normalised_gain(0, 75) == 0.75
    assert gains.normalised_gain(40, 25) == pytest.approx(-0.25)
    assert gains.normalised_gain(100, 90) is None


def test_the_group_summary_by_hand():
    summary = gains.summarise([(50, 100), (25, 50), (0, 75), (100, 100)])
    assert summary.n == 4 and summary.undefined == 1
    assert summary.pre_mean == pytest.approx(43.75) and summary.post_mean == pytest.approx(81.25)
    assert summary.gain.n == 3 and summary.gain.mean == pytest.approx((1 + 1 / 3 + 0.75) / 3)
    assert summary.group_gain == pytest.approx((81.25 - 43.75) / (100 - 43.75))
    empty = gains.summarise([])
    assert empty.n == 0 and empty.gain.mean is None and empty.group_gain is None


def test_the_bootstrap_interval_by_hand():
    # Two values 0 and 1: a resample's mean is 0, 0.5 or 1 with chances 1/4, 1/2, 1/4, so the 2.5th and 97.5th
    # percentiles are 0 and 1.
    assert gains.bootstrap_mean([0.0, 1.0]) == gains.Interval(mean=0.5, low=0.0, high=1.0, n=2)
    # No spread, no interval width.
    flat = gains.bootstrap_mean([0.4, 0.4, 0.4])
    assert (flat.mean, flat.low, flat.high, flat.n) == (pytest.approx(0.4), pytest.approx(0.4), pytest.approx(0.4), 3)
    # A large sample: close to mean ± 1.96 σ/√n with the plug-in σ (0…99: σ = 28.866, so ± 5.66).
    wide = gains.bootstrap_mean(range(100))
    assert wide.mean == 49.5
    assert wide.low == pytest.approx(49.5 - 5.66, abs=0.4) and wide.high == pytest.approx(49.5 + 5.66, abs=0.4)
    # Fixed seed: the same interval every time; None left out; too few for an interval.
    assert gains.bootstrap_mean([0.1, 0.7, 0.2, None]) == gains.bootstrap_mean([0.1, 0.7, 0.2])
    assert gains.bootstrap_mean([0.3]) == gains.Interval(mean=0.3, low=None, high=None, n=1)
    assert gains.bootstrap_mean([]) == gains.Interval(mean=None, low=None, high=None, n=0)


# --- charts.py (pure) -------------------------------------------------------------------------------------------


def test_round_ticks():
    assert charts.nice_ticks(0, 1) == [0.0, 0.5, 1.0]
    assert charts.nice_ticks(0, 1, 6) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert charts.nice_ticks(-4, 4, count=7) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert charts.nice_ticks(0, 0.23, 4) == [0.0, 0.1, 0.2, 0.3]
    assert charts.nice_ticks(3, 3) == [3]


def test_a_line_chart_is_an_image_with_a_name_a_description_axes_and_escaped_text():
    svg = charts.line_chart([charts.Series(points=[(0, 0), (1, 2), (2, 1)], errors=[0.5, 0.5, 0.5], markers=True)],
                            chart_id="c1", title="A <b> & title", description='say "hi"', x_label="x<", y_label="y")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and svg.endswith("</svg>")
    assert 'role="img" aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">A &lt;b&gt; &amp; title</title>' in svg
    assert '<desc id="c1-desc">say &quot;hi&quot;</desc>' in svg and ">x&lt;</text>" in svg
    assert "<b>" not in svg
    path = re.search(r'<path class="series series-0" d="([^"]+)"', svg).group(1)
    assert path.count("L") == 2 and path.startswith("M52,")
    assert svg.count("<circle ") == 3 and svg.count('<g class="errors"') == 1
    with pytest.raises(ValueError):
        charts.line_chart([], chart_id='x" onload="', title="", description="", x_label="", y_label="")
    with pytest.raises(ValueError):
        charts.line_chart([charts.Series(points=[(0, float("nan"))])], chart_id="c2", title="", description="",
                          x_label="", y_label="")


def test_a_chart_with_given_ticks_and_one_point():
    svg = charts.line_chart([charts.Series(points=[(5, 1)])], chart_id="one", title="t", description="d",
                            x_label="", y_label="", x_ticks=[(5, "2025-01-01")], y_range=(0, 2))
    assert ">2025-01-01</text>" in svg and svg.count("<circle ") == 1 and "<path" not in svg
