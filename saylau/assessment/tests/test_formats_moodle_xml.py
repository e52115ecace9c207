"""Moodle XML import against real question banks (../shared/testdata, read in place), and its errors."""

from collections import Counter
from pathlib import Path

import pytest

from saylau.assessment.formats import FormatError, detect_format, parse

TESTDATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "testdata"
QAS = TESTDATA / "moodle_xml" / "qas_editor"


def read(path: Path, language: str = "ru"):
    return parse(path.read_bytes(), language=language)


def by_name(result, name: str) -> dict:
    return next(item for item in result.items if item["name"] == name)


# --- qas_editor/all.xml: every type, nested categories, unsupported types -----------------------------------

@pytest.fixture(scope="module")
def all_xml():
    return read(QAS / "all.xml")


def test_it_detects_a_moodle_export_as_moodle_xml():
    assert detect_format((QAS / "all.xml").read_bytes()) == "moodle-xml"


def test_it_imports_every_supported_question_of_the_full_export_with_exact_counts(all_xml):
    assert all_xml.format == "moodle-xml"
    assert Counter(item["type"] for item in all_xml.items) == {
        "single_choice": 5, "essay": 2, "numerical": 4, "description": 1, "matching": 1, "short_answer": 1,
        "true_false": 1,
    }
    assert all_xml.positions == [1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 18, 19, 20, 21, 24]


def test_it_reports_cloze_calculated_and_drag_and_drop_as_unsupported_with_their_positions(all_xml):
    assert all_xml.unsupported == [
        {"position": 2, "name": "Drag and Drop Text and Image", "type": "ddwtos"},
        {"position": 3, "name": "Drag and drop markers test", "type": "ddmarker"},
        {"position": 13, "name": "Calculated", "type": "calculated"},
        {"position": 14, "name": "Calculée", "type": "calculatedmulti"},
        {"position": 15, "name": "CheckComputation", "type": "calculatedmulti"},
        {"position": 16, "name": "Simple calculated question", "type": "calculatedsimple"},
        {"position": 17, "name": "Cloze", "type": "cloze"},
        {"position": 22, "name": "QName", "type": "ddimageortext"},
        {"position": 23, "name": "Random short-answer matching", "type": "randomsamatch"},
        {"position": 25, "name": "MW Test", "type": "gapselect"},
    ]


def test_it_takes_the_category_path_from_the_category_question_before_each_question(all_xml):
    assert by_name(all_xml, "Essai1")["category"] == ["qas_editor"]
    assert by_name(all_xml, "Essai2")["category"] == ["qas_editor", "second_cat"]
    assert by_name(all_xml, "num:int")["category"] == ["qas_editor", "num"]
    assert by_name(all_xml, "markdown")["category"] == ["qas_editor", "alternative-format"]


def test_it_reads_an_essay_with_points_general_feedback_and_grader_information(all_xml):
    essay = by_name(all_xml, "Essai1")
    assert essay["text"] == {"ru": "This is the header of a essay question.<br>"}
    assert essay["points"] == 1.1
    assert essay["general_feedback"] == {"ru": "General Feedback test"}
    assert essay["essay"] == {"response_format": "editor", "min_words": None, "grader_info": {"ru": "Grader Info test"}}


def test_it_reads_a_single_answer_multichoice_with_letter_ids_fractions_and_feedback(all_xml):
    question = by_name(all_xml, "code")
    assert question["type"] == "single_choice"
    assert question["points"] == 1.5
    assert question["shuffle"] is True
    assert question["general_feedback"] == {"ru": "<p>global feedback<br></p>"}
    assert question["options"] == [
        {"id": "a", "text": {"ru": "<p>wrong answer<br></p>"}, "fraction": 0.0,
         "feedback": {"ru": "<p>this the feedback of question 1<br></p>"}},
        {"id": "b", "text": {"ru": "<p>the good answer</p>"}, "fraction": 1.0},
    ]


def test_it_drops_plugin_file_images_and_styles_but_keeps_the_text_and_links(all_xml):
    text = by_name(all_xml, "html layout")["text"]["ru"]
    assert "<img" not in text and "style=" not in text and "@@PLUGINFILE@@" not in text
    assert '<a href="https://github.com/nennigb/amc2moodle">here </a>and an image and an equation' in text
    assert "<sub>exponent</sub>" in text
    assert {"position": 5, "name": "html layout", "message": "embedded files (images) were dropped"} in all_xml.warnings


def test_it_keeps_tables_without_their_attributes(all_xml):
    text = by_name(all_xml, "table")["text"]["ru"]
    assert "<table>" in text and "<caption>table legend</caption>" in text and "<th>weight</th>" in text
    assert "scope=" not in text


def test_it_reads_numerical_answers_with_tolerance_partial_credit_and_feedback(all_xml):
    assert by_name(all_xml, "num:int")["numbers"] == [{"value": 150.0, "tolerance": 0.0, "fraction": 1.0}]
    assert by_name(all_xml, "num:2rounding")["numbers"] == [
        {"value": 1.4142135623730951, "tolerance": 0.001, "fraction": 1.0},
        {"value": 1.4142135623730951, "tolerance": 0.1, "fraction": 0.5,
         "feedback": {"ru": "<p>Be careful with rounding.</p>"}},
    ]
    assert by_name(all_xml, "num:2ans")["numbers"][1] == {
        "value": 3.0, "tolerance": 0.0, "fraction": 0.0, "feedback": {"ru": "<p>No, this is the real part</p>"}}


def test_it_warns_that_numerical_units_are_ignored(all_xml):
    assert {"position": 9, "name": "num:int", "message": "units were ignored: answers are plain numbers"} \
        in all_xml.warnings


def test_it_reads_matching_pairs_and_an_empty_subquestion_as_a_distractor(all_xml):
    matching = by_name(all_xml, "h1")
    assert matching["points"] == 1.11
    assert matching["shuffle"] is True
    assert matching["pairs"] == [
        {"id": "p1", "premise": {"ru": "<p>Drag and drop files</p>"}, "response": {"ru": "Moodle 2.3"}},
        {"id": "p2", "premise": {"ru": "<p>Groupings</p>"}, "response": {"ru": "Moodle 1.9"}},
        {"id": "p3", "premise": {"ru": "<p>Repositories</p>"}, "response": {"ru": "Moodle 2.0"}},
        {"id": "p4", "premise": {"ru": ""}, "response": {"ru": "Moodle 2.5"}},
    ]


def test_it_reads_short_answers_with_case_sensitivity_and_sanitised_feedback(all_xml):
    question = by_name(all_xml, "h3")
    assert question["case_sensitive"] is False
    assert [(a["text"], a["fraction"]) for a in question["answers"]] == [("Crete", 1.0), ("Greece", 0.0)]
    assert question["answers"][0]["feedback"]["ru"] == (
        '<p>Correct. Well done! More information on Moodle Research conferences on the'
        '<a href="http://research.moodle.net/"> Moodle Research site.</a></p>')


def test_it_reads_true_false_with_the_files_fractions_and_each_options_feedback(all_xml):
    question = by_name(all_xml, "tf")
    assert question["points"] == 1.14
    true, false = question["options"]
    assert (true["id"], true["text"], true["fraction"]) == ("true", {"ru": "Верно"}, 0.0)
    assert (false["id"], false["text"], false["fraction"]) == ("false", {"ru": "Неверно"}, 1.0)
    assert true["feedback"]["ru"].startswith("Yes. Did you just know?")
    assert false["feedback"]["ru"].startswith("Each new version of Moodle until Moodle 3.5&nbsp; brought")


def test_it_shows_markdown_and_plain_text_literally(all_xml):
    markdown = by_name(all_xml, "markdown")
    assert "<p># Main title</p>" in markdown["text"]["ru"]
    assert [o["text"]["ru"] for o in markdown["options"]] == ["**yes**", "non", "<b>perhaps</b>"]
    plain = by_name(all_xml, "plain text")
    assert plain["text"] == {"ru": "Nothing but plain text"}
    assert [o["fraction"] for o in plain["options"]] == [1.0, 0.0, 0.0]


def test_it_reads_a_description_with_zero_points(all_xml):
    description = by_name(all_xml, "ProblemDescription")
    assert description["type"] == "description"
    assert description["points"] == 0.0
    assert description["text"]["ru"].startswith("Provide a <strong>description</strong> of a problem")


def test_it_puts_every_text_under_the_language_of_the_file():
    result = read(QAS / "all.xml", language="kk")
    assert all(set(item["text"]) == {"kk"} for item in result.items)
    assert by_name(result, "tf")["options"][0]["text"] == {"kk": "Дұрыс"}


# --- qas_editor per-type files ------------------------------------------------------------------------------

@pytest.mark.parametrize(("file", "kind"), [
    ("multichoice.xml", "single_choice"), ("truefalse.xml", "true_false"), ("shortanswer.xml", "short_answer"),
    ("numerical.xml", "numerical"), ("matching.xml", "matching"), ("essay.xml", "essay"),
])
def test_each_single_type_file_gives_one_question_of_that_type(file, kind):
    result = read(QAS / file)
    assert [item["type"] for item in result.items] == [kind]
    assert result.positions == [1]
    assert result.unsupported == []


def test_the_multichoice_file_has_five_options_with_one_right_answer():
    (question,) = read(QAS / "multichoice.xml").items
    assert [o["id"] for o in question["options"]] == ["a", "b", "c", "d", "e"]
    assert [o["fraction"] for o in question["options"]] == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert question["options"][0]["text"] == {"ru": "<p>This is the good <u>underlined</u> answer.<br></p>"}


def test_the_truefalse_file_with_an_embedded_image_imports_without_the_image():
    result = read(QAS / "truefalse.xml")
    (question,) = result.items
    assert "<img" not in question["text"]["ru"]
    assert "True or false?" in question["text"]["ru"]
    assert result.warnings == [{"position": 1, "name": "tf", "message": "embedded files (images) were dropped"}]


def test_the_essay_file_has_no_grader_information():
    (essay,) = read(QAS / "essay.xml").items
    assert essay["essay"]["grader_info"] == {}
    assert "general_feedback" not in essay


# --- NetTest: 258 Russian short answers with HTML entities --------------------------------------------------

@pytest.fixture(scope="module")
def nettest():
    return read(TESTDATA / "moodle_xml" / "nettest_ru_shortanswer.xml")


def test_it_imports_all_258_nettest_short_answers_despite_html_entities(nettest):
    assert Counter(item["type"] for item in nettest.items) == {"short_answer": 258}
    assert nettest.positions == list(range(1, 259))
    assert [item["name"] for item in nettest.items] == [f"test-{n}" for n in range(258)]
    assert nettest.unsupported == []


def test_every_nettest_question_has_its_category_tag_and_feedback(nettest):
    for item in nettest.items:
        assert item["category"] == ["test"]
        assert item["tags"] == ["NetTest"]
        assert [(a["fraction"], a["feedback"]) for a in item["answers"]] == [(1.0, {"ru": "Верно!"})]


def test_it_reads_nettest_russian_text_and_answers(nettest):
    first = nettest.items[0]
    assert first["text"] == {"ru": "Сколько существует девятиразрядных десятичных чисел таких, в которых есть хотя бы "
                                   "3 различные цифры?"}
    assert first["answers"][0]["text"] == "899979336"
    assert nettest.items[257]["answers"][0]["text"] == "80"


def test_it_decodes_html_named_entities_that_xml_does_not_define(nettest):
    assert "(направления): ↑→↓←." in nettest.items[155]["text"]["ru"]


def test_it_keeps_html_written_as_xml_elements_and_drops_style_elements(nettest):
    assert "Сколько различных <b>новых</b> словосочетаний" in nettest.items[4]["text"]["ru"]
    assert "Вот начало списка:<pre>1. ШШШШШ<br>2. ШШШШТ<br>" in nettest.items[32]["text"]["ru"]
    styled = nettest.items[141]["text"]["ru"]
    assert "letter-spacing" not in styled and "class=" not in styled
    assert "<span>ЩЩЩЩЩЩ</span>" in styled


# --- Errors ---------------------------------------------------------------------------------------------------

def test_truncated_xml_is_a_format_error_with_the_line_and_column():
    data = (QAS / "essay.xml").read_bytes()
    truncated = data[: data.index(b"<defaultgrade>")]
    with pytest.raises(FormatError) as raised:
        parse(truncated)
    assert raised.value.line == truncated.count(b"\n") + 1
    assert raised.value.column is not None
    assert "not well-formed" in raised.value.message


def test_an_unknown_entity_is_a_format_error_at_its_line():
    data = b'<?xml version="1.0"?>\n<quiz>\n<question type="essay"><name><text>&nosuchentity;</text></name>' \
           b"</question>\n</quiz>"
    with pytest.raises(FormatError) as raised:
        parse(data)
    assert raised.value.line == 3


def test_entity_declarations_are_refused():
    data = b'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY boom "boom">]>\n<quiz>&boom;</quiz>'
    with pytest.raises(FormatError):
        parse(data)


def test_a_multichoice_without_answers_is_a_format_error_with_the_line_of_its_question():
    data = (b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n  <question type="category">\n'
            b"    <category><text>$course$/top/A</text></category>\n  </question>\n"
            b'  <question type="multichoice">\n    <name><text>Q</text></name>\n'
            b'    <questiontext format="html"><text>?</text></questiontext>\n  </question>\n</quiz>\n')
    with pytest.raises(FormatError) as raised:
        parse(data)
    assert (raised.value.line, raised.value.position, raised.value.element) == (6, 1, "answer")


def test_a_weight_that_is_not_a_number_is_a_format_error():
    data = (b'<quiz>\n<question type="shortanswer"><name><text>Q</text></name>'
            b'<answer fraction="lots"><text>x</text></answer></question>\n</quiz>')
    with pytest.raises(FormatError) as raised:
        parse(data)
    assert raised.value.line == 2 and raised.value.element == "answer"


def test_html_entities_inside_and_outside_cdata_and_decoded_paths():
    data = ('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n<question type="category"><category>'
            "<text>$system$/top/Выборы/Участки // комиссии</text></category></question>\n"
            '<question type="truefalse"><name><text>Сайлау&nbsp;1</text></name>'
            '<questiontext format="html"><text><![CDATA[<p>Қазақстан&nbsp;&mdash; <i>ә</i></p>]]></text>'
            '</questiontext><answer fraction="100"><text>true</text></answer>'
            '<answer fraction="0"><text>false</text><feedback><text>Жоқ&hellip;</text></feedback></answer>'
            "</question>\n</quiz>").encode()
    (item,) = parse(data, language="kk").items
    assert item["category"] == ["Выборы", "Участки / комиссии"]
    assert item["name"] == "Сайлау\xa01"
    assert item["text"] == {"kk": "<p>Қазақстан&nbsp;— <i>ә</i></p>"}
    assert item["options"][1]["feedback"] == {"kk": "Жоқ…"}


def test_an_unknown_declared_encoding_is_a_format_error():
    with pytest.raises(FormatError) as raised:
        parse(b"<?xml version='1.0' encoding='no-such-encoding'?>\n<quiz></quiz>")
    assert raised.value.line == 1


def test_an_xml_file_that_is_not_a_moodle_quiz_is_a_format_error():
    with pytest.raises(FormatError):
        parse((TESTDATA / "qti" / "qtiv2p1_EntryTest_VE_IP_03.xml").read_bytes())


def test_a_binary_file_is_neither_format():
    with pytest.raises(FormatError):
        detect_format((TESTDATA / "qti" / "qas_editor_qti2v1.zip").read_bytes())
