"""Export then import gives the documents back, for every type, both formats and both languages (hypothesis).

Generated documents are in the shape import produces (sanitised HTML, fractions at Moodle's precision, feedback
only when there is some), with Kazakh and Russian text full of what the formats must escape: GIFT's {}=~#: and
backslash, "]]>" for CDATA, "<" and "&" in plain text, "%" and "[" at the start of answers.
"""

import html

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from saylau.assessment.formats import FormatError, export, parse, unexportable
from saylau.assessment.formats.common import TRUE_FALSE_TEXTS
from saylau.assessment.formats.html import plain_to_html, sanitize

FORMATS = ("moodle-xml", "gift")
# Weights Moodle offers in its forms (it stores fractions with 7 decimals).
MOODLE_FRACTIONS = (1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
                    0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0)
PARTIAL = MOODLE_FRACTIONS[1:] + tuple(-f for f in MOODLE_FRACTIONS[1:-1]) + (-1.0,)
# What GIFT cannot say; a description's general feedback has no place in GIFT either.
NOT_IN_GIFT = ("points", "shuffle", "case_sensitive", "essay")

FRAGMENTS = (
    "Сайлау", "Қазақстан Республикасы", "ә ғ қ ң ө ұ ү һ і", "ӘҒҚҢӨҰҮҺІ", "избирательная комиссия", "бюллетень",
    "{", "}", "=", "~", "#", "####", ":", "::", "\\", "\\n", "]]>", "<", ">", "&", "&amp;", "%", "%50%", "[", "]",
    "[html]", "->", "/", "//", "$CATEGORY:", "_____", '"', "'", "*", "T", "FALSE", " ", "  ", "\t", "\n", "—", "«»",
    "№ 5", "1..5", "3:2", "http://x.kz",
)
ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіABCxyz0123456789 .,;!?()-+*"


def fragments(*, exclude: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    pieces = st.sampled_from([f for f in FRAGMENTS if not any(x in f for x in exclude)]) | st.text(ALPHABET,
                                                                                                  max_size=6)
    return st.lists(pieces, min_size=1, max_size=8).map("".join)


def plain_line(*, exclude: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """A non-empty single-line plain text, as answers, names and responses are."""
    return fragments(exclude=("\n", "\\n", *exclude)).map(str.strip).filter(bool)


@st.composite
def html_text(draw) -> str:
    raw = draw(fragments())
    wrapper = draw(st.sampled_from(["{}", "<p>{}</p>", "<p><b>{}</b> и <i>{}</i></p>", "<ul><li>{}</li></ul>",
                                    "{}<br>{}"]))
    text = sanitize(wrapper.replace("{}", html.escape(raw, quote=False)))
    return text or "<p>?</p>"


def maybe_feedback(language: str) -> st.SearchStrategy[dict]:
    return st.one_of(st.just({}), html_text().map(lambda text: {"feedback": {language: text}}))


@st.composite
def base(draw, kind: str, language: str, *, gift: bool) -> dict:
    item = {"type": kind, "name": draw(plain_line()), "text": {language: draw(html_text())}}
    if draw(st.booleans()) and not (gift and kind == "description"):
        item["general_feedback"] = {language: draw(html_text())}
    item["points"] = draw(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 10.0, 0.3333333]))
    item["category"] = draw(st.lists(plain_line(exclude=("/",)).map(lambda s: s.replace("\t", " ").strip())
                                     .filter(bool), max_size=3))
    item["tags"] = draw(st.lists(st.text(ALPHABET, min_size=1, max_size=12).map(lambda s: " ".join(s.split()))
                                 .filter(bool), max_size=3, unique=True))
    return item


def choice_options(draw, language: str, fractions: list[float]) -> list[dict]:
    letters = "abcdefgh"
    return [{"id": letters[n], "text": {language: draw(html_text())}, "fraction": fraction,
             **draw(maybe_feedback(language))} for n, fraction in enumerate(fractions)]


@st.composite
def documents(draw, kind: str, language: str, *, gift: bool) -> dict:
    item = draw(base(kind, language, gift=gift))
    if kind == "single_choice":
        others = draw(st.lists(st.sampled_from(PARTIAL), min_size=1, max_size=4))
        fractions = others[:]
        fractions.insert(draw(st.integers(0, len(others))), 1.0)
        item["shuffle"] = draw(st.booleans())
        item["options"] = choice_options(draw, language, fractions)
    elif kind == "multiple_choice":
        fractions = draw(st.lists(st.sampled_from(MOODLE_FRACTIONS + PARTIAL), min_size=2, max_size=5))
        if gift:
            # In GIFT, one 100% answer and no other positive one is how a single choice is written.
            fractions = fractions if [f for f in fractions if f > 0] != [1.0] else [*fractions, 0.5]
        item["shuffle"] = draw(st.booleans())
        item["options"] = choice_options(draw, language, fractions)
    elif kind == "true_false":
        true_is_right = draw(st.booleans())
        texts = TRUE_FALSE_TEXTS[language]
        item["options"] = [{"id": key, "text": {language: text}, "fraction": float(right),
                            **draw(maybe_feedback(language))}
                           for key, text, right in zip(("true", "false"), texts, (true_is_right, not true_is_right),
                                                       strict=True)]
    elif kind == "short_answer":
        # A short answer containing "->" would read as matching in GIFT (Moodle's rule too).
        item["answers"] = [{"text": draw(plain_line(exclude=("->",))),
                            "fraction": draw(st.sampled_from(MOODLE_FRACTIONS)), **draw(maybe_feedback(language))}
                           for _ in range(draw(st.integers(1, 4)))]
        item["case_sensitive"] = draw(st.booleans())
    elif kind == "numerical":
        number = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
        item["numbers"] = [{"value": draw(number), "tolerance": draw(st.floats(0, 1e6)),
                            "fraction": draw(st.sampled_from(MOODLE_FRACTIONS)), **draw(maybe_feedback(language))}
                           for _ in range(draw(st.integers(1, 3)))]
    elif kind == "matching":
        premises = draw(st.lists(st.one_of(html_text(), st.just("")), min_size=2, max_size=5)
                        .filter(lambda texts: any(texts)))
        item["shuffle"] = draw(st.booleans())
        item["pairs"] = [{"id": f"p{n}", "premise": {language: premise},
                          "response": {language: plain_to_html(draw(plain_line()))}}
                         for n, premise in enumerate(premises, start=1)]
    elif kind == "essay":
        grader_info = draw(st.one_of(st.just({}), html_text().map(lambda text: {language: text})))
        item["essay"] = {"response_format": draw(st.sampled_from(["editor", "plain"])),
                         "min_words": draw(st.one_of(st.none(), st.integers(1, 1000))), "grader_info": grader_info}
    return item


TYPES = ("single_choice", "multiple_choice", "true_false", "short_answer", "numerical", "matching", "essay",
         "description")


def carried(item: dict, file_format: str) -> dict:
    """The fields of ``item`` that ``file_format`` carries."""
    if file_format == "moodle-xml":
        return item
    kept = {key: value for key, value in item.items() if key not in NOT_IN_GIFT}
    if item["type"] == "description":
        kept.pop("general_feedback", None)
    return kept


def round_trip(items: list[dict], file_format: str, language: str) -> list[dict]:
    """The carried fields of the documents read back from the exported file."""
    result = parse(export(items, format=file_format, language=language), language=language)
    return [carried(item, file_format) for item in result.items]


@st.composite
def case(draw, kinds=TYPES):
    file_format = draw(st.sampled_from(FORMATS))
    language = draw(st.sampled_from(["kk", "ru"]))
    kind = draw(st.sampled_from(kinds))
    return file_format, language, draw(documents(kind, language, gift=file_format == "gift"))


ROUND_TRIP = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# One test per type, so a failure names the type.

@ROUND_TRIP
@given(case(("single_choice",)))
def test_a_single_choice_survives_export_and_import(case_):
    file_format, language, item = case_
    assert round_trip([item], file_format, language) == [carried(item, file_format)]


@ROUND_TRIP
@given(case(("multiple_choice",)))
def test_a_multiple_choice_survives_export_and_import(case_):
    file_format, language, item = case_
    assert round_trip([item], file_format, language) == [carried(item, file_format)]


@ROUND_TRIP
@given(case(("true_false",)))
def test_a_true_false_survives_export_and_import(case_):
    file_format, language, item = case_
    assert round_trip([item], file_format, language) == [carried(item, file_format)]


@ROUND_TRIP
@given(case(("short_answer",)))
def test_a_short_answer_survives_export_and_import(case_):
    file_format, language, item = case_
    assert round_trip([item], file_format, language) == [carried(item, file_format)]


def test_a_short_answer_with_an_arrow_stays_a_short_answer_in_gift():
    item = {"type": "short_answer", "name": "Сайлау", "text": {"kk": "Сайлау"}, "points": 1.0, "category": [],
            "tags": [], "answers": [{"text": "->", "fraction": 1.0}, {"text": "a\\->b", "fraction": 0.5}],
            "case_sensitive": False}
    assert round_trip([item], "gift", "kk") == [carried(item, "gift")]


@ROUND_TRIP
@given(case(("numerical",)))
def test_a_numerical_survives_export_and_import(case_):
    file_format, language, item = case_
    assert round_trip([item], file_format, language) == [carried(item, file_format)]


@ROUND_TRIP
@given(case(("matching",)))
def test_a_matching_survives_export_and_import(case_):
    file_format, language, item = case_
    assert round_trip([item], file_format, language) == [carried(item, file_format)]


@ROUND_TRIP
@given(case(("essay", "description")))
def test_essays_and_descriptions_survive_export_and_import(case_):
    file_format, language, item = case_
    assert round_trip([item], file_format, language) == [carried(item, file_format)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FORMATS), st.sampled_from(["kk", "ru"]), st.data())
def test_a_bank_of_mixed_questions_and_categories_survives_in_order(file_format, language, data):
    items = data.draw(st.lists(st.sampled_from(TYPES).flatmap(
        lambda kind: documents(kind, language, gift=file_format == "gift")), min_size=1, max_size=6))
    assert round_trip(items, file_format, language) == [carried(item, file_format) for item in items]


@settings(max_examples=300, deadline=None)
@given(st.text() | st.lists(st.sampled_from(["<", ">", "&", "#", "1", "x", ";", "/", "a", "p", "img", " ", '"', "="]))
       .map("".join))
@example("&#1;x&#0;")
@example("<table>a<tr>b</tr></table><a href='javascript:x'>c</a>")
def test_sanitising_is_idempotent(markup):
    once = sanitize(markup)
    assert sanitize(once) == once


# --- Export details ---------------------------------------------------------------------------------------------

def sample(kind: str = "single_choice", **fields) -> dict:
    item = {"type": kind, "name": "Q1", "text": {"ru": "<p>Вопрос?</p>", "kk": "<p>Сұрақ?</p>"}, "points": 1.0,
            "category": [], "tags": [], "shuffle": True,
            "options": [{"id": "a", "text": {"ru": "Да", "kk": "Иә"}, "fraction": 1.0},
                        {"id": "b", "text": {"ru": "Нет", "kk": "Жоқ"}, "fraction": 0.0}]}
    item.update(fields)
    return item


SCENARIO = {"type": "scenario", "name": "S", "text": {"ru": "<p>Ситуация</p>"},
            "steps": [{"id": "s1", "text": {"ru": "Шаг"}, "options": [{"id": "s1a", "text": {"ru": "A"},
                                                                        "fraction": 1.0}]}]}


def test_scenarios_are_skipped_by_export_and_listed_as_unexportable():
    items = [sample(), SCENARIO, sample(name="Q2")]
    assert unexportable(items) == [{"index": 1, "type": "scenario", "name": "S", "reason": "scenario"}]
    for file_format in FORMATS:
        assert [item["name"] for item in parse(export(items, format=file_format)).items] == ["Q1", "Q2"]


def test_an_item_without_text_in_the_requested_language_is_unexportable():
    russian_only = sample(name="RU", text={"ru": "<p>Только по-русски</p>"})
    assert unexportable([sample(), russian_only], language="kk") == [
        {"index": 1, "type": "single_choice", "name": "RU", "reason": "no-text"}]
    (item,) = parse(export([sample(), russian_only], format="gift", language="kk"), language="kk").items
    assert item["text"] == {"kk": "<p>Сұрақ?</p>"}


def test_without_a_language_each_item_is_written_in_the_first_of_kazakh_and_russian_it_has():
    data = export([sample(), sample(name="RU", text={"ru": "<p>Только по-русски</p>"})], format="moodle-xml")
    text = data.decode()
    assert "<p>Сұрақ?</p>" in text and "<p>Только по-русски</p>" in text and "<p>Вопрос?</p>" not in text


def test_an_item_without_a_category_path_is_written_under_its_topic_code():
    item = sample(topic="voter-lists")
    for file_format in FORMATS:
        data = export([item], format=file_format)
        assert b"$course$/top/voter-lists" in data
        assert parse(data).items[0]["category"] == ["voter-lists"]


def test_a_category_name_with_a_slash_is_escaped_as_moodle_does():
    item = sample(category=["Выборы", "Участки/комиссии"])
    data = export([item], format="moodle-xml")
    assert "<text>$course$/top/Выборы/Участки//комиссии</text>".encode() in data
    assert parse(data).items[0]["category"] == ["Выборы", "Участки/комиссии"]


def test_moodle_xml_export_uses_utf8_cdata_and_moodle_percentages():
    item = sample("multiple_choice", text={"ru": "<p>a ]]&gt; b</p>"},
                  options=[{"id": "a", "text": {"ru": "x ]]> y"}, "fraction": 0.3333333},
                           {"id": "b", "text": {"ru": "z"}, "fraction": -0.5}])
    data = export([item], format="moodle-xml")
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    assert b'<answer fraction="33.33333" format="html">' in data
    assert b'<answer fraction="-50" format="html">' in data
    assert b"<text><![CDATA[x ]]]]><![CDATA[> y]]></text>" in data
    # Read back sanitised: in sanitised HTML ">" is always escaped, so "]]>" only occurs in unsanitised documents.
    assert parse(data).items[0]["options"][0]["text"] == {"ru": "x ]]&gt; y"}


def test_gift_export_escapes_reserved_characters():
    item = sample(name="Q: 1", text={"ru": "<p>a {b} = c ~ d # e \\ f</p>"})
    data = export([item], format="gift").decode()
    assert "::Q\\: 1::[html]<p>a \\{b\\} \\= c \\~ d \\# e \\\\ f</p>{" in data


def test_a_nameless_question_is_named_after_its_text_in_moodle_xml_but_stays_nameless_in_gift():
    item = sample(name="")
    assert parse(export([item], format="moodle-xml")).items[0]["name"] == "Сұрақ?"
    assert parse(export([item], format="gift")).items[0]["name"] == ""


def test_a_gift_file_of_one_nameless_description_is_recognised_as_gift():
    item = {"type": "description", "name": "", "text": {"kk": "<p>Кіріспе</p>"}, "points": 0.0, "category": [],
            "tags": []}
    data = export([item], format="gift")
    assert data == "[html]<p>Кіріспе</p>\n\n".encode()
    assert parse(data, language="kk").items == [item]


def test_a_multiple_choice_with_one_full_answer_comes_back_from_gift_as_a_single_choice():
    item = sample("multiple_choice")
    assert parse(export([item], format="gift")).items[0]["type"] == "single_choice"
    assert parse(export([item], format="moodle-xml")).items[0]["type"] == "multiple_choice"


def test_an_unknown_format_or_language_is_refused():
    with pytest.raises(ValueError):
        export([sample()], format="qti")
    with pytest.raises(ValueError):
        export([sample()], format="gift", language="en")
    with pytest.raises(ValueError):
        parse(b"Q {T}", language="en")


def test_an_empty_gift_export_is_not_a_readable_file():
    assert export([SCENARIO], format="gift") == b""
    with pytest.raises(FormatError):
        parse(b"")


# --- Sanitising ---------------------------------------------------------------------------------------------------

def test_sanitising_keeps_basic_formatting_and_safe_links_and_images():
    markup = ('<p style="color:red" class="x">a <strong>b</strong> <a href="https://e.kz" target="_blank">c</a> '
              '<img src="data:image/png;base64,AAA" alt="d" width="5"> <sub>1</sub><sup>2</sup></p>')
    assert sanitize(markup) == ('<p>a <strong>b</strong> <a href="https://e.kz">c</a> '
                                '<img src="data:image/png;base64,AAA" alt="d"> <sub>1</sub><sup>2</sup></p>')


def test_sanitising_removes_scripts_event_handlers_and_unsafe_urls():
    markup = ('<p onclick="x()">a<script>alert(1)</script><a href="javascript:alert(1)">b</a>'
              '<img src="@@PLUGINFILE@@/x.png"><img src="javascript:x"><iframe src="https://e.kz"></iframe></p>')
    assert sanitize(markup) == "<p>ab</p>"
