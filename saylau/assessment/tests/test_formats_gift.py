"""GIFT import against real question banks (../shared/testdata, read in place), the syntax, and its errors."""

from collections import Counter
from pathlib import Path

import pytest

from saylau.assessment.formats import FormatError, detect_format, parse

TESTDATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "testdata"
GIFT = TESTDATA / "gift"
QAS = GIFT / "qas_editor"


def read(path: Path, language: str = "ru"):
    return parse(path.read_bytes(), language=language)


def gift(text: str, language: str = "ru"):
    return parse(text.encode(), language=language)


def one(text: str, language: str = "ru") -> dict:
    (item,) = gift(text, language).items
    return item


def by_name(result, name: str) -> dict:
    return next(item for item in result.items if item["name"] == name)


# --- bsuir_pm_ru.gift: 52 single-answer questions under Cyrillic categories ---------------------------------

@pytest.fixture(scope="module")
def bsuir():
    return read(GIFT / "bsuir_pm_ru.gift")


def test_it_detects_a_gift_file_with_windows_line_ends_and_cyrillic_categories():
    assert detect_format((GIFT / "bsuir_pm_ru.gift").read_bytes()) == "gift"


def test_it_imports_the_52_single_answer_questions_with_five_options_each(bsuir):
    assert bsuir.format == "gift"
    assert Counter(item["type"] for item in bsuir.items) == {"single_choice": 52}
    assert bsuir.positions == list(range(1, 53))
    assert bsuir.unsupported == [] and bsuir.warnings == []
    assert all([o["fraction"] for o in item["options"]] == [0.0, 0.0, 0.0, 0.0, 1.0] for item in bsuir.items)


def test_it_reads_a_question_title_text_and_options(bsuir):
    first = bsuir.items[0]
    assert first["name"] == "Вопрос 1"
    assert first["text"] == {"ru": "Что предлагает Стандарт управления проектом?"}
    assert first["options"][0] == {"id": "a", "text": {"ru": "Список процессов и фаз жизненного цикла проекта"},
                                   "fraction": 0.0}
    assert first["options"][4]["text"] == {
        "ru": "Основу для понимания управления проектом и как это обеспечивает намеченные конечные результаты"}


def test_it_puts_each_question_under_the_last_cyrillic_category_line_before_it(bsuir):
    assert bsuir.items[0]["category"] == ["СТАНДАРТ_1.1_Назначение Стандарта управления"]
    assert bsuir.items[8]["category"] == ["СТАНДАРТ_1.3_АУДИТОРИЯ, ДЛЯ КОТОРОЙ ПРЕДНАЗНАЧЕН ДАННЫЙ СТАНДАРТ"]
    assert (bsuir.items[43]["name"], bsuir.items[43]["category"]) == ("Вопрос 42", ["ПРИЛОЖЕНИЕ_X5.1_ВВЕДЕНИЕ"])
    assert (bsuir.items[44]["name"], bsuir.items[44]["category"]) == ("Вопрос 43", ["РУКОВОДСТВО_PMBOK_3_ОПРЕДЕЛЕНИЯ"])
    assert len({tuple(item["category"]) for item in bsuir.items}) == 39


def test_a_blank_line_inside_an_answer_block_does_not_end_the_question(bsuir):
    question = bsuir.items[5]
    assert question["name"] == "Вопрос 6"
    assert question["options"][4] == {"id": "e", "text": {"ru": "Портфели, программы, проекты, продукты и операции"},
                                      "fraction": 1.0}


# --- bsuir_pm_ru_v1_tf_weights.gift: weights and TRUE/FALSE -------------------------------------------------

@pytest.fixture(scope="module")
def bsuir_v1():
    return read(GIFT / "bsuir_pm_ru_v1_tf_weights.gift")


def test_it_reads_weighted_answers_with_one_full_answer_as_single_choice_and_true_false(bsuir_v1):
    assert Counter(item["type"] for item in bsuir_v1.items) == {"single_choice": 42, "true_false": 8}
    assert bsuir_v1.positions == list(range(1, 51))
    assert [item["category"] for item in bsuir_v1.items] == [[]] * 50


def test_it_takes_the_weights_of_tilde_answers(bsuir_v1):
    first = bsuir_v1.items[0]
    assert [(o["id"], o["fraction"]) for o in first["options"]] == [("a", 0.0), ("b", 0.0), ("c", 0.0), ("d", 1.0)]
    assert first["options"][3]["text"] == {"ru": "C) Принципиальный подход, ориентированный на создание ценности"}


def test_it_reads_true_and_false_answers_on_their_own_line(bsuir_v1):
    answers = {item["name"]: item["options"][0]["fraction"] == 1.0
               for item in bsuir_v1.items if item["type"] == "true_false"}
    assert answers == {"Q2": False, "Q7": True, "Q12": True, "Q24": True, "Q30": False, "Q38": False, "Q42": True,
                       "Q47": False}
    q2 = by_name(bsuir_v1, "Q2")
    assert q2["options"] == [{"id": "true", "text": {"ru": "Верно"}, "fraction": 0.0},
                             {"id": "false", "text": {"ru": "Неверно"}, "fraction": 1.0}]


# --- qas_editor: a Moodle GIFT export -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def qas_all():
    return read(QAS / "all.gift")


def test_it_imports_the_whole_moodle_gift_export_with_exact_counts(qas_all):
    assert Counter(item["type"] for item in qas_all.items) == {
        "description": 1, "essay": 2, "true_false": 4, "numerical": 4, "single_choice": 3, "matching": 2,
        "short_answer": 4, "multiple_choice": 2,
    }
    assert qas_all.positions == list(range(1, 23))
    assert qas_all.unsupported == []


@pytest.mark.parametrize(("file", "types"), [
    ("essay.gift", ["essay", "essay"]),
    ("matching.gift", ["matching", "matching"]),
    ("multichoice.gift", ["multiple_choice", "single_choice", "single_choice", "multiple_choice"]),
    ("numericals.gift", ["numerical"] * 4),
    ("shorts.gift", ["short_answer"] * 4),
    ("true_false.gift", ["true_false"] * 4),
])
def test_each_single_type_gift_file_gives_its_questions(file, types):
    result = read(QAS / file)
    assert [item["type"] for item in result.items] == types
    assert result.positions == list(range(1, len(types) + 1))


def test_it_takes_categories_tags_from_exporter_comments_and_the_description(qas_all):
    description = qas_all.items[0]
    assert (description["type"], description["name"], description["category"]) == (
        "description", "description", ["qas editor", "descriptions"])
    assert description["text"]["ru"].endswith(
        '<a href="http://docs.moodle.org/history">http://docs.moodle.org/en/History</a></p>')
    essay = by_name(qas_all, "Essay 1")
    assert essay["category"] == ["qas editor", "Essays"]
    assert essay["tags"] == ["Advanced", "ad"]
    assert by_name(qas_all, "Essay 2")["general_feedback"] == {"ru": "<p>test123<br></p>"}


def test_it_gives_true_false_feedback_for_a_wrong_then_a_right_answer(qas_all):
    first = by_name(qas_all, "TrueFalse 1")
    true, false = first["options"]
    assert true["fraction"] == 1.0
    assert true["feedback"]["ru"] == "<p>Your answer is correct and this is the instant feedback to prove it.</p>"
    assert false["feedback"]["ru"].startswith("<p>Your answer is incorrect. By pressing check")
    assert first["general_feedback"]["ru"].startswith("<p>This question is operating with <em>Interactive")
    third = by_name(qas_all, "TrueFalse 3")
    assert third["options"][0]["feedback"]["ru"].startswith("Yes. Did you just know?")
    assert third["options"][1]["feedback"]["ru"].startswith("Each new version of Moodle")
    assert by_name(qas_all, "TrueFalse 4")["options"][1]["fraction"] == 1.0


def test_it_reads_numerical_answers_ranges_and_escaped_titles(qas_all):
    assert by_name(qas_all, "Numeric: 1")["numbers"][0]["value"] == 2006.0
    assert by_name(qas_all, "Numeric: 1")["numbers"][0]["tolerance"] == 1.0
    second = by_name(qas_all, "Numeric: 2")
    assert [(n["value"], n["tolerance"], n["fraction"]) for n in second["numbers"]] == [(-7.0, 0.0, 1.0),
                                                                                      (4.0, 0.0, 1.0)]
    assert "$$x^2 + 3x - 28 = 0$$" in second["text"]["ru"]
    assert "\\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}" in second["general_feedback"]["ru"]
    assert by_name(qas_all, "Numeric: 3")["numbers"] == [{"value": 3.0, "tolerance": 2.0, "fraction": 1.0}]
    assert by_name(qas_all, "Numeric: 4")["numbers"] == [{"value": 3.0, "tolerance": 2.0, "fraction": 1.0}]


def test_it_warns_that_a_numerical_catch_all_answer_is_dropped(qas_all):
    assert {"position": 9, "name": "Numeric: 2", "message": "the catch-all answer (any other number) was dropped"} \
        in qas_all.warnings


def test_it_keeps_the_missing_word_as_a_gap_in_the_text(qas_all):
    question = qas_all.items[11]
    assert question["type"] == "single_choice"
    assert question["name"] == ""
    assert question["text"] == {"ru": "Moodle costs _____ to download from moodle.org."}
    assert [(o["text"]["ru"], o["fraction"]) for o in question["options"]] == [
        ("lots of money", 0.0), ("nothing", 1.0), ("a small amount", 0.0)]


def test_it_reads_matching_pairs_with_a_distractor(qas_all):
    assert by_name(qas_all, "match1")["pairs"][3] == {"id": "p4", "premise": {"ru": ""}, "response": {"ru": "Moodle 2.5"}}
    assert by_name(qas_all, "match2")["pairs"][4]["response"] == {"ru": "Moodle 3.10"}


def test_it_reads_weighted_short_answers_with_wildcards_and_feedback(qas_all):
    first = by_name(qas_all, "Short Answer 1")
    assert [(a["text"], a["fraction"]) for a in first["answers"]] == [("*manually*", 1.0), ("*manual*", 0.0),
                                                                      ("*", 0.0)]
    assert first["answers"][1]["feedback"] == {
        "ru": "<p>You are on the right lines but don't have quite the correct terminology.</p>"}
    assert [a["text"] for a in qas_all.items[17]["answers"]] == ["Grant", "Ulysses S. Grant", "Ulysses Grant"]


def test_it_reads_negative_and_partial_weights_as_multiple_choice(qas_all):
    question = by_name(qas_all, "Multichoice4")
    assert question["type"] == "multiple_choice"
    assert [o["fraction"] for o in question["options"]] == [0.3333333, -0.3333333, 0.3333333, -0.3333333, -0.3333333,
                                                           0.3333333]
    assert question["options"][5]["feedback"] == {"ru": "Well done! Did you find them on https://moodle.org/demo ?"}


# --- Syntax ---------------------------------------------------------------------------------------------------

def test_weights_on_more_than_one_tilde_answer_make_a_multiple_choice():
    item = one("::Q:: Кандидатты кім ұсына алады? {~%50%Партия ~%50%Өзін-өзі ұсыну ~%-100%Шетел азаматы}", "kk")
    assert item["type"] == "multiple_choice"
    assert [o["fraction"] for o in item["options"]] == [0.5, 0.5, -1.0]
    assert item["text"] == {"kk": "Кандидатты кім ұсына алады?"}


def test_an_equals_answer_makes_a_single_choice_with_partial_credit_for_others():
    item = one("Jesus Christ was from {~Jerusalem#Wrong city. ~%50%Galilee#Be more specific. =Nazareth#Yes!}")
    assert item["type"] == "single_choice"
    assert [(o["fraction"], o["feedback"]["ru"]) for o in item["options"]] == [
        (0.0, "Wrong city."), (0.5, "Be more specific."), (1.0, "Yes!")]


def test_tilde_answers_without_a_full_answer_are_a_multiple_choice():
    assert one("Q {~%50%a ~%25%b ~c}")["type"] == "multiple_choice"


def test_several_numerical_answers_with_weights_and_feedback():
    item = one("When was Grant born? {#\n  =1822:0 # Correct!\n  =%50%1822:2 # Half credit.\n}")
    assert item["numbers"] == [
        {"value": 1822.0, "tolerance": 0.0, "fraction": 1.0, "feedback": {"ru": "Correct!"}},
        {"value": 1822.0, "tolerance": 2.0, "fraction": 0.5, "feedback": {"ru": "Half credit."}},
    ]
    assert one("Q {#=3:0 =%50%3:1}")["numbers"][1] == {"value": 3.0, "tolerance": 1.0, "fraction": 0.5}


@pytest.mark.parametrize(("block", "true_is_right"), [("{T}", True), ("{TRUE}", True), ("{F}", False),
                                                      ("{FALSE}", False), ("{true}", True)])
def test_true_false_in_every_spelling(block, true_is_right):
    item = one(f"Сайлау жексенбі күні өтеді. {block}", "kk")
    assert item["type"] == "true_false"
    assert [o["fraction"] for o in item["options"]] == ([1.0, 0.0] if true_is_right else [0.0, 1.0])
    assert item["options"][0]["text"] == {"kk": "Дұрыс"}


def test_true_false_feedback_and_general_feedback():
    item = one("Q {F#Нет, неверно.#Да, верно.####Общий отзыв}")
    true, false = item["options"]
    assert (true["feedback"], false["feedback"]) == ({"ru": "Нет, неверно."}, {"ru": "Да, верно."})
    assert item["general_feedback"] == {"ru": "Общий отзыв"}


def test_escaped_special_characters_are_literal():
    item = one(r"::Vote\: 1:: a \{b\} c\~d \= e \# f\\g {=x\=1 \~ \#2 ~y}")
    assert item["name"] == "Vote: 1"
    assert item["text"] == {"ru": r"a {b} c~d = e # f\g"}
    assert [o["text"]["ru"] for o in item["options"]] == ["x=1 ~ #2", "y"]


def test_comments_are_skipped_and_the_category_applies_to_the_next_questions():
    result = gift("// a comment\n$CATEGORY: $course$/top/Выборы/Списки избирателей\n\n// [tag:списки] [id:7]\n"
                  "::A:: first {T}\n\n::B:: second {F}\n")
    assert [item["category"] for item in result.items] == [["Выборы", "Списки избирателей"]] * 2
    assert [item["tags"] for item in result.items] == [["списки"], []]


def test_tags_and_id_at_the_start_of_a_question_are_taken_as_tags():
    assert one("[id:x1] [tag:easy] ::Q:: text {T}")["tags"] == ["easy"]


def test_format_prefixes_decide_how_text_is_read():
    assert one("[plain] 2 < 3 & 4 > 1 {T}")["text"] == {"ru": "2 &lt; 3 &amp; 4 &gt; 1"}
    assert one("[markdown]**bold**{T}")["text"] == {"ru": "**bold**"}
    assert one(r"[moodle]line one\nline two{T}")["text"] == {"ru": "line one<br>line two"}
    assert one("[html]<p onclick='x()'>Hi<script>alert(1)</script></p>{T}")["text"] == {"ru": "<p>Hi</p>"}


def test_essay_and_description():
    assert one("Опишите порядок подсчёта голосов. {}")["type"] == "essay"
    description = one("::Intro:: Бұл бөлім сайлау туралы.")
    assert (description["type"], description["points"], description["text"]) == (
        "description", 0.0, {"ru": "Бұл бөлім сайлау туралы."})


def test_matching_pairs():
    item = one("Match {=Canada -> Ottawa =Italy -> Rome = -> Paris ####Capitals}")
    assert item["pairs"] == [
        {"id": "p1", "premise": {"ru": "Canada"}, "response": {"ru": "Ottawa"}},
        {"id": "p2", "premise": {"ru": "Italy"}, "response": {"ru": "Rome"}},
        {"id": "p3", "premise": {"ru": ""}, "response": {"ru": "Paris"}},
    ]
    assert item["general_feedback"] == {"ru": "Capitals"}


def test_a_utf16_file_with_a_byte_order_mark_is_read():
    (item,) = parse("::Q:: Сайлау? {T}".encode("utf-16"), language="ru").items
    assert item["name"] == "Q"


# --- Errors ---------------------------------------------------------------------------------------------------

def test_an_unclosed_brace_is_a_format_error_at_its_line():
    with pytest.raises(FormatError) as raised:
        gift("::A:: ok {T}\n\n::B:: broken {\n  =yes\n  ~no\n\n::C:: next {F}\n")
    assert (raised.value.line, raised.value.element) == (3, "{")


def test_an_unclosed_brace_in_a_file_without_titles_is_still_reported_as_gift_at_its_line():
    with pytest.raises(FormatError) as raised:
        gift("// Без заголовков\nКто избирает? {\n=граждане\n~никто\n")
    assert raised.value.line == 2


def test_json_is_neither_format():
    with pytest.raises(FormatError) as raised:
        detect_format(b'{"questions": []}')
    assert raised.value.line is None


def test_an_unclosed_brace_at_the_end_of_the_file_is_a_format_error_at_its_line():
    with pytest.raises(FormatError) as raised:
        gift("::A:: ok {T}\n\n::B:: broken {\n  =yes\n")
    assert raised.value.line == 3


def test_a_closing_brace_without_an_opening_one_is_a_format_error():
    with pytest.raises(FormatError) as raised:
        gift("::A:: ok {T}\n\n::B:: broken }\n")
    assert raised.value.line == 3


def test_an_answer_block_without_answers_is_a_format_error():
    with pytest.raises(FormatError) as raised:
        gift("\n\n::A:: what? { just text }\n")
    assert raised.value.line == 3


def test_blank_answers_are_dropped_as_moodle_does():
    item = one("::Q:: Вопрос? {=Да ~ ~Нет ~%50%}")
    assert item["text"] == {"ru": "Вопрос?"}
    assert [(o["id"], o["text"]["ru"]) for o in item["options"]] == [("a", "Да"), ("b", "Нет")]
    with pytest.raises(FormatError):
        gift("::Q:: Вопрос? {=%100% ~}")


def test_a_choice_with_one_answer_is_a_format_error():
    with pytest.raises(FormatError):
        gift("::A:: what? {~only}")


def test_a_bad_number_is_a_format_error_at_the_line_of_the_answer():
    with pytest.raises(FormatError) as raised:
        gift("::A:: how many? {#\n  =3:1\n  =many\n}")
    assert raised.value.line == 3


def test_an_unclosed_title_is_a_format_error():
    with pytest.raises(FormatError) as raised:
        gift("\n::A: text {T}")
    assert (raised.value.line, raised.value.element) == (2, "::")


def test_two_answer_blocks_in_one_question_are_a_format_error():
    with pytest.raises(FormatError) as raised:
        gift("::A:: {T}\n::B:: {F}")
    assert raised.value.line == 2


def test_a_text_without_gift_syntax_is_neither_format():
    with pytest.raises(FormatError):
        detect_format("Просто текст без вопросов.\nЕщё строка.".encode())


def test_a_file_that_is_not_utf8_is_a_format_error():
    with pytest.raises(FormatError):
        parse("::В:: Вопрос {T}".encode("cp1251"))
