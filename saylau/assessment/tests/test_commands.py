"""The import_questions and export_questions commands, on real question files and through a round trip."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from saylau.accounts.models import User
from saylau.assessment import bank
from saylau.assessment.models import Item
from saylau.core.models import AuditEntry

from .factories import approved_item, choice_document, scenario_document

pytestmark = pytest.mark.django_db

TESTDATA = Path(settings.BASE_DIR).parent / "shared" / "testdata"


def run(*args) -> str:
    """The command's output in English (commands speak the active language; the default is Kazakh)."""
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out)
    return out.getvalue()


def test_importing_the_moodle_xml_file_prints_the_counts_ids_and_unsupported_questions(world):
    output = run("import_questions", str(TESTDATA / "moodle_xml/qas_editor/all.xml"), "--language", "ru")
    assert "Format: moodle-xml" in output
    assert "Imported 15 items as draft (by admin)" in output
    for line in ("single_choice: 5", "numerical: 4", "essay: 2", "description: 1", "matching: 1", "short_answer: 1",
                 "true_false: 1"):
        assert f"  {line}\n" in output
    ids = [int(pk) for pk in re.search(r"Item ids: (.*)", output).group(1).split(", ")]
    assert sorted(ids) == sorted(Item.objects.values_list("pk", flat=True)) and len(ids) == 15
    assert "Not imported, unsupported type (10):" in output
    assert "  #3 Drag and drop markers test (ddmarker)\n" in output and "(cloze)" in output
    assert set(Item.objects.values_list("status", flat=True)) == {"draft"}
    entry = AuditEntry.objects.get(action="assessment.items.imported")
    assert entry.actor == world.admin


def test_importing_the_gift_file_with_a_topic_as_another_user(world):
    output = run("import_questions", str(TESTDATA / "gift/bsuir_pm_ru.gift"), "--topic", "legal-framework",
                 "--user", "coordinator")
    assert "Format: gift" in output and "Imported 52 items as draft (by coordinator)" in output
    assert "  single_choice: 52\n" in output and "unsupported" not in output
    assert Item.objects.filter(topic__code="legal-framework", created_by=world.coordinator, has_ru=True).count() == 52


def test_importing_approved_items_needs_an_administrator(world):
    with pytest.raises(CommandError, match="not allowed"):
        run("import_questions", str(TESTDATA / "gift/bsuir_pm_ru.gift"), "--status", "approved", "--user", "trainer")
    run("import_questions", str(TESTDATA / "gift/bsuir_pm_ru.gift"), "--status", "approved")
    assert Item.objects.filter(status="approved").count() == 52


def test_a_broken_file_fails_with_its_line_and_imports_nothing(world, tmp_path):
    broken = tmp_path / "broken.gift"
    broken.write_text("::Q1:: Кто составляет списки? {\n=Акимат\n~Суд\n}\n\n::Q2:: Незакрытый {\n=Да\n",
                      encoding="utf-8")
    with pytest.raises(CommandError, match="line 6"):
        run("import_questions", str(broken))
    assert not Item.objects.exists()


def test_the_import_refuses_unknown_users_topics_and_files(world, tmp_path):
    with pytest.raises(CommandError, match="No active user"):
        run("import_questions", str(TESTDATA / "gift/bsuir_pm_ru.gift"), "--user", "nobody")
    with pytest.raises(CommandError, match="Unknown topic code"):
        run("import_questions", str(TESTDATA / "gift/bsuir_pm_ru.gift"), "--topic", "nowhere")
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_questions", str(tmp_path / "missing.xml"))
    User.objects.filter(role="admin").update(is_active=False)
    with pytest.raises(CommandError, match="No active administrator"):
        run("import_questions", str(TESTDATA / "gift/bsuir_pm_ru.gift"))


def ru_documents() -> list[dict]:
    """One document of every type both formats carry, in Russian, with what a file keeps (no difficulty, no
    references: neither format has them)."""
    common = {"topic": "voter-lists", "difficulty": None, "references": [], "points": 1.0}
    return [
        {**common, "type": "single_choice", "name": "Списки", "text": {"ru": "<p>Кто составляет <b>списки</b>?</p>"},
         "general_feedback": {"ru": "Статья 24."},
         "options": [{"id": "a", "text": {"ru": "Акимат"}, "fraction": 1.0, "feedback": {"ru": "Верно"}},
                     {"id": "b", "text": {"ru": "Суд"}, "fraction": 0.0}]},
        {**common, "type": "multiple_choice", "name": "Члены УИК", "text": {"ru": "Кто входит в УИК?"},
         "options": [{"id": "a", "text": {"ru": "Председатель"}, "fraction": 0.5},
                     {"id": "b", "text": {"ru": "Секретарь"}, "fraction": 0.5},
                     {"id": "c", "text": {"ru": "Аким"}, "fraction": -1.0}]},
        {**common, "type": "true_false", "name": "ЦИК", "text": {"ru": "ЦИК состоит из 7 членов."}, "shuffle": False,
         "options": [{"id": "true", "text": {"ru": "Верно"}, "fraction": 1.0},
                     {"id": "false", "text": {"ru": "Неверно"}, "fraction": 0.0, "feedback": {"ru": "Семь"}}]},
        {**common, "type": "short_answer", "name": "Срок", "text": {"ru": "Срок полномочий комиссии?"},
         "answers": [{"text": "5 лет", "fraction": 1.0}, {"text": "пять*", "fraction": 1.0}]},
        {**common, "type": "numerical", "name": "Члены ЦИК", "text": {"ru": "Сколько членов в ЦИК?"},
         "numbers": [{"value": 7.0, "tolerance": 0.0, "fraction": 1.0}, {"value": 6.0, "tolerance": 0.5, "fraction": 0.5}]},
        {**common, "type": "matching", "name": "Уровни", "text": {"ru": "Сопоставьте"},
         "pairs": [{"id": "p1", "premise": {"ru": "ЦИК"}, "response": {"ru": "7 членов"}},
                   {"id": "p2", "premise": {"ru": "ТИК"}, "response": {"ru": "7 членов, 5 лет"}},
                   {"id": "p3", "premise": {"ru": "УИК"}, "response": {"ru": "5–11 членов"}}]},
        {**common, "type": "essay", "name": "Подсчёт", "text": {"ru": "Опишите порядок подсчёта голосов."},
         "essay": {"response_format": "editor", "min_words": None, "grader_info": {}}},
        {**common, "type": "description", "name": "Введение", "text": {"ru": "<p>Раздел о списках.</p>"},
         "points": 0.0},
    ]


@pytest.mark.parametrize("file_format", ["moodle-xml", "gift"])
def test_an_export_imported_back_through_the_commands_gives_the_same_documents(world, tmp_path, file_format):
    originals = [approved_item(world.admin, document) for document in ru_documents()]
    out = tmp_path / "bank.out"
    output = run("export_questions", "--format", file_format, str(out))
    assert f"8 items written to {out} ({file_format})." in output
    Item.objects.filter(pk__in=[item.pk for item in originals]).update(status="retired")

    output = run("import_questions", str(out), "--language", "ru")
    ids = [int(pk) for pk in re.search(r"Item ids: (.*)", output).group(1).split(", ")]
    imported = Item.objects.select_related("current", "topic").in_bulk(ids)
    assert len(ids) == len(originals)
    for original, pk in zip(originals, ids, strict=True):
        document = dict(imported[pk].current.document)
        assert document.pop("category") == ["voter-lists"]  # the topic travels as the category path
        assert document == original.current.document, original.name
        assert imported[pk].topic.code == "voter-lists"


def test_the_export_lists_the_scenarios_it_cannot_write_and_filters_by_status_topic_and_language(world, tmp_path):
    approved_item(world.admin, choice_document(1))
    approved_item(world.admin, choice_document(2, topic="counting"))
    scenario = approved_item(world.admin, scenario_document(topic="voter-lists"))
    bank.item_create(by=world.trainer, document=choice_document(3))
    out = tmp_path / "items.xml"
    output = run("export_questions", "--format", "moodle-xml", "--topic", "voter-lists", "--language", "kk", str(out))
    assert f"1 item written to {out} (moodle-xml)." in output
    assert f"Not written (1):\n  item {scenario.pk} Наблюдатель и список (a scenario: the format cannot carry it)" in output
    content = out.read_text(encoding="utf-8")
    assert "Сұрақ 1" in content and "Сұрақ 2" not in content and "Сұрақ 3" not in content
    assert "Вопрос 1" not in content  # written in Kazakh

    output = run("export_questions", "--format", "gift", "--status", "draft", str(tmp_path / "drafts.gift"))
    assert "1 item written" in output and "Сұрақ 3" in (tmp_path / "drafts.gift").read_text(encoding="utf-8")
    with pytest.raises(CommandError, match="Unknown topic code"):
        run("export_questions", "--format", "gift", "--topic", "nowhere", str(out))
