"""Scoring responses: Moodle's rules per item type, the short-answer folding, and the validation of responses."""

import math
import string

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from saylau.assessment.documents import ITEM_TYPES, UNSCORED_AUTOMATICALLY
from saylau.assessment.scoring import (
    InvalidResponse,
    normalise_short_answer,
    scenario_visible_steps,
    score_fraction,
    score_points,
    short_answer_matches,
    validate_response,
)


def ml(text: str) -> dict:
    """A multilingual text, the same in both languages (enough for scoring)."""
    return {"kk": text, "ru": text}


def choice_item(item_type: str, fractions: dict, points: float = 1.0) -> dict:
    return {"type": item_type, "text": ml("?"), "points": points,
            "options": [{"id": option_id, "text": ml(option_id), "fraction": f} for option_id, f in fractions.items()]}


def short_answer_item(*answers: tuple[str, float], case_sensitive: bool = False) -> dict:
    return {"type": "short_answer", "text": ml("?"), "points": 1.0, "case_sensitive": case_sensitive,
            "answers": [{"text": text, "fraction": fraction} for text, fraction in answers]}


def numerical_item(*numbers: tuple, points: float = 1.0) -> dict:
    return {"type": "numerical", "text": ml("?"), "points": points,
            "numbers": [{"value": value, "tolerance": tolerance, "fraction": fraction}
                        for value, tolerance, fraction in numbers]}


def matching_item(*pairs: tuple[str, str, str]) -> dict:
    return {"type": "matching", "text": ml("?"), "points": 1.0,
            "pairs": [{"id": pair_id, "premise": ml(premise), "response": ml(response)}
                      for pair_id, premise, response in pairs]}


def scenario_item(*steps: dict) -> dict:
    """steps: one {option id: fraction} per step."""
    return {"type": "scenario", "text": ml("Situation"), "points": 1.0,
            "steps": [{"id": f"s{n}", "text": ml(f"Step {n}"),
                       "options": [{"id": option_id, "text": ml(option_id), "fraction": fraction, "feedback": ml("")}
                                   for option_id, fraction in options.items()]}
                      for n, options in enumerate(steps, start=1)]}


def code_of(document: dict, response) -> str:
    with pytest.raises(InvalidResponse) as exc:
        validate_response(document, response)
    return exc.value.code


# --- Single choice and true/false ------------------------------------------------------------------------

SINGLE = choice_item("single_choice", {"a": 1.0, "b": 0.5, "c": 0.0, "d": -0.5})


@pytest.mark.parametrize(("choices", "expected"), [
    (["a"], 1.0), (["b"], 0.5), (["c"], 0.0), (["d"], 0.0), ([], 0.0), (["zz"], 0.0), ([1], 0.0),
])
def test_a_single_choice_scores_the_chosen_options_fraction_and_a_penalty_scores_zero(choices, expected):
    assert score_fraction(SINGLE, {"choices": choices}) == expected


@pytest.mark.parametrize("response", [None, {}, {"choices": None}, {"choices": "a"}, {"text": "a"}, ["a"], "a"])
def test_a_missing_or_malformed_single_choice_response_scores_zero(response):
    assert score_fraction(SINGLE, response) == 0.0


def test_choosing_several_options_in_a_single_choice_scores_zero_rather_than_the_best_of_them():
    assert score_fraction(SINGLE, {"choices": ["a", "b"]}) == 0.0
    assert score_fraction(SINGLE, {"choices": ["a", "a"]}) == 0.0


def test_true_false_scores_like_a_single_choice():
    item = choice_item("true_false", {"true": 0.0, "false": 1.0}, points=2.0)

    assert score_points(item, {"choices": ["false"]}) == 2.0
    assert score_points(item, {"choices": ["true"]}) == 0.0


# --- Multiple choice -------------------------------------------------------------------------------------

MULTIPLE = choice_item("multiple_choice", {"a": 0.5, "b": 0.5, "c": -0.5, "d": -1.0, "e": 0.0})


@pytest.mark.parametrize(("choices", "expected"), [
    (["a", "b"], 1.0),
    (["a"], 0.5),
    (["a", "b", "c"], 0.5),     # the wrong option's penalty
    (["a", "c"], 0.0),
    (["a", "d"], 0.0),          # clamped, not -0.5
    (["a", "b", "c", "d", "e"], 0.0),
    (["a", "a"], 0.5),          # a repeated id counts once
    (["a", "zz", 7, None, ["b"]], 0.5),  # unknown and malformed ids are ignored
])
def test_a_multiple_choice_sums_the_chosen_fractions_and_clamps_the_sum_to_0_1(choices, expected):
    assert score_fraction(MULTIPLE, {"choices": choices}) == expected


def test_a_multiple_choice_sum_above_one_is_clamped_to_one():
    item = choice_item("multiple_choice", {"a": 1.0, "b": 1.0})

    assert score_fraction(item, {"choices": ["a", "b"]}) == 1.0


def test_three_thirds_give_moodles_rounded_mark():
    item = choice_item("multiple_choice", {"a": 0.3333333, "b": 0.3333333, "c": 0.3333333}, points=3.0)

    assert score_points(item, {"choices": ["a", "b", "c"]}) == 2.9999997
    assert score_points(item, {"choices": ["c"]}) == 0.9999999


# --- Short answer ----------------------------------------------------------------------------------------


def test_a_kazakh_answer_typed_without_kazakh_letters_and_with_extra_spaces_matches():
    item = short_answer_item(("Орталық сайлау комиссиясы", 1.0))

    assert score_fraction(item, {"text": "орталык  сайлау комиссиясы"}) == 1.0
    assert score_fraction(item, {"text": "  ОРТАЛЫҚ\u00a0сайлау\tкомиссиясы "}) == 1.0
    assert score_fraction(item, {"text": "Аумақтық сайлау комиссиясы"}) == 0.0


@pytest.mark.parametrize("typed", [
    "Центральная избирательная комиссия",
    "Центральная избиратeльная кoмиссия",   # Latin e and o
    "Цeнтральная избирательная коmиссия",  # Latin e and m
    "ЦЕНТРАЛЬНАЯ ИЗБИРАТЕЛЬНАЯ КOMИCCИЯ",  # Latin O, M, C
])
def test_latin_look_alike_letters_in_a_russian_word_count_as_cyrillic(typed):
    item = short_answer_item(("Центральная избирательная комиссия", 1.0))

    assert score_fraction(item, {"text": typed}) == 1.0


def test_latin_look_alikes_in_the_accepted_answer_are_folded_too():
    assert short_answer_matches("Кoнcтитуция", "Конституция", case_sensitive=True)
    assert short_answer_matches("ЦИK", "ЦИК", case_sensitive=True)


def test_a_word_written_wholly_in_latin_letters_stays_latin():
    assert normalise_short_answer("Moodle ЦИК") == "Moodle ЦИК"
    assert not short_answer_matches("СОР", "COP", case_sensitive=False)


def test_yo_and_ye_are_the_same_letter():
    assert short_answer_matches("Объём голосов", "объем голосов", case_sensitive=False)
    assert short_answer_matches("ЁЛКА", "ЕЛКА", case_sensitive=True)


@pytest.mark.parametrize(("kazakh", "russian_keyboard"), [
    ("сайлауға", "сайлауга"), ("құқық", "кукык"), ("өкілеттік", "окилеттик"), ("әкім", "аким"),
    ("Үміткер", "Умиткер"), ("жиһаз", "жихаз"), ("аңыз", "аныз"), ("ҰЛТТЫҚ", "УЛТТЫК"),
])
def test_kazakh_letters_typed_on_a_russian_keyboard_count_as_the_plain_letter(kazakh, russian_keyboard):
    assert short_answer_matches(kazakh, russian_keyboard, case_sensitive=True)
    assert short_answer_matches(russian_keyboard, kazakh, case_sensitive=True)


def test_typographic_quotes_dashes_and_decomposed_letters_compare_as_typed_on_a_keyboard():
    assert short_answer_matches("«Нұр Отан» — партия", '"Нұр Отан" - партия', case_sensitive=True)
    assert short_answer_matches("„Закон“", '"Закон"', case_sensitive=True)
    assert short_answer_matches("йод", "и\u0306од", case_sensitive=True)  # и + combining breve is й


def test_case_counts_only_when_the_item_says_so():
    sensitive = short_answer_item(("ЦИК", 1.0), case_sensitive=True)
    insensitive = short_answer_item(("ЦИК", 1.0))

    assert score_fraction(sensitive, {"text": "цик"}) == 0.0
    assert score_fraction(sensitive, {"text": "ЦИК"}) == 1.0
    assert score_fraction(insensitive, {"text": "цик"}) == 1.0


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    ("Орталық * комиссиясы", "Орталық сайлау комиссиясы", True),
    ("Орталық * комиссиясы", "Орталық комиссиясы", False),  # the spaces around * are literal
    ("*комисси*", "Центральная избирательная комиссия", True),
    ("*комисси*", "Центральная избирательная", False),
    ("ст*тья 20", "статья 20", True),
    ("ст*тья 20", "статья 20, пункт 3", False),  # the whole answer must match
    ("ст**тья", "статья", True),                   # a run of * is one wildcard
    ("*", "что угодно", True),
    ("a*b*a", "aba", True),                        # a wildcard may stand for nothing
    ("a*a", "a", False),                           # but the pieces around it may not overlap
    ("a*b*a", "abba", True),
    ("5\\*", "5*", True),                           # \* is a literal asterisk
    ("5\\*", "55", False),
    ("3.5", "3x5", False),                          # nothing but * is special
])
def test_an_asterisk_in_an_accepted_answer_is_a_wildcard(pattern, text, expected):
    assert short_answer_matches(pattern, text, case_sensitive=False) is expected


def test_the_first_matching_accepted_answer_gives_its_fraction():
    item = short_answer_item(("ЦИК", 1.0), ("Центральная *", 0.5), ("*", 0.0), ("Центральная комиссия", 1.0))

    assert score_fraction(item, {"text": "цик"}) == 1.0
    assert score_fraction(item, {"text": "Центральная комиссия"}) == 0.5  # the wildcard answer comes first
    assert score_fraction(item, {"text": "ОСК"}) == 0.0


@pytest.mark.parametrize("response", [{"text": ""}, {"text": "   "}, {"text": None}, {"text": 5}, {}, None])
def test_an_empty_short_answer_scores_zero_even_against_a_catch_all(response):
    assert score_fraction(short_answer_item(("*", 1.0)), response) == 0.0


# --- Numerical -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "expected"), [
    (3.0, 1.0), (2.5, 1.0), (3.5, 1.0),             # the boundaries belong to the interval
    (2.4999999, 0.0), (3.5000001, 0.0),
    ("3,5", 1.0), (" 3,25 ", 1.0), ("3.5", 1.0),     # typed as a person types
    ("3,6", 0.0), ("три", 0.0), ("", 0.0), (None, 0.0), (True, 0.0),
    (float("nan"), 0.0), (float("inf"), 0.0), ("nan", 0.0), (10**400, 0.0), ([3], 0.0),
])
def test_a_numerical_answer_holds_the_numbers_within_its_absolute_tolerance(number, expected):
    item = numerical_item((3.0, 0.5, 1.0))

    assert score_fraction(item, {"number": number}) == expected


def test_a_number_on_the_boundary_is_not_lost_to_binary_rounding():
    item = numerical_item((0.7, 0.1, 1.0))

    assert not 0.7 + 0.1 >= 0.8  # what binary floating point makes of it
    assert score_fraction(item, {"number": 0.8}) == 1.0
    assert score_fraction(item, {"number": 0.6}) == 1.0
    assert score_fraction(item, {"number": 0.8001}) == 0.0


def test_the_first_numerical_answer_holding_the_number_wins():
    item = numerical_item((1995, 0, 1.0), (1995, 5, 0.5), ("*", 0, 0.1))

    assert score_fraction(item, {"number": 1995}) == 1.0
    assert score_fraction(item, {"number": "1 993"}) == 0.5
    assert score_fraction(item, {"number": -7}) == 0.1      # Moodle's catch-all
    assert score_fraction(item, {"number": None}) == 0.0    # but not for no answer


# --- Matching --------------------------------------------------------------------------------------------

MATCHING = matching_item(
    ("p1", "Центральная избирательная комиссия", "ЦИК"),
    ("p2", "Территориальная избирательная комиссия", "ТИК"),
    ("p3", "Участковая избирательная комиссия", "УИК"),
    ("x1", "", "ОИК"),  # a distractor response
)


@pytest.mark.parametrize(("pairs", "expected"), [
    ({"p1": "p1", "p2": "p2", "p3": "p3"}, 1.0),
    ({"p1": "p1", "p2": "p2", "p3": "x1"}, 2 / 3),
    ({"p1": "p2", "p2": "p1"}, 0.0),
    ({"p1": "p1"}, 1 / 3),
    ({"p1": "p1", "x1": "x1", "zz": "p2"}, 1 / 3),   # a distractor or unknown id as a premise counts nothing
    ({"p1": ["p1"], "p2": 2, "p3": None}, 0.0),
    ({}, 0.0),
])
def test_matching_scores_the_share_of_premises_matched_to_their_own_response(pairs, expected):
    assert score_fraction(MATCHING, {"pairs": pairs}) == pytest.approx(expected)


def test_matching_to_a_pair_with_the_same_response_text_counts_as_right():
    item = matching_item(
        ("p1", "Голосует лично", "Да"),
        ("p2", "Голосует в 18 лет", "Да"),
        ("p3", "Голосует за другого", "Нет"),
    )

    assert score_fraction(item, {"pairs": {"p1": "p2", "p2": "p2", "p3": "p3"}}) == 1.0
    assert score_fraction(item, {"pairs": {"p1": "p3", "p2": "p1", "p3": "p1"}}) == pytest.approx(1 / 3)


def test_a_premise_without_a_response_is_never_matched():
    item = matching_item(("p1", "Голосует лично", ""), ("p2", "Голосует за другого", "Нет"), ("x1", "", ""))

    assert score_fraction(item, {"pairs": {"p1": "x1", "p2": "p2"}}) == 0.5


def test_matching_scores_are_rounded_to_seven_decimals_in_points():
    assert score_points(MATCHING, {"pairs": {"p1": "p1"}}) == 0.3333333


# --- Scenario --------------------------------------------------------------------------------------------

SCENARIO = scenario_item({"s1a": 1.0, "s1b": 0.0}, {"s2a": 0.5, "s2b": 1.0}, {"s3a": 1.0, "s3b": 0.25})


@pytest.mark.parametrize(("choices", "expected"), [
    (["s1a", "s2b", "s3a"], 1.0),
    (["s1a", "s2a"], 0.5),               # (1 + 0.5 + 0) / 3: the unanswered step scores 0
    (["s1b", "s2a", "s3b"], 0.25),
    ([], 0.0),
    (["s2a"], 0.0),                      # step 2 answered before step 1 counts nothing
    (["s1a", "s3a"], 1 / 3),             # nor anything after a step out of order
    (["s1a", "s2a", "s3a", "s3b"], 2.5 / 3),
])
def test_a_scenario_scores_the_mean_over_all_steps_of_the_chosen_fractions(choices, expected):
    assert score_fraction(SCENARIO, {"choices": choices}) == pytest.approx(expected)


def test_a_negative_fraction_in_a_scenario_step_costs_only_that_step():
    item = scenario_item({"a": -1.0}, {"b": 1.0})

    assert score_fraction(item, {"choices": ["a", "b"]}) == 0.5


@pytest.mark.parametrize(("response", "visible"), [
    (None, 1), ({"choices": []}, 1), ({"choices": ["s1a"]}, 2), ({"choices": ["s1a", "s2b"]}, 3),
    ({"choices": ["s1a", "s2b", "s3a"]}, 3), ({"choices": ["s2a"]}, 1), ({"choices": "s1a"}, 1),
])
def test_the_examinee_sees_the_answered_steps_and_the_next_one(response, visible):
    assert scenario_visible_steps(SCENARIO, response) == visible


# --- Essay and description -------------------------------------------------------------------------------


@pytest.mark.parametrize("item_type", ["essay", "description"])
def test_essays_and_descriptions_have_no_automatic_score(item_type):
    item = {"type": item_type, "text": ml("?"), "points": 5.0}

    assert score_fraction(item, {"text": "Ответ"}) is None
    assert score_points(item, None) is None


# --- Validation ------------------------------------------------------------------------------------------


def test_an_invalid_response_says_what_and_where():
    with pytest.raises(InvalidResponse) as exc:
        validate_response(SINGLE, {"choices": ["zz"]})

    assert (exc.value.code, exc.value.field) == ("unknown_option", "choices")
    assert isinstance(exc.value, ValueError)


@pytest.mark.parametrize(("response", "normal"), [
    ({"choices": ["a"]}, {"choices": ["a"]}), ({"choices": []}, {"choices": []}), ({}, {"choices": []}),
    ({"choices": None}, {"choices": []}),
])
def test_a_single_choice_response_is_one_known_option_or_none(response, normal):
    assert validate_response(SINGLE, response) == normal


@pytest.mark.parametrize(("document", "response", "code"), [
    (SINGLE, {"choices": ["a", "b"]}, "too_many_choices"),
    (SINGLE, {"choices": ["zz"]}, "unknown_option"),
    (SINGLE, {"choices": "a"}, "wrong_shape"),
    (SINGLE, {"choices": [1]}, "wrong_shape"),
    (SINGLE, {"choices": ["a"], "text": "a"}, "wrong_shape"),
    (SINGLE, ["a"], "wrong_shape"),
    (MULTIPLE, {"choices": ["a", "a"]}, "duplicate_choice"),
    (MULTIPLE, {"choices": ["a"] * 100_000}, "too_many_choices"),
    (MULTIPLE, {"choices": ["a", "zz"]}, "unknown_option"),
    (MULTIPLE, {"choices": [["a"]]}, "wrong_shape"),
])
def test_a_choice_response_is_refused_with_a_code(document, response, code):
    assert code_of(document, response) == code


def test_multiple_choices_are_stored_in_document_order():
    assert validate_response(MULTIPLE, {"choices": ["d", "a", "c"]}) == {"choices": ["a", "c", "d"]}


@pytest.mark.parametrize(("choices", "code"), [
    (["s2a"], "step_out_of_order"),
    (["s1a", "s3a"], "step_out_of_order"),
    (["s1a", "s1b"], "too_many_choices"),
    (["s1a", "s2a", "s3a", "s3b"], "too_many_choices"),
    (["s1a", "zz"], "unknown_option"),
    (["s1a", None], "wrong_shape"),
])
def test_a_scenario_step_is_answered_once_and_only_after_the_steps_before_it(choices, code):
    assert code_of(SCENARIO, {"choices": choices}) == code


def test_a_scenario_answered_in_step_order_is_valid():
    assert validate_response(SCENARIO, {"choices": ["s1b", "s2a"]}) == {"choices": ["s1b", "s2a"]}


def test_short_answer_and_essay_texts_are_stripped_and_limited():
    short = short_answer_item(("ЦИК", 1.0))
    essay = {"type": "essay", "text": ml("?"), "points": 5.0, "essay": {"response_format": "plain"}}

    assert validate_response(short, {"text": "  ЦИК \n"}) == {"text": "ЦИК"}
    assert validate_response(short, {"text": " " + "я" * 255 + " "}) == {"text": "я" * 255}
    assert validate_response(short, {}) == {"text": ""}
    assert code_of(short, {"text": "я" * 256}) == "too_long"
    assert validate_response(essay, {"text": "Абзац.\n\nЕщё абзац.\n"}) == {"text": "Абзац.\n\nЕщё абзац."}
    assert validate_response(essay, {"text": "я" * 20_000})["text"] == "я" * 20_000
    assert code_of(essay, {"text": "я" * 20_001}) == "too_long"


@pytest.mark.parametrize(("text", "code"), [(5, "wrong_shape"), (["ЦИК"], "wrong_shape"),
                                            ("ЦИК\x00", "invalid_character"), ("ЦИК\ud800", "invalid_character")])
def test_a_text_that_cannot_be_stored_is_refused(text, code):
    assert code_of(short_answer_item(("ЦИК", 1.0)), {"text": text}) == code


@pytest.mark.parametrize(("number", "normal"), [
    (3.5, 3.5), (3, 3.0), ("3,5", 3.5), (" 1 000,5 ", 1000.5), ("1\u00a0000", 1000.0), ("−2", -2.0),
    ("-0,5", -0.5), (".5", 0.5), ("1e3", 1000.0), ("", None), ("  ", None), (None, None),
])
def test_a_number_is_accepted_as_a_person_types_it(number, normal):
    assert validate_response(numerical_item((3.0, 0.5, 1.0)), {"number": number}) == {"number": normal}


@pytest.mark.parametrize(("number", "code"), [
    ("три", "not_a_number"), ("1,000.5", "not_a_number"), ("1.2.3", "not_a_number"), ("3,5 м", "not_a_number"),
    ("nan", "not_a_number"), ("inf", "not_a_number"), (float("nan"), "not_a_number"), (float("-inf"), "not_a_number"),
    (True, "not_a_number"), (10**400, "not_a_number"), ([3], "not_a_number"), ("1_000", "not_a_number"),
    ("١٢", "not_a_number"), ("1" * 101, "too_long"),
])
def test_anything_but_a_finite_number_is_refused(number, code):
    assert code_of(numerical_item((3.0, 0.5, 1.0)), {"number": number}) == code


def test_matching_pairs_are_known_premises_to_known_pairs_and_unanswered_ones_are_dropped():
    response = {"pairs": {"p3": "x1", "p1": "p1", "p2": None}}

    assert validate_response(MATCHING, response) == {"pairs": {"p1": "p1", "p3": "x1"}}
    assert code_of(MATCHING, {"pairs": {"x1": "p1"}}) == "unknown_option"  # a distractor has no premise
    assert code_of(MATCHING, {"pairs": {"p1": "zz"}}) == "unknown_option"
    assert code_of(MATCHING, {"pairs": {"p1": 1}}) == "wrong_shape"
    assert code_of(MATCHING, {"pairs": [["p1", "p1"]]}) == "wrong_shape"


def test_a_description_takes_no_response():
    item = {"type": "description", "text": ml("Прочтите"), "points": 0.0}

    assert validate_response(item, {}) == {}
    assert code_of(item, {"text": "x"}) == "wrong_shape"


# --- Properties ------------------------------------------------------------------------------------------

ids = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=3)
fractions = st.one_of(st.sampled_from([1.0, 0.5, 0.3333333, 0.1, 0.0, -0.3333333, -0.5, -1.0]),
                      st.floats(min_value=-1.0, max_value=1.0))
# Letters that exercise the folding: Russian and Kazakh, their Latin look-alikes, ё, accents to compose,
# typographic marks, odd spaces and the wildcard.
answer_letters = st.sampled_from(list(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБЕЁКМНОРСТХУЦ" "әғқңөұүһіӘҒҚҢӨҰҮҺІ" "aceopxyhikmtbACEOPXYHIKMTBë"
    "\u0306\u0308\u0301\u0310«»“”„–—−-\"' \u00a0\u202f\t\n\u00ad\u200b*\\.,0123456789"))
answer_texts = st.one_of(st.text(answer_letters, max_size=20), st.text(max_size=20))
labels = st.builds(ml, st.text(answer_letters, max_size=8))
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=8)


def options_from(option_ids: list[str], draw) -> list[dict]:
    return [{"id": option_id, "text": ml(option_id), "fraction": draw(fractions)} for option_id in option_ids]


@st.composite
def documents(draw, item_type: str) -> dict:
    document = {"type": item_type, "name": "", "text": ml("Вопрос"), "points": draw(st.sampled_from([0.0, 1.0, 2.5, 10.0]))}
    if item_type in ("single_choice", "multiple_choice"):
        document["options"] = options_from(draw(st.lists(ids, min_size=1, max_size=6, unique=True)), draw)
    elif item_type == "true_false":
        right = draw(st.sampled_from(["true", "false"]))
        document["options"] = [{"id": option_id, "text": ml(option_id), "fraction": float(option_id == right)}
                               for option_id in ("true", "false")]
    elif item_type == "short_answer":
        document["answers"] = [{"text": text, "fraction": draw(st.floats(0.0, 1.0))}
                               for text in draw(st.lists(answer_texts, min_size=1, max_size=4))]
        document["case_sensitive"] = draw(st.booleans())
    elif item_type == "numerical":
        values = st.floats(min_value=-1e6, max_value=1e6) | st.just("*")
        document["numbers"] = [{"value": draw(values), "tolerance": draw(st.floats(min_value=0.0, max_value=100.0)),
                                "fraction": draw(st.floats(0.0, 1.0))} for _ in range(draw(st.integers(1, 3)))]
    elif item_type == "matching":
        responses = draw(st.lists(st.sampled_from(["А", "Б", "В", "", "А "]), min_size=1, max_size=6))  # repeats on purpose
        document["pairs"] = [{"id": f"p{n}", "premise": draw(labels), "response": ml(text)}
                             for n, text in enumerate(responses)]
    elif item_type == "scenario":
        sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
        document["steps"] = [{"id": f"s{n}", "text": ml(f"Шаг {n}"),
                              "options": options_from([f"s{n}o{k}" for k in range(size)], draw)}
                             for n, size in enumerate(sizes)]
    elif item_type == "essay":
        document["essay"] = {"response_format": "plain", "min_words": None, "grader_info": ml("")}
    return document


any_documents = st.sampled_from(ITEM_TYPES).flatmap(documents)


def known_ids(document: dict) -> list[str]:
    found = [option["id"] for option in document.get("options", [])]
    found += [pair["id"] for pair in document.get("pairs", [])]
    found += [option["id"] for step in document.get("steps", []) for option in step["options"]]
    return found or ["a"]


@st.composite
def plausible_responses(draw, document: dict) -> dict:
    """A response of the item's own shape, as an honest client sends it (with a slip now and then)."""
    item_type = document["type"]
    if item_type in ("single_choice", "multiple_choice", "true_false"):
        ids_ = [option["id"] for option in document["options"]]
        return {"choices": draw(st.lists(st.sampled_from(ids_), max_size=len(ids_) + 1))}
    if item_type == "scenario":
        path = [draw(st.sampled_from(step["options"]))["id"] for step in document["steps"]]
        choices = path[:draw(st.integers(0, len(path)))]
        if draw(st.booleans()):  # a slip: an option of any step slipped in somewhere
            choices.insert(draw(st.integers(0, len(choices))), draw(st.sampled_from(known_ids(document))))
        return {"choices": choices}
    if item_type in ("short_answer", "essay"):
        accepted = [answer["text"] for answer in document.get("answers", [])] or ["Ответ"]
        padding = st.sampled_from(["", " ", "\u00a0", "\n"])
        text = draw(padding) + draw(st.sampled_from(accepted) | answer_texts) + draw(padding)
        return {"text": text}
    if item_type == "numerical":
        values = [number["value"] for number in document["numbers"] if number["value"] != "*"] or [0.0]
        near = st.sampled_from(values).flatmap(lambda value: st.floats(value - 200, value + 200))
        number = draw(near | near.map(lambda value: f" {value}".replace(".", ",")) | st.sampled_from(values))
        return {"number": number}
    if item_type == "matching":
        ids_ = [pair["id"] for pair in document["pairs"]]
        return {"pairs": draw(st.dictionaries(st.sampled_from(ids_), st.sampled_from(ids_) | st.none(), max_size=6))}
    return {}


@st.composite
def responses(draw, document: dict):
    """Responses a client might send: of the right shape half the time, otherwise malformed or junk."""
    some_id = st.sampled_from(known_ids(document)) | st.just("zz") | json_scalars
    numbers = st.one_of(st.floats(), st.integers(), st.booleans(), st.none(),
                        st.from_regex(r"\A *-?[0-9 ]{1,6}([.,][0-9]{0,3})? *\Z"), st.text(max_size=10))
    malformed = st.one_of(
        st.none(),
        json_values,
        st.fixed_dictionaries({"choices": st.lists(some_id, max_size=8) | json_values}),
        st.fixed_dictionaries({"text": answer_texts | json_scalars}),
        st.fixed_dictionaries({"number": numbers}),
        st.fixed_dictionaries({"pairs": st.dictionaries(st.sampled_from(known_ids(document)), some_id, max_size=6)}),
        st.fixed_dictionaries({"pairs": json_values}),
        st.dictionaries(st.sampled_from(["choices", "text", "number", "pairs", "extra"]), json_values, max_size=3),
    )
    if draw(st.booleans()):
        return draw(plausible_responses(document))
    return draw(malformed)


@given(data=st.data(), document=any_documents)
def test_every_score_is_none_for_hand_scored_types_and_otherwise_within_0_1(data, document):
    response = data.draw(responses(document))

    fraction = score_fraction(document, response)
    points = score_points(document, response)

    if document["type"] in UNSCORED_AUTOMATICALLY:
        assert fraction is None and points is None
    else:
        assert isinstance(fraction, float) and 0.0 <= fraction <= 1.0
        assert 0.0 <= points <= document["points"]
        assert score_fraction(document, response) == fraction  # deterministic


@given(data=st.data(), document=documents("multiple_choice"))
def test_adding_a_choice_with_a_non_negative_fraction_never_lowers_a_multiple_choice_score(data, document):
    options = document["options"]
    chosen = data.draw(st.lists(st.sampled_from(options), unique_by=lambda option: option["id"]))
    extra = data.draw(st.sampled_from(options))
    assume(extra["fraction"] >= 0 and extra not in chosen)
    position = data.draw(st.integers(0, len(chosen)))
    before = [option["id"] for option in chosen]

    after = before[:position] + [extra["id"]] + before[position:]

    assert score_fraction(document, {"choices": after}) >= score_fraction(document, {"choices": before})


@given(document=documents("single_choice"), data=st.data())
def test_choosing_any_option_worth_full_credit_in_a_single_choice_gives_one(document, data):
    full = data.draw(st.lists(st.sampled_from(document["options"]), min_size=1))
    for option in full:
        option["fraction"] = 1.0

    for option in full:
        assert score_fraction(document, {"choices": [option["id"]]}) == 1.0
        assert score_points(document, {"choices": [option["id"]]}) == document["points"]


@given(text=answer_texts | st.text())
@example(text="ё\u0308")          # ё + diaeresis folds to е, which composes with it to ё again
@example(text="сy\u0306")         # Latin y + breve becomes у + breve, which composes to ў
@example(text="і\u0306")          # Kazakh і + breve folds to и + breve: й
@example(text="К\u212a")          # the Kelvin sign is a K once composed
def test_normalising_a_short_answer_twice_changes_nothing(text):
    once = normalise_short_answer(text)

    assert normalise_short_answer(once) == once


@given(text=answer_texts | st.text(), case_sensitive=st.booleans())
def test_any_text_without_an_asterisk_matches_itself(text, case_sensitive):
    assume("*" not in text)

    assert short_answer_matches(text, text, case_sensitive=case_sensitive)


@given(pattern=answer_texts, text=answer_texts, case_sensitive=st.booleans())
def test_matching_a_short_answer_depends_only_on_the_normalised_texts(pattern, text, case_sensitive):
    expected = short_answer_matches(pattern, text, case_sensitive=case_sensitive)

    assert short_answer_matches(normalise_short_answer(pattern), normalise_short_answer(text),
                                case_sensitive=case_sensitive) is expected


@given(data=st.data(), document=any_documents)
def test_a_validated_response_is_stable_and_scores_as_the_original(data, document):
    response = data.draw(responses(document))
    try:
        normal = validate_response(document, response)
    except InvalidResponse as exc:
        assert exc.code  # a refusal always says why
        return

    assert validate_response(document, normal) == normal
    fraction = score_fraction(document, normal)
    assert fraction == score_fraction(document, response)
    assert fraction is None or 0.0 <= fraction <= 1.0
    number = normal.get("number")
    assert number is None or math.isfinite(number)
