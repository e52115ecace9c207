"""The item bank pages for each role: the list, an item, the editor, the review workflow, import, export and the
amendments of the law."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from saylau.assessment import bank
from saylau.assessment.models import Amendment, Item, ItemVersion
from saylau.core.models import AuditEntry

from .factories import approved_item, bank_of, choice_document, scenario_document

pytestmark = pytest.mark.django_db

TESTDATA = Path(settings.BASE_DIR).parent / "shared" / "testdata"
ROLES = ["admin", "auditor", "coordinator", "trainer", "participant"]


def login(client, user):
    """Logged in, reading the pages in English (the messages the assertions look for)."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text(response) -> str:
    return response.content.decode()


def draft(world, document=None) -> Item:
    return bank.item_create(by=world.trainer, document=document or choice_document(1))


# --- Who gets which page --------------------------------------------------------------------------------------

PAGES = {
    # page: expected status per role
    "/assessment/bank/": {"admin": 200, "auditor": 200, "coordinator": 200, "trainer": 200, "participant": 403},
    "/assessment/bank/items/{item}/": {"admin": 200, "auditor": 200, "coordinator": 200, "trainer": 200,
                                       "participant": 404},
    "/assessment/bank/items/{item}/edit/": {"admin": 200, "auditor": 403, "coordinator": 200, "trainer": 200,
                                            "participant": 404},
    "/assessment/bank/items/new/": {"admin": 200, "auditor": 403, "coordinator": 200, "trainer": 200,
                                    "participant": 403},
    "/assessment/bank/items/new/?type=scenario": {"admin": 200, "auditor": 403, "coordinator": 200, "trainer": 200,
                                                  "participant": 403},
    "/assessment/bank/import/": {"admin": 200, "auditor": 403, "coordinator": 200, "trainer": 200, "participant": 403},
    "/assessment/bank/amendments/": {"admin": 200, "auditor": 200, "coordinator": 200, "trainer": 200,
                                     "participant": 403},
    "/assessment/bank/export/?format=gift": {"admin": 200, "auditor": 200, "coordinator": 200, "trainer": 200,
                                             "participant": 403},
}


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, world, page):
    item = approved_item(world.admin, choice_document())
    response = client.get(page.format(item=item.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_each_role_gets_the_bank_pages_it_may_see_and_no_others(client, world, page, role):
    item = approved_item(world.admin, choice_document())
    response = login(client, getattr(world, role)).get(page.format(item=item.pk))
    assert response.status_code == PAGES[page][role]


def test_a_participant_cannot_post_to_any_bank_page(client, world):
    item = draft(world)
    login(client, world.participant)
    assert client.post(f"/assessment/bank/items/{item.pk}/status/", {"status": "review"}).status_code == 404
    assert client.post("/assessment/bank/import/confirm/", {}).status_code == 403
    assert client.post("/assessment/bank/items/new/?type=single_choice", {}).status_code == 403


# --- The list -------------------------------------------------------------------------------------------------


def test_the_list_shows_each_item_with_its_facts_and_counts_per_status_and_topic(client, world):
    approved_item(world.admin, choice_document(1, difficulty=4))
    approved_item(world.admin, scenario_document())
    flagged = draft(world, choice_document(3, topic="counting", languages=("ru",)))
    bank.item_set_status(by=world.admin, item=flagged, status="review", reason="Статья 24 изменена")
    page = text(login(client, world.coordinator).get("/assessment/bank/"))
    assert "Сұрақ 1" in page and "Наблюдатель и список" in page and "Сұрақ 3" in page
    assert "Статья 24 изменена" in page and "⚑" in page
    assert "ҚАЗ" in page and "РУС" in page
    counts = re.search(r"<tbody><tr>(.*?)</tr></tbody>", page, re.DOTALL).group(1)
    assert re.findall(r">(\d+)</a>", counts) == ["0", "1", "2", "0"]  # draft, review, approved, retired


def test_the_list_filters_by_status_topic_type_language_difficulty_and_name(client, world):
    approved_item(world.admin, choice_document(1, difficulty=4))
    approved_item(world.admin, choice_document(2, topic="counting", languages=("ru",)))
    approved_item(world.admin, scenario_document())
    draft(world, choice_document(4))
    login(client, world.trainer)

    def names(query: str) -> set[str]:
        page = text(client.get(f"/assessment/bank/?{query}"))
        return set(re.findall(r'<a href="/assessment/bank/items/\d+/">([^<]+)</a>', page))

    assert names("status=draft") == {"Сұрақ 4"}
    assert names("topic=counting") == {"Сұрақ 2"}
    assert names("type=scenario") == {"Наблюдатель и список"}
    assert names("language=kk&status=approved") == {"Сұрақ 1", "Наблюдатель и список"}
    assert names("difficulty=4") == {"Сұрақ 1"}
    assert names("q=наблюдатель") == {"Наблюдатель и список"}


def test_an_item_without_a_name_is_listed_by_the_plain_start_of_its_text(client, world):
    document = {**choice_document(1), "name": ""}
    document["text"] = {"ru": "<p>Кто <b>составляет</b> списки &amp; когда?</p>"}
    document["options"] = [{**option, "text": {"ru": option["text"]["ru"]}} for option in document["options"]]
    item = draft(world, document)
    assert item.name == "Кто составляет списки & когда?"
    page = text(login(client, world.trainer).get("/assessment/bank/"))
    assert "Кто составляет списки &amp; когда?</a>" in page


def test_the_list_is_paginated_by_fifty(client, world):
    bank_of(world.admin, 51)
    login(client, world.admin)
    first = text(client.get("/assessment/bank/"))
    rows = re.compile(r'<a href="/assessment/bank/items/\d+/">')
    assert len(rows.findall(first)) == 50
    assert "51 items" in first and 'rel="next"' in first
    assert len(rows.findall(text(client.get("/assessment/bank/?page=2")))) == 1


def test_the_list_links_to_import_new_item_export_and_amendments_for_authors_only(client, world):
    page = text(login(client, world.trainer).get("/assessment/bank/"))
    for link in ("/assessment/bank/import/", "/assessment/bank/items/new/", "/assessment/bank/export/?format=gift",
                 "/assessment/bank/export/?format=moodle-xml", "/assessment/bank/amendments/"):
        assert link in page
    page = text(login(client, world.auditor).get("/assessment/bank/"))
    assert "/assessment/bank/import/" not in page and "/assessment/bank/items/new/" not in page


# --- One item -------------------------------------------------------------------------------------------------


def test_the_item_page_shows_the_item_in_kazakh_and_russian_with_credits_feedback_and_references(client, world):
    item = approved_item(world.admin, choice_document(7))
    page = text(login(client, world.auditor).get(f"/assessment/bank/items/{item.pk}/"))
    assert "<p>Сұрақ 7: сайлаушылар тізімін кім жасайды?</p>" in page
    assert "<p>Вопрос 7: кто составляет списки избирателей?</p>" in page
    assert page.index("Әкімдік") < page.index("Акимат")  # side by side: the Kazakh column first
    assert "100 %" in page and "Дұрыс." in page and "Верно." in page
    assert "Списки составляет местный исполнительный орган." in page
    assert "art. 24" in page and "para. 1" in page
    assert "On Elections in the Republic of Kazakhstan" in page
    assert re.search(r"<th scope=\"row\">1 \(current\)</th>", page)


def test_the_item_page_shows_each_scenario_step_with_the_credit_and_expert_commentary_of_its_options(client, world):
    item = approved_item(world.admin, scenario_document())
    page = text(login(client, world.trainer).get(f"/assessment/bank/items/{item.pk}/"))
    assert "Step 1" in page and "Step 2" in page
    assert "Разрешу ознакомиться, без съёмки" in page and "Составлю акт" in page
    assert "50 %" in page and "Комментарий к s1c: статья 20" in page
    assert "Expert commentary" in page


def test_the_item_page_shows_answers_numbers_pairs_and_grader_information_of_the_other_types(client, world):
    short = bank.item_create(by=world.admin, document={
        "type": "short_answer", "name": "Қысқа", "text": {"ru": "Сколько членов в ЦИК?"},
        "answers": [{"text": "семь", "fraction": 1}, {"text": "7", "fraction": 1, "feedback": {"ru": "Цифрой"}}]})
    numerical = bank.item_create(by=world.admin, document={
        "type": "numerical", "name": "Сан", "text": {"ru": "Срок полномочий (лет)?"},
        "numbers": [{"value": 5, "tolerance": 0.5, "fraction": 1}]})
    matching = bank.item_create(by=world.admin, document={
        "type": "matching", "name": "Сәйкестік", "text": {"ru": "Сопоставьте"},
        "pairs": [{"id": "p1", "premise": {"ru": "ЦИК"}, "response": {"ru": "7 членов"}},
                  {"id": "p2", "premise": {"ru": "УИК"}, "response": {"ru": "5–11 членов"}},
                  {"id": "p3", "premise": {}, "response": {"ru": "100 членов"}}]})
    essay = bank.item_create(by=world.admin, document={
        "type": "essay", "name": "Эссе", "text": {"ru": "Опишите порядок подсчёта"},
        "essay": {"response_format": "plain", "min_words": 50, "grader_info": {"ru": "Ключевые шаги: …"}}})
    login(client, world.admin)
    page = text(client.get(f"/assessment/bank/items/{short.pk}/"))
    assert "семь" in page and "Цифрой" in page
    assert "5.0 ± 0.5" in text(client.get(f"/assessment/bank/items/{numerical.pk}/"))
    page = text(client.get(f"/assessment/bank/items/{matching.pk}/"))
    assert "ЦИК → 7 членов" in page and "extra response" in page
    page = text(client.get(f"/assessment/bank/items/{essay.pk}/"))
    assert "Ключевые шаги: …" in page and "at least 50 words" in page


def test_the_item_page_never_renders_markup_that_can_run(client, world):
    document = choice_document(1)
    document["text"]["ru"] = '<p onclick="x()">Вопрос<script>alert(1)</script><img src="javascript:x"></p>'
    item = bank.item_create(by=world.admin, document=document)  # the services do not sanitise: the page must
    page = text(login(client, world.admin).get(f"/assessment/bank/items/{item.pk}/"))
    assert "alert(1)" not in page and "onclick" not in page and "javascript:" not in page
    assert "<p>Вопрос</p>" in page


def test_an_older_version_can_be_looked_at(client, world):
    item = approved_item(world.admin, choice_document(1))
    changed = choice_document(1)
    changed["text"]["ru"] = "<p>Новая редакция</p>"
    bank.item_update(by=world.admin, item=item, document=changed)
    login(client, world.admin)
    assert "Новая редакция" in text(client.get(f"/assessment/bank/items/{item.pk}/"))
    old = text(client.get(f"/assessment/bank/items/{item.pk}/?version=1"))
    assert "Новая редакция" not in old and "You are looking at version 1" in old
    assert client.get(f"/assessment/bank/items/{item.pk}/?version=9").status_code == 404


# --- The review workflow --------------------------------------------------------------------------------------


def test_an_author_sees_send_to_review_and_no_reviewer_buttons(client, world):
    item = draft(world)
    page = text(login(client, world.trainer).get(f"/assessment/bank/items/{item.pk}/"))
    assert "Send to review" in page
    assert "Approve" not in page and "Retire" not in page


def test_an_auditor_sees_no_buttons(client, world):
    item = draft(world)
    page = text(login(client, world.auditor).get(f"/assessment/bank/items/{item.pk}/"))
    assert "Send to review" not in page and "Approve" not in page and "/edit/" not in page


def test_an_author_sends_a_draft_to_review_and_takes_it_back(client, world):
    item = draft(world)
    login(client, world.trainer)
    response = client.post(f"/assessment/bank/items/{item.pk}/status/", {"action0-status": "review"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "review"
    assert "Back to draft" in text(client.get(f"/assessment/bank/items/{item.pk}/"))
    client.post(f"/assessment/bank/items/{item.pk}/status/", {"action0-status": "draft"})
    item.refresh_from_db()
    assert item.status == "draft"


def test_an_author_cannot_approve(client, world):
    item = draft(world)
    response = login(client, world.coordinator).post(f"/assessment/bank/items/{item.pk}/status/",
                                                     {"status": "approved"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == "draft"


def test_the_administrator_approves_sends_back_to_review_with_a_reason_and_retires(client, world):
    item = draft(world)
    login(client, world.admin)
    page = text(client.get(f"/assessment/bank/items/{item.pk}/"))
    assert "Approve" in page and "Retire" in page
    client.post(f"/assessment/bank/items/{item.pk}/status/", {"status": "approved"})
    item.refresh_from_db()
    assert item.status == "approved"

    # Sending back to review needs a reason.
    response = client.post(f"/assessment/bank/items/{item.pk}/status/", {"status": "review", "needs_reason": "True"},
                           follow=True)
    assert "Say why the item goes back to review." in text(response)
    item.refresh_from_db()
    assert item.status == "approved"
    client.post(f"/assessment/bank/items/{item.pk}/status/",
                {"status": "review", "needs_reason": "True", "reason": "Ответ устарел"})
    item.refresh_from_db()
    assert (item.status, item.review_reason) == ("review", "Ответ устарел")
    assert "Ответ устарел" in text(client.get(f"/assessment/bank/items/{item.pk}/"))

    client.post(f"/assessment/bank/items/{item.pk}/status/", {"status": "retired", "reason": "Дубликат"})
    item.refresh_from_db()
    assert item.status == "retired"
    entry = AuditEntry.objects.filter(action="assessment.item.status").order_by("-pk").first()
    assert entry.changes["reason"] == "Дубликат"


def test_a_change_the_workflow_does_not_allow_is_shown_as_a_message(client, world):
    item = draft(world)
    bank.item_set_status(by=world.admin, item=item, status="retired")
    response = login(client, world.admin).post(f"/assessment/bank/items/{item.pk}/status/", {"status": "approved"},
                                               follow=True)
    assert "cannot go from" in text(response)


# --- The editor -----------------------------------------------------------------------------------------------


def choice_post(**overrides) -> dict:
    data = {
        "name": "Списки", "topic": "voter-lists", "difficulty": "2", "points": "1", "shuffle": "on",
        "text_kk": "Тізімді кім жасайды?", "text_ru": "Кто составляет списки?\nВыберите один ответ.",
        "general_feedback_kk": "", "general_feedback_ru": "Статья 24.",
        "ref-TOTAL_FORMS": "2", "ref-INITIAL_FORMS": "0", "ref-MIN_NUM_FORMS": "0", "ref-MAX_NUM_FORMS": "2",
        "ref-0-act": "elections", "ref-0-article": "24", "ref-0-paragraph": "1",
        "option-TOTAL_FORMS": "8", "option-INITIAL_FORMS": "0", "option-MIN_NUM_FORMS": "0",
        "option-MAX_NUM_FORMS": "8",
        "option-0-text_kk": "Әкімдік", "option-0-text_ru": "Акимат", "option-0-credit": "100",
        "option-0-feedback_ru": "Верно",
        "option-1-text_kk": "Сот", "option-1-text_ru": "Суд", "option-1-credit": "0",
    }
    data.update(overrides)
    return data


def test_the_editor_creates_a_single_choice_draft_from_its_fields(client, world):
    login(client, world.trainer)
    assert "Option 8" in text(client.get("/assessment/bank/items/new/?type=single_choice"))
    response = client.post("/assessment/bank/items/new/?type=single_choice", choice_post())
    item = Item.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assessment/bank/items/{item.pk}/"
    assert (item.status, item.type, item.created_by, item.has_kk, item.has_ru) == (
        "draft", "single_choice", world.trainer, True, True)
    document = item.current.document
    assert document["text"]["ru"] == "Кто составляет списки?<br>Выберите один ответ."
    assert [(o["id"], o["text"]["ru"], o["fraction"]) for o in document["options"]] == [
        ("a", "Акимат", 1.0), ("b", "Суд", 0.0)]
    assert document["options"][0]["feedback"] == {"ru": "Верно"}
    assert document["references"] == [{"act": "elections", "article": "24", "paragraph": "1"}]
    assert (document["topic"], document["difficulty"], document["shuffle"]) == ("voter-lists", 2, True)


def test_the_editor_sanitises_what_is_typed(client, world):
    login(client, world.trainer)
    client.post("/assessment/bank/items/new/?type=single_choice", choice_post(
        text_ru='<p onmouseover="x()">Кто <strong>составляет</strong>?</p><script>alert(1)</script>',
        **{"option-0-text_ru": '<a href="javascript:alert(1)">Акимат</a>'}))
    document = Item.objects.get().current.document
    assert document["text"]["ru"] == "<p>Кто <strong>составляет</strong>?</p>"
    assert document["options"][0]["text"]["ru"] == "Акимат"


def test_the_editor_shows_a_service_error_next_to_the_field_it_is_about(client, world):
    login(client, world.trainer)
    response = client.post("/assessment/bank/items/new/?type=single_choice",
                           choice_post(**{"option-0-credit": "50"}))
    assert response.status_code == 200 and not Item.objects.exists()
    page = text(response)
    assert "The item is not saved" in page
    assert "no option gives full credit" in page


def test_the_editor_links_a_field_error_to_its_field(client, world):
    login(client, world.trainer)
    response = client.post("/assessment/bank/items/new/?type=single_choice",
                           choice_post(**{"option-2-credit": "100", "option-1-credit": "500"}))
    page = text(response)
    assert 'aria-describedby="id_option-1-credit_helptext id_option-1-credit_error"' in page
    assert 'id="id_option-1-credit_error"' in page
    assert 'id="id_option-2-text_kk_error"' in page  # a credit without a text


def test_editing_an_approved_item_makes_a_new_version_and_sends_it_back_to_draft(client, world):
    item = approved_item(world.admin, choice_document(1))
    login(client, world.coordinator)
    page = text(client.get(f"/assessment/bank/items/{item.pk}/edit/"))
    assert "Saving a change creates a new version" in page and "Әкімдік" in page
    response = client.post(f"/assessment/bank/items/{item.pk}/edit/", choice_post(**{
        "option-0-id": "a", "option-1-id": "b", "option-INITIAL_FORMS": "3"}), follow=True)
    item.refresh_from_db()
    assert (item.status, item.current.number) == ("draft", 2)
    assert ItemVersion.objects.get(item=item, number=1).document["text"]["ru"].startswith("<p>Вопрос 1")
    page = text(response)
    assert "A new version (2) was created" in page and "went back to draft" in page


def test_editing_a_draft_changes_it_in_place_and_keeps_what_the_form_does_not_show(client, world):
    document = choice_document(1)
    document["tags"] = ["2024"]
    item = draft(world, document)
    login(client, world.trainer)
    response = client.post(f"/assessment/bank/items/{item.pk}/edit/", choice_post(**{
        "option-INITIAL_FORMS": "3", "option-0-id": "a", "option-1-id": "b",
        "option-2-text_ru": "Маслихат", "option-2-credit": "0",
        "option-3-text_ru": "Партия", "option-3-credit": "0"}), follow=True)
    item.refresh_from_db()
    assert item.current.number == 1 and "The item is saved." in text(response)
    document = item.current.document
    assert document["tags"] == ["2024"]
    assert [option["id"] for option in document["options"]] == ["a", "b", "c", "d"]


def unchanged_post(editor) -> dict:
    """What the browser sends back for the editor's page when nothing is touched."""
    data = {}
    forms = [editor.common, *(form for formset in editor.formsets() for form in formset.forms)]
    for formset in editor.formsets():
        data.update({f"{formset.prefix}-{name}": value for name, value in formset.management_form.initial.items()})
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if name == "shuffle":
                if value:
                    data[form.add_prefix(name)] = "on"
            elif value is not None:
                data[form.add_prefix(name)] = value
    return data


THIRDS = {"type": "multiple_choice", "name": "Трети", "text": {"ru": "<p>A &amp; B &lt; C</p>"}, "options": [
    {"id": "a", "text": {"ru": "Один"}, "fraction": 0.3333333}, {"id": "b", "text": {"ru": "Два"}, "fraction": 0.3333333},
    {"id": "c", "text": {"ru": "Три"}, "fraction": 0.3333333}, {"id": "d", "text": {"ru": "R&amp;D"}, "fraction": -1.0}]}


@pytest.mark.parametrize("document", [choice_document(1), THIRDS], ids=["single choice", "thirds and entities"])
def test_saving_an_item_untouched_changes_nothing(client, world, document):
    item = approved_item(world.admin, document)
    login(client, world.admin)
    editor = client.get(f"/assessment/bank/items/{item.pk}/edit/").context["editor"]
    response = client.post(f"/assessment/bank/items/{item.pk}/edit/", unchanged_post(editor), follow=True)
    assert "Nothing was changed." in text(response)
    item.refresh_from_db()
    assert (item.status, item.current.number) == ("approved", 1)


def test_the_editor_creates_a_scenario_with_steps_options_credits_and_commentary(client, world):
    data = {
        "name": "Фото списка", "topic": "observers", "difficulty": "3", "points": "2",
        "text_kk": "Байқаушы тізімді суретке түсіргісі келеді.", "text_ru": "Наблюдатель хочет сфотографировать список.",
        "ref-TOTAL_FORMS": "2", "ref-INITIAL_FORMS": "0", "ref-MIN_NUM_FORMS": "0", "ref-MAX_NUM_FORMS": "2",
        "step-TOTAL_FORMS": "4", "step-INITIAL_FORMS": "0", "step-MIN_NUM_FORMS": "0", "step-MAX_NUM_FORMS": "4",
        "step-0-text_ru": "Что вы сделаете?", "step-1-text_ru": "Он настаивает.",
    }
    for step in range(4):
        data.update({f"step{step}-option-TOTAL_FORMS": "5", f"step{step}-option-INITIAL_FORMS": "0",
                     f"step{step}-option-MIN_NUM_FORMS": "0", f"step{step}-option-MAX_NUM_FORMS": "5"})
    data.update({
        "step0-option-0-text_ru": "Разрешу ознакомиться", "step0-option-0-text_kk": "Танысуға рұқсат етемін",
        "step0-option-0-credit": "100", "step0-option-0-feedback_ru": "Статья 20, п. 3",
        "step0-option-1-text_ru": "Позову председателя", "step0-option-1-text_kk": "Төрағаны шақырамын",
        "step0-option-1-credit": "50",
        "step1-option-0-text_ru": "Составлю акт", "step1-option-0-text_kk": "Акт жасаймын", "step1-option-0-credit": "100",
        "step1-option-1-text_ru": "Уступлю", "step1-option-1-text_kk": "Көнемін",
    })
    login(client, world.trainer)
    response = client.post("/assessment/bank/items/new/?type=scenario", data)
    assert response.status_code == 302, text(response)
    document = Item.objects.get().current.document
    assert [step["id"] for step in document["steps"]] == ["s1", "s2"]
    assert [(o["id"], o["fraction"]) for o in document["steps"][0]["options"]] == [("s1a", 1.0), ("s1b", 0.5)]
    assert document["steps"][0]["options"][0]["feedback"] == {"ru": "Статья 20, п. 3"}
    assert document["steps"][1]["text"] == {"ru": "Он настаивает."}

    # Editing keeps the step and option ids.
    item = Item.objects.get()
    editor = client.get(f"/assessment/bank/items/{item.pk}/edit/").context["editor"]
    assert editor.steps.forms[0].initial["id"] == "s1"
    assert editor.step_options[1].forms[1].initial["id"] == "s2b"


def test_the_editor_creates_a_true_false_item_with_the_standard_statements(client, world):
    data = {"name": "ТФ", "points": "1", "text_kk": "ОСК 7 мүшеден тұрады.", "text_ru": "ЦИК состоит из 7 членов.",
            "ref-TOTAL_FORMS": "0", "ref-INITIAL_FORMS": "0", "ref-MIN_NUM_FORMS": "0", "ref-MAX_NUM_FORMS": "2",
            "option-TOTAL_FORMS": "2", "option-INITIAL_FORMS": "2", "option-MIN_NUM_FORMS": "0",
            "option-MAX_NUM_FORMS": "2", "option-0-credit": "100", "option-1-credit": "0",
            "option-1-feedback_ru": "Семь: статья 11"}
    login(client, world.coordinator)
    response = client.post("/assessment/bank/items/new/?type=true_false", data)
    assert response.status_code == 302, text(response)
    options = Item.objects.get().current.document["options"]
    assert [(o["id"], o["text"], o["fraction"]) for o in options] == [
        ("true", {"kk": "Дұрыс", "ru": "Верно"}, 1.0), ("false", {"kk": "Дұрыс емес", "ru": "Неверно"}, 0.0)]


def test_other_types_are_edited_as_a_json_document(client, world):
    login(client, world.trainer)
    page = text(client.get("/assessment/bank/items/new/?type=short_answer"))
    assert "&quot;answers&quot;" in page
    document = ('{"type": "short_answer", "name": "ЦИК", "text": {"ru": "<p>Сколько членов?</p><script>x()</script>"},'
                ' "answers": [{"text": "7", "fraction": 1}]}')
    response = client.post("/assessment/bank/items/new/?type=short_answer", {"document": document})
    assert response.status_code == 302
    item = Item.objects.get()
    assert item.current.document["text"] == {"ru": "<p>Сколько членов?</p>"}
    assert item.current.document["answers"][0]["text"] == "7"


def test_the_json_editor_names_the_field_path_of_a_problem(client, world):
    login(client, world.trainer)
    document = ('{"type": "numerical", "text": {"ru": "Срок?"},'
                ' "numbers": [{"value": 5, "fraction": 1}, {"value": 4, "fraction": 3}]}')
    page = text(client.post("/assessment/bank/items/new/?type=numerical", {"document": document}))
    assert "numbers.1.fraction" in page and "out of range" in page
    assert 'id="id_document_error"' in page
    page = text(client.post("/assessment/bank/items/new/?type=numerical", {"document": '{"type": "numerical",\n'}))
    assert "not valid JSON (line 2" in page
    assert not Item.objects.exists()


def test_an_item_larger_than_the_structured_form_is_edited_as_json_so_nothing_is_cut(client, world):
    document = choice_document(1)
    document["options"] += [{"id": f"x{n}", "text": {"kk": f"Жауап {n}", "ru": f"Ответ {n}"}, "fraction": 0}
                            for n in range(6)]  # 9 options
    item = draft(world, document)
    editor = login(client, world.trainer).get(f"/assessment/bank/items/{item.pk}/edit/").context["editor"]
    assert not editor.structured and "Ответ 5" in editor.json["document"].value()


def test_the_new_item_page_offers_every_type(client, world):
    page = text(login(client, world.trainer).get("/assessment/bank/items/new/"))
    for kind in ("single_choice", "multiple_choice", "true_false", "scenario", "short_answer", "numerical", "matching",
                 "essay", "description"):
        assert f"?type={kind}" in page


# --- Import ---------------------------------------------------------------------------------------------------


def upload(path: Path, **fields) -> dict:
    return {"file": SimpleUploadedFile(path.name, path.read_bytes()), "language": "ru", "topic": "",
            "status": "draft", **fields}


def confirm_fields(page: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(payload|ticket)" value="([^"]*)"', page))


def test_the_import_preview_shows_the_format_counts_unsupported_questions_and_imports_nothing(client, world):
    login(client, world.trainer)
    response = client.post("/assessment/bank/import/", upload(TESTDATA / "moodle_xml/qas_editor/all.xml"))
    assert response.status_code == 200
    page = text(response)
    assert "Moodle XML" in page
    assert re.search(r"single choice</th><td>5</td>", page) and re.search(r"numerical</th><td>4</td>", page)
    assert "Drag and drop markers test" in page and "<code>ddmarker</code>" in page and "<code>cloze</code>" in page
    assert "Import 15 questions" in page
    assert "embedded files (images) were dropped" in page
    assert not Item.objects.exists()


def test_confirming_the_preview_imports_the_file_and_links_to_the_new_drafts(client, world):
    login(client, world.trainer)
    preview = text(client.post("/assessment/bank/import/", upload(TESTDATA / "gift/bsuir_pm_ru.gift",
                                                                  topic="legal-framework")))
    assert "GIFT" in preview and "Import 52 questions" in preview
    response = client.post("/assessment/bank/import/confirm/", confirm_fields(preview), follow=True)
    assert Item.objects.filter(status="draft", type="single_choice", topic__code="legal-framework").count() == 52
    page = text(response)
    assert "52 items imported" in page and 'href="/assessment/bank/?status=draft"' in page


def test_a_broken_file_shows_the_line_of_the_problem(client, world):
    broken = b'<?xml version="1.0"?>\n<quiz>\n<question type="multichoice">\n<name><text>x</text></name>\n</quiz>\n'
    login(client, world.trainer)
    response = client.post("/assessment/bank/import/", {
        "file": SimpleUploadedFile("broken.xml", broken), "language": "ru", "status": "draft"})
    assert response.status_code == 422
    assert "line 5" in text(response)
    assert "/import/confirm/" not in text(response)


def test_only_administrators_may_import_approved_items(client, world):
    login(client, world.trainer)
    response = client.post("/assessment/bank/import/", upload(TESTDATA / "gift/bsuir_pm_ru.gift", status="approved"))
    assert response.status_code == 200 and 'id="id_status_error"' in text(response)
    login(client, world.admin)
    preview = text(client.post("/assessment/bank/import/", upload(TESTDATA / "gift/bsuir_pm_ru.gift",
                                                                  status="approved")))
    client.post("/assessment/bank/import/confirm/", confirm_fields(preview))
    assert Item.objects.filter(status="approved").count() == 52


def test_a_changed_or_foreign_preview_is_not_imported(client, world):
    login(client, world.trainer)
    fields = confirm_fields(text(client.post("/assessment/bank/import/", upload(TESTDATA / "gift/bsuir_pm_ru.gift"))))
    tampered = {**fields, "payload": fields["payload"][:-8] + "AAAAAAA="}
    response = client.post("/assessment/bank/import/confirm/", tampered, follow=True)
    assert "upload the file again" in text(response)
    login(client, world.coordinator)  # another author cannot replay the trainer's preview
    client.post("/assessment/bank/import/confirm/", fields)
    assert not Item.objects.exists()


def test_a_file_over_five_megabytes_is_refused(client, world):
    login(client, world.trainer)
    response = client.post("/assessment/bank/import/", {
        "file": SimpleUploadedFile("big.gift", b"x" * (5 * 1024 * 1024 + 1)), "language": "ru", "status": "draft"})
    assert "larger than 5 MB" in text(response)


def test_a_file_too_large_to_carry_to_the_confirmation_is_refused_at_the_preview(client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    response = login(client, world.trainer).post("/assessment/bank/import/",
                                                 upload(TESTDATA / "gift/bsuir_pm_ru.gift"))
    page = text(response)
    assert 'id="id_file_error"' in page and "import_questions" in page
    assert "/import/confirm/" not in page


# --- Export ---------------------------------------------------------------------------------------------------


def test_the_export_writes_the_approved_items_of_the_filter_in_the_chosen_format(client, world):
    approved_item(world.admin, choice_document(1))
    approved_item(world.admin, choice_document(2, topic="counting"))
    approved_item(world.admin, scenario_document())
    draft(world, choice_document(4))
    login(client, world.auditor)
    page = text(client.get("/assessment/bank/?topic=voter-lists"))
    assert "/assessment/bank/export/?topic=voter-lists&amp;format=gift" in page
    response = client.get("/assessment/bank/export/?topic=voter-lists&format=gift&language=ru")
    assert response["Content-Disposition"] == 'attachment; filename="items.gift"'
    content = response.content.decode()
    assert "Вопрос 1" in content and "Вопрос 2" not in content and "Вопрос 4" not in content
    response = client.get("/assessment/bank/export/?format=moodle-xml")
    content = response.content.decode()
    assert content.startswith("<?xml") and "Сұрақ 1" in content and "Наблюдатель" not in content
    assert "1 approved scenario is not exported" in text(client.get("/assessment/bank/"))


# --- Amendments -----------------------------------------------------------------------------------------------


def test_recording_an_amendment_sends_the_items_citing_it_back_to_review(client, world):
    citing = approved_item(world.admin, choice_document(1))  # cites elections art. 24 para. 1
    other = approved_item(world.admin, choice_document(2, references=[{"act": "elections", "article": "30"}]))
    login(client, world.admin)
    response = client.post("/assessment/bank/amendments/", {
        "act": "elections", "article": "24", "paragraph": "1", "amended_on": "2025-06-30",
        "note": "Закон от 30.06.2025"}, follow=True)
    page = text(response)
    assert "1 item sent back to review." in page
    assert "Закон от 30.06.2025" in page and "2025-06-30" in page
    citing.refresh_from_db()
    other.refresh_from_db()
    assert citing.status == "review" and "art. 24" in citing.review_reason
    assert other.status == "approved"
    assert Amendment.objects.get().recorded_by == world.admin


def test_only_administrators_record_amendments_but_every_reader_sees_them(client, world):
    login(client, world.trainer)
    assert "Record an amendment" not in text(client.get("/assessment/bank/amendments/"))
    response = client.post("/assessment/bank/amendments/", {"act": "elections", "article": "24",
                                                             "amended_on": "2025-06-30"})
    assert response.status_code == 403 and not Amendment.objects.exists()
    login(client, world.admin)
    page = text(client.get("/assessment/bank/amendments/"))
    assert "Record an amendment" in page and '<label for="id_act">' in page


def test_an_amendment_form_with_a_missing_article_says_so_at_the_field(client, world):
    response = login(client, world.admin).post("/assessment/bank/amendments/", {
        "act": "elections", "article": "", "amended_on": "2025-06-30"})
    assert 'id="id_article_error"' in text(response) and not Amendment.objects.exists()
