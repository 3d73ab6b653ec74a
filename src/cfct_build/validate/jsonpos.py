"""Line numbers for JSON documents: the standard parser gives values, not positions.

`locate(text)` walks a document that `json.loads` already accepted and returns, for every value
and every object key, its key path and 1-based line, in document order.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from cfct_build.validate.yamlnodes import PathPart

_WS = " \t\n\r"
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class Located:
    path: tuple[PathPart, ...]
    line: int
    value: Any  # scalars: the value; keys: the key text; objects and arrays: None
    is_key: bool = False


class _Walker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]
        self.out: list[Located] = []

    def line(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1

    def skip(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos] in _WS:
            pos += 1
        return pos

    def value(self, pos: int, path: tuple[PathPart, ...]) -> int:
        pos = self.skip(pos)
        start = pos
        ch = self.text[pos]
        if ch == "{":
            pos = self.skip(pos + 1)
            self.out.append(Located(path, self.line(start), None))
            if self.text[pos] == "}":
                return pos + 1
            while True:
                pos = self.skip(pos)
                key, end = scanstring(self.text, pos + 1)
                self.out.append(Located((*path, key), self.line(pos), key, is_key=True))
                pos = self.skip(end)
                pos = self.value(pos + 1, (*path, key))  # after ':'
                pos = self.skip(pos)
                if self.text[pos] == "}":
                    break
                pos += 1  # ','
            return pos + 1
        if ch == "[":
            pos = self.skip(pos + 1)
            self.out.append(Located(path, self.line(start), None))
            if self.text[pos] == "]":
                return pos + 1
            i = 0
            while True:
                pos = self.skip(self.value(pos, (*path, i)))
                i += 1
                if self.text[pos] == "]":
                    break
                pos += 1
            return pos + 1
        value, end = _DECODER.raw_decode(self.text, pos)
        self.out.append(Located(path, self.line(start), value))
        return int(end)


def locate(text: str) -> list[Located]:
    """Every value and key of a valid JSON document, with its path and line."""
    walker = _Walker(text)
    walker.value(0, ())
    return walker.out


def line_of(located: list[Located], path: tuple[PathPart, ...]) -> int | None:
    for loc in located:
        if loc.path == path and not loc.is_key:
            return loc.line
    return None
