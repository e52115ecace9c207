"""Full-text search of the library in Kazakh and Russian, on PostgreSQL and on SQLite alike: inflected forms are
found, titles rank above bodies, the current version is what is searched, filters combine with the query."""

import pytest

from saylau.courses import search, selectors, services
from saylau.courses.models import MaterialStatus

from .conftest import article


def test_kazakh_endings_are_stripped_to_the_root():
    assert search.stem_kazakh("сайлаушылардың") == search.stem_kazakh("сайлаушылар") == "сайлауш"
    assert search.stem_kazakh("комиссиясының") == search.stem_kazakh("комиссиясы")
    assert search.stem_kazakh("учаскелерде") == search.stem_kazakh("учаскелер")
    assert search.stem_kazakh("тіл") == "тіл"  # short words are left alone


def test_russian_words_are_stemmed_and_yo_is_e():
    assert search.stem_russian("избирательных") == search.stem_russian("избирательные")
    assert search.stem_russian("подсчёт") == search.stem_russian("подсчета")


def test_a_query_word_without_kazakh_letters_is_tried_in_both_languages():
    assert search.query_terms("списков") == [{"списков", search.stem_russian("списков")}]
    assert search.query_terms("сайлаушылардың") == [{"сайлауш"}]
    assert search.query_terms("  ,;  ") == []


@pytest.fixture
def library(world):
    admin = world.admin
    return {
        "lists": article(admin),
        "count": article(admin, title_kk="Дауыстарды санау", title_ru="Подсчёт голосов",
                         body_kk="# Дауыстарды санау\n\nУчаскелік комиссия хаттаманы толтырады.",
                         body_ru="# Подсчёт голосов\n\nУчастковая комиссия составляет протокол об итогах."),
        "observers": article(admin, title_kk="Байқаушылар", title_ru="Наблюдатели",
                             body_kk="# Байқаушылар\n\nБайқаушылардың құқықтары.",
                             body_ru="# Наблюдатели\n\nПрава наблюдателей и списки избирателей."),
    }


def found(user, q, **filters):
    return [m.title_ru for m in selectors.material_list(user, q=q, **filters)]


@pytest.mark.parametrize("query", ["сайлаушылардың тізімі", "сайлаушылар", "тізімдер"])
def test_kazakh_inflected_forms_are_found(world, library, query):
    assert "Списки избирателей" in found(world.participant, query)


@pytest.mark.parametrize("query", ["списков избирателей", "списком избирателя", "спискам избирателям"])
def test_russian_inflected_forms_are_found(world, library, query):
    assert found(world.participant, query)[0] == "Списки избирателей"


def test_every_word_must_match(world, library):
    assert found(world.participant, "протокол итогах") == ["Подсчёт голосов"]
    assert found(world.participant, "протокол наблюдатели") == []


def test_a_title_match_ranks_above_a_body_match(world, library):
    # "избирателей" is in the title of one material and only in the body of another.
    assert found(world.participant, "избирателей") == ["Списки избирателей", "Наблюдатели"]


def test_filters_combine_with_the_query(world, library):
    services.material_update(by=world.admin, material=library["observers"], has_kk=False)
    assert found(world.participant, "списки", language="kk") == ["Списки избирателей"]
    assert found(world.participant, "списки", kind="video") == []


def test_the_current_version_is_searched_and_the_old_stays_reachable(world, library):
    material = library["count"]
    services.material_new_version(by=world.admin, material=material, version={
        "body_ru": "# Подсчёт голосов\n\nПачки бюллетеней пересчитывают дважды.", "change_note": "новый порядок"})
    assert found(world.participant, "бюллетеней") == ["Подсчёт голосов"]
    assert found(world.participant, "протокол") == []
    old = material.versions.get(number=1)
    assert "протокол" in old.body_ru and material.versions.count() == 2


def test_retired_and_draft_materials(world, library):
    services.material_set_status(by=world.admin, material=library["lists"], status=MaterialStatus.RETIRED)
    services.material_set_status(by=world.admin, material=library["count"], status=MaterialStatus.DRAFT)
    assert found(world.participant, "списки") == ["Наблюдатели"]
    assert found(world.participant, "подсчёт") == []  # drafts are for the librarians
    assert found(world.admin, "подсчёт") == ["Подсчёт голосов"]
    assert found(world.admin, "списки", status="retired") == ["Списки избирателей"]


def test_a_deleted_material_leaves_no_trace_in_the_index(world, library):
    library["observers"].references.all().delete()
    library["observers"].delete()
    assert found(world.admin, "наблюдатели") == []


def test_words_inside_an_uploaded_pdf_are_found(world):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    sheet.drawString(72, 720, "Ballot box inspection checklist")
    sheet.save()
    upload = SimpleUploadedFile("checklist.pdf", buffer.getvalue(), content_type="application/pdf")
    services.material_create(by=world.admin, kind="document", title_kk="Тексеру парағы", title_ru="Чек-лист",
                             has_ru=True, version={"file": upload})
    assert found(world.participant, "inspection checklist") == ["Чек-лист"]
