"""Line numbers for JSON documents."""

from __future__ import annotations

from cfct_build.validate.jsonpos import Located, line_of, locate

DOC = """{
  "a": [1, {"b": "x  y"}],
\t"c": {},
  "d": [],
  "e": null
}
"""


def test_every_value_and_key_with_path_and_line() -> None:
    assert locate(DOC) == [
        Located((), 1, None),
        Located(("a",), 2, "a", is_key=True),
        Located(("a",), 2, None),
        Located(("a", 0), 2, 1),
        Located(("a", 1), 2, None),
        Located(("a", 1, "b"), 2, "b", is_key=True),
        Located(("a", 1, "b"), 2, "x  y"),
        Located(("c",), 3, "c", is_key=True),
        Located(("c",), 3, None),
        Located(("d",), 4, "d", is_key=True),
        Located(("d",), 4, None),
        Located(("e",), 5, "e", is_key=True),
        Located(("e",), 5, None),
    ]


def test_line_of_a_value_path() -> None:
    located = locate(DOC)
    assert (
        line_of(located, ("e",)),
        line_of(located, ("a", 1, "b")),
        line_of(located, ("z",)),
    ) == (5, 2, None)


def test_scalar_document() -> None:
    assert locate(' "only"\n') == [Located((), 1, "only")]
