"""Reading a CSV response matrix: delimiters, BOM, blanks, counts, and errors that say where the file is wrong."""

import numpy as np
import pytest

from saylau.psychometrics.responses import ResponseFileError, read_responses


def read(text: str, encoding: str = "utf-8"):
    return read_responses(text.encode(encoding))


def test_it_reads_items_and_credit():
    matrix = read("Q1,Q2,Q3\n1,0,0.5\n0,1,1\n")
    assert matrix.item_names == ["Q1", "Q2", "Q3"]
    assert matrix.scores.tolist() == [[1, 0, 0.5], [0, 1, 1]]
    assert matrix.counts.tolist() == [1, 1]
    assert matrix.n_examinees == 2


def test_an_empty_cell_is_an_item_not_presented():
    matrix = read("Q1,Q2,Q3\n1,,0\n,1\n")
    assert np.isnan(matrix.scores[0, 1])
    assert np.isnan(matrix.scores[1, 0]) and np.isnan(matrix.scores[1, 2])  # a short row: the rest not presented
    assert matrix.scores[1, 1] == 1


def test_a_count_column_repeats_a_pattern():
    matrix = read("Q1,count,Q2\n1,3,0\n0,,1\n")
    assert matrix.item_names == ["Q1", "Q2"]
    assert matrix.counts.tolist() == [3, 1]  # an empty count is 1
    assert matrix.n_examinees == 4


def test_the_count_column_is_found_in_any_case():
    assert read("Q1,Count\n1,2\n").counts.tolist() == [2]


def test_semicolons_and_decimal_commas_are_understood():
    matrix = read("Вопрос 1;Вопрос 2;count\n0,5;1;2\n1;0;1\n")
    assert matrix.item_names == ["Вопрос 1", "Вопрос 2"]
    assert matrix.scores.tolist() == [[0.5, 1], [1, 0]]
    assert matrix.counts.tolist() == [2, 1]


def test_a_byte_order_mark_is_ignored():
    matrix = read("Q1;Q2\n1;0\n", encoding="utf-8-sig")
    assert matrix.item_names == ["Q1", "Q2"]


def test_blank_lines_and_trailing_delimiters_are_ignored():
    matrix = read("Q1;Q2;;\n\n1;0;;\n;;;\n0;1\n")
    assert matrix.item_names == ["Q1", "Q2"]
    assert matrix.scores.tolist() == [[1, 0], [0, 1]]


@pytest.mark.parametrize(("text", "code", "row", "column", "value"), [
    ("Q1,Q2\n1,0\n1,x\n", "bad_cell", 3, 2, "x"),
    ("Q1,Q2\n1,1.5\n", "bad_cell", 2, 2, "1.5"),
    ("Q1,Q2\n-1,1\n", "bad_cell", 2, 1, "-1"),
    ("Q1,Q2\nnan,1\n", "bad_cell", 2, 1, "nan"),
    ("Q1,Q2\n1,0,1\n", "extra_cell", 2, 3, "1"),
    ("Q1,Q1\n1,0\n", "bad_header", 1, 2, "Q1"),
    ("Q1,,Q3\n1,0,1\n", "bad_header", 1, 2, ""),
    ("Q1,count\n1,0\n", "bad_count", 2, 2, "0"),
    ("Q1,count\n1,2.5\n", "bad_count", 2, 2, "2.5"),
    ("Q1,count\n\n1,two\n", "bad_count", 3, 2, "two"),
])
def test_a_bad_cell_is_reported_with_its_row_and_column(text, code, row, column, value):
    with pytest.raises(ResponseFileError) as caught:
        read(text)
    assert (caught.value.code, caught.value.row, caught.value.column, caught.value.value) == (code, row, column, value)
    assert str(caught.value.message)


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty"),
    (b"Q1,Q2\n", "empty"),
    (b"count\n3\n", "empty"),
    (b"Q1,Q2\n\xff\xfe1,0\n", "unreadable"),
    (b"\x00\x01\x02", "unreadable"),
])
def test_files_that_are_not_response_matrices_are_refused(data, code):
    with pytest.raises(ResponseFileError) as caught:
        read_responses(data)
    assert caught.value.code == code
