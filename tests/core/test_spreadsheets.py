"""The one CSV writer: nothing a spreadsheet program would run as a formula, and Excel reads the accents."""

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ep_events.core.spreadsheets import FORMULA_PREFIXES, csv_bytes, safe_cell

DANGEROUS = ["=", "+", "-", "@", "\t", "\r", "\n"]


def read_back(data: bytes) -> list[list[str]]:
    """Read the file as Excel does: a UTF-8 byte-order mark means UTF-8, and it is not part of the first cell."""
    assert data.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel would read the file as ANSI"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_dangerous_prefixes_are_the_ones_owasp_lists():
    assert set(FORMULA_PREFIXES) == set(DANGEROUS)


@pytest.mark.parametrize("prefix", DANGEROUS)
def test_a_cell_starting_with_a_formula_character_is_written_as_text_in_every_column(prefix):
    payload = f"{prefix}HYPERLINK(\"http://attacker.example.org\",\"Click\")"
    for column in range(5):
        row = ["plain"] * 5
        row[column] = payload
        header, written = read_back(csv_bytes(["a", "b", "c", "d", "e"], [row]))
        assert written[column] == "'" + payload
        assert [cell for i, cell in enumerate(written) if i != column] == ["plain"] * 4


@pytest.mark.parametrize("prefix", DANGEROUS)
def test_the_header_is_made_safe_too(prefix):
    header, = read_back(csv_bytes([f"{prefix}1+1"], []))
    assert header == [f"'{prefix}1+1"]


def test_ordinary_text_numbers_and_empty_cells_are_left_alone():
    _, row = read_back(csv_bytes(["h"] * 5, [["Mary-Jane O'Neill", "2026-12-02 09:30", 42, None, "a=b"]]))
    assert row == ["Mary-Jane O'Neill", "2026-12-02 09:30", "42", "", "a=b"]


def test_accented_names_survive_the_round_trip_through_excels_reading():
    data = csv_bytes(["Name"], [["Zoë Łukasz Ó Briain"]])
    assert read_back(data) == [["Name"], ["Zoë Łukasz Ó Briain"]]
    # Without the mark the same bytes read as Windows-1252 would garble the name.
    assert "Zoë" not in data[3:].decode("cp1252", errors="replace")


cells = st.one_of(st.text(), st.sampled_from(DANGEROUS).flatmap(lambda p: st.text().map(lambda t: p + t)),
                  st.integers(), st.none())


@given(st.lists(st.lists(cells, min_size=1, max_size=6), max_size=5))
def test_no_cell_written_starts_with_a_formula_character(rows):
    header = [f"Column {i}" for i in range(6)]
    for row in read_back(csv_bytes(header, rows)):
        for cell in row:
            assert not cell.startswith(tuple(DANGEROUS)), cell


@given(st.text())
def test_a_made_safe_cell_reads_back_as_what_was_typed_after_the_quote(text):
    safe = safe_cell(text)
    assert safe == text or safe == "'" + text
