from datetime import date

import pytest

from recordio import Field, RecordError, Schema, read_records, split_line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("a,b,c", ["a", "b", "c"]),
        ('"a,b",c', ["a,b", "c"]),
        ('"say ""hi""",x', ['say "hi"', "x"]),
        ("a,,", ["a", "", ""]),
    ],
    ids=["plain", "quoted-delimiter", "doubled-quotes", "empty-fields"],
)
def test_split_line(line, expected):
    assert split_line(line) == expected


def test_unterminated_quote():
    with pytest.raises(ValueError):
        split_line('"abc')


SCHEMA = Schema([Field("name"), Field("age", int, required=False), Field("joined", date)])


def test_read_typed_records():
    text = "name,age,joined\nalice,31,2020-01-02\n\n# comment\nbob,40,2021-05-06\n"
    assert list(read_records(text, SCHEMA)) == [
        {"name": "alice", "age": 31, "joined": date(2020, 1, 2)},
        {"name": "bob", "age": 40, "joined": date(2021, 5, 6)},
    ]


def test_header_order_and_extra_columns():
    text = "joined,extra,name,age\n2020-01-02,zzz,carol,5\n"
    assert list(read_records(text, SCHEMA)) == [{"name": "carol", "age": 5, "joined": date(2020, 1, 2)}]


def test_missing_column():
    with pytest.raises(RecordError, match="missing columns"):
        list(read_records("name,age\nx,1\n", SCHEMA))


def test_bad_value_reports_line_and_field():
    with pytest.raises(RecordError) as info:
        list(read_records("name,age,joined\nx,old,2020-01-01\n", SCHEMA))
    assert (info.value.line, info.value.field) == (2, "age")


def test_required_field_empty():
    with pytest.raises(RecordError):
        list(read_records("name,age,joined\n,3,2020-01-01\n", SCHEMA))


def test_optional_int_field_empty():
    rows = list(read_records("name,age,joined\nbob,,2020-01-01\n", SCHEMA))
    assert rows[0]["age"] is None
