"""Located YAML nodes: values as PyYAML reads them, with line, style and key path."""

from __future__ import annotations

import datetime

import pytest

from cfct_build.validate.yamlnodes import YamlProblem, compose, describe

DOC = """---
region: us-east-1  # home
version: 2021-03-15
list: ["a", 'b', c]
block: |
  text
base: &b {k: 1, j: 2}
merged:
  <<: *b
  k: 3
"""


def rows(text: str) -> list[tuple[object, ...]]:
    doc = compose(text)
    assert doc is not None
    return [(n.path, n.line, n.kind, n.style, n.flow, n.value, n.source) for n in doc.walk()]


def test_nodes_carry_path_line_kind_style_and_value() -> None:
    assert rows(DOC) == [
        ((), 2, "map", None, False, None, ""),
        ((), 2, "scalar", None, False, "region", "region"),
        (("region",), 2, "scalar", None, False, "us-east-1", "us-east-1"),
        ((), 3, "scalar", None, False, "version", "version"),
        (("version",), 3, "scalar", None, False, datetime.date(2021, 3, 15), "2021-03-15"),
        ((), 4, "scalar", None, False, "list", "list"),
        (("list",), 4, "seq", None, True, None, ""),
        (("list", 0), 4, "scalar", '"', False, "a", "a"),
        (("list", 1), 4, "scalar", "'", False, "b", "b"),
        (("list", 2), 4, "scalar", None, False, "c", "c"),
        ((), 5, "scalar", None, False, "block", "block"),
        (("block",), 5, "scalar", "|", False, "text\n", "text\n"),
        ((), 7, "scalar", None, False, "base", "base"),
        (("base",), 7, "map", None, True, None, ""),
        (("base",), 7, "scalar", None, False, "k", "k"),
        (("base", "k"), 7, "scalar", None, False, 1, "1"),
        (("base",), 7, "scalar", None, False, "j", "j"),
        (("base", "j"), 7, "scalar", None, False, 2, "2"),
        ((), 8, "scalar", None, False, "merged", "merged"),
        (("merged",), 9, "map", None, False, None, ""),
        (("merged",), 10, "scalar", None, False, "k", "k"),
        (("merged", "k"), 10, "scalar", None, False, 3, "3"),
        (("merged",), 7, "scalar", None, False, "j", "j"),
        (("merged", "j"), 7, "scalar", None, False, 2, "2"),
    ]


def test_data_is_what_safe_load_returns_last_duplicate_wins() -> None:
    doc = compose("a: 1\nb: [x, {c: null}]\na: 2\n")
    assert doc is not None
    assert doc.data() == {"a": 2, "b": ["x", {"c": None}]}
    assert [k.line for k, _ in doc.entries] == [1, 2, 3]


def test_accessors() -> None:
    doc = compose("m:\n  s: [1]\n  t: text\n  n:\n")
    assert doc is not None
    m = doc.get("m")
    assert m is not None
    assert [i.value for i in m.seq("s")] == [1]
    assert (m.seq("t"), m.seq("missing"), m.get("missing")) == ([], [], None)
    assert (m.get("t").text, m.get("s").text, m.get("n").is_null) == ("text", None, True)  # type: ignore[union-attr]
    assert (m.key_node("t").line, m.where) == (3, "m")  # type: ignore[union-attr]


def test_empty_document_is_none() -> None:
    assert compose("# only a comment\n") is None


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (
            "a: [1\n",
            "while parsing a flow sequence: expected ',' or ']', but got '<stream end>'",
            2,
        ),
        (
            "a: 1\n---\nb: 2\n",
            "expected a single document in the stream: but found another document",
            2,
        ),
        (
            "a: !Ref x\n",
            "cannot read value 'x': could not determine a constructor for the tag '!Ref'",
            1,
        ),
        ("a: 2021-02-30\n", "cannot read value '2021-02-30': day is out of range for month", 1),
        ("a: &x [*x]\n", "recursive alias: a node contains itself", 1),
        ("a: !!set {x}\n", "unsupported tag tag:yaml.org,2002:set on a mapping", 1),
        ("a:\n  <<: [1]\n", "a merge key (<<) needs a mapping", 2),
    ],
)
def test_unreadable_documents(text: str, message: str, line: int) -> None:
    with pytest.raises(YamlProblem) as info:
        compose(text)
    assert (info.value.message, info.value.line) == (message, line)


def test_alias_expansion_is_bounded() -> None:
    doc = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    previous = "a"
    for name in "bcdefgh":
        doc += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]\n"
        previous = name
    with pytest.raises(YamlProblem) as info:
        compose(doc)
    assert info.value.message == "more than 100,000 nodes once aliases are expanded"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "nothing (null)"),
        (True, "the boolean true"),
        (7, "the integer 7"),
        (1.5, "the number 1.5"),
        (datetime.date(2021, 3, 15), "the date 2021-03-15"),
        (datetime.datetime(2021, 3, 15, 1, 2, 3), "the timestamp 2021-03-15T01:02:03"),
        ("x", "the string 'x'"),
        ({}, "a mapping"),
        ([], "a list"),
        (b"x", "bytes"),
    ],
)
def test_describe(value: object, text: str) -> None:
    assert describe(value) == text


def test_yaml12_reading_of_plain_scalars() -> None:
    doc = compose("a: 0o17\nb: 1e3\nc: '1e3'\nd: 012345678901\ne: 0755\nf: yes\ng: text\n")
    assert doc is not None
    assert doc.data() == {
        "a": "0o17",
        "b": "1e3",
        "c": "1e3",
        "d": "012345678901",
        "e": 493,
        "f": True,
        "g": "text",
    }
    assert doc.data(yaml12=True) == {
        "a": 15,
        "b": 1000.0,
        "c": "1e3",
        "d": 12345678901,
        "e": 493,
        "f": True,
        "g": "text",
    }


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    with pytest.raises(YamlProblem) as info:
        compose("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert info.value.message == "the document is nested too deeply"
