"""YAML documents as located nodes: values as PyYAML reads them, plus line, style and key path.

The manifest rules are about how a value is *written* (quoted or not, block or flow, which key
comes first), so the checks work on composed nodes, not on `yaml.safe_load` output. Scalars are
constructed with PyYAML's safe constructor (YAML 1.1, as CfCT's `yaml.safe_load` check and its
deployer read the manifest).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from yaml.constructor import SafeConstructor

MERGE_TAG = "tag:yaml.org,2002:merge"
YAML12_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+)$")
YAML12_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
Kind = Literal["map", "seq", "scalar"]
PathPart = str | int


class YamlProblem(Exception):
    """The document cannot be read the way `yaml.safe_load` reads it."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def path_str(path: tuple[PathPart, ...]) -> str:
    return ".".join(str(p) for p in path)


@dataclass
class YNode:
    path: tuple[PathPart, ...]
    line: int  # 1-based
    kind: Kind
    tag: str
    style: str | None = None  # scalars: None = plain, "'" or '"' = quoted, "|" or ">" = block
    flow: bool = False  # collections written in flow style ({...} or [...])
    value: Any = None  # scalars: the constructed Python value
    entries: list[tuple[YNode, YNode]] = field(default_factory=list)  # maps, duplicates kept
    items: list[YNode] = field(default_factory=list)  # sequences
    source: str = ""  # scalars: the text as written (without quotes)

    @property
    def where(self) -> str:
        return path_str(self.path)

    @property
    def is_map(self) -> bool:
        return self.kind == "map"

    @property
    def is_seq(self) -> bool:
        return self.kind == "seq"

    @property
    def is_null(self) -> bool:
        return self.kind == "scalar" and self.value is None

    @property
    def plain(self) -> bool:
        return self.kind == "scalar" and self.style is None

    @property
    def text(self) -> str | None:
        """The value if this is a string scalar, else None."""
        return self.value if self.kind == "scalar" and isinstance(self.value, str) else None

    def get(self, key: str) -> YNode | None:
        """The value node of `key` (the last one if the key is duplicated)."""
        found = None
        if self.kind == "map":
            for k, v in self.entries:
                if k.value == key:
                    found = v
        return found

    def key_node(self, key: str) -> YNode | None:
        found = None
        if self.kind == "map":
            for k, _ in self.entries:
                if k.value == key:
                    found = k
        return found

    def seq(self, key: str) -> list[YNode]:
        """Items of the sequence under `key` ([] when absent, null or not a sequence)."""
        node = self.get(key)
        return node.items if node is not None and node.kind == "seq" else []

    def data(self, yaml12: bool = False) -> Any:
        """Plain Python data, as `yaml.safe_load` would return it (last duplicate key wins).

        With yaml12, plain scalars that YAML 1.1 reads as strings but YAML 1.2 (ruamel.yaml,
        under CfCT's pykwalify check) reads as numbers, such as 0o17 or 1e3, are numbers.
        """
        if self.kind == "map":
            return {k.value: v.data(yaml12) for k, v in self.entries}
        if self.kind == "seq":
            return [i.data(yaml12) for i in self.items]
        return self.yaml12_value if yaml12 else self.value

    @property
    def yaml12_value(self) -> Any:
        """The scalar's value under YAML 1.2's core schema where it differs from a 1.1 string."""
        if self.kind != "scalar" or self.style is not None or not isinstance(self.value, str):
            return self.value
        src = self.source
        if YAML12_INT.match(src):
            return int(src[2:], 8) if src.startswith("0o") else int(src)
        if YAML12_FLOAT.match(src):
            return float(src)
        return self.value

    def walk(self) -> Iterator[YNode]:
        yield self
        for k, v in self.entries:
            yield k
            yield from v.walk()
        for i in self.items:
            yield from i.walk()


def describe(value: Any) -> str:
    """A short, typed rendering of a YAML value for messages."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, datetime.datetime):
        return f"the timestamp {value.isoformat()}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _key_text(key: YNode) -> PathPart:
    v = key.value
    return v if isinstance(v, str) else str(v)


MAX_NODES = 100_000  # aliases are expanded per path: bound what a hostile document can cost


class _Builder:
    def __init__(self) -> None:
        self.constructor = SafeConstructor()
        self.active: set[int] = set()
        self.count = 0

    def build(self, node: yaml.Node, path: tuple[PathPart, ...]) -> YNode:
        line = node.start_mark.line + 1
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlProblem(f"more than {MAX_NODES:,} nodes once aliases are expanded", line)
        if isinstance(node, yaml.ScalarNode):
            try:
                value = self.constructor.construct_object(node, deep=True)
            except Exception as exc:  # constructor errors, bad timestamps, ...
                why = exc.problem if isinstance(exc, yaml.MarkedYAMLError) else str(exc)
                raise YamlProblem(f"cannot read value {node.value!r}: {why}", line) from exc
            style = node.style if node.style in ("'", '"', "|", ">") else None
            return YNode(
                path, line, "scalar", node.tag, style=style, value=value, source=node.value
            )
        if id(node) in self.active:
            raise YamlProblem("recursive alias: a node contains itself", line)
        self.active.add(id(node))
        try:
            assert isinstance(node, yaml.CollectionNode)
            flow = bool(node.flow_style)
            if isinstance(node, yaml.SequenceNode):
                if node.tag != "tag:yaml.org,2002:seq":
                    raise YamlProblem(f"unsupported tag {node.tag} on a sequence", line)
                items = [self.build(n, (*path, i)) for i, n in enumerate(node.value)]
                return YNode(path, line, "seq", node.tag, flow=flow, items=items)
            assert isinstance(node, yaml.MappingNode)
            if node.tag != "tag:yaml.org,2002:map":
                raise YamlProblem(f"unsupported tag {node.tag} on a mapping", line)
            entries: list[tuple[YNode, YNode]] = []
            merged: list[tuple[YNode, YNode]] = []
            for k, v in node.value:
                if k.tag == MERGE_TAG:
                    merged.extend(self._merge_entries(v, path))
                    continue
                key = self.build(k, path)
                try:
                    hash(key.value)
                except TypeError as exc:
                    raise YamlProblem("unhashable mapping key", key.line) from exc
                entries.append((key, self.build(v, (*path, _key_text(key)))))
            own = {k.value for k, _ in entries}
            seen: set[Any] = set()
            for k, v in merged:  # explicit keys win over merged ones, first merge source wins
                if k.value not in own and k.value not in seen:
                    seen.add(k.value)
                    entries.append((k, v))
            return YNode(path, line, "map", node.tag, flow=flow, entries=entries)
        finally:
            self.active.discard(id(node))

    def _merge_entries(
        self, node: yaml.Node, path: tuple[PathPart, ...]
    ) -> list[tuple[YNode, YNode]]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        out: list[tuple[YNode, YNode]] = []
        for src in sources:
            if not isinstance(src, yaml.MappingNode):
                raise YamlProblem("a merge key (<<) needs a mapping", src.start_mark.line + 1)
            out.extend(self.build(src, path).entries)
        return out


def compose(text: str) -> YNode | None:
    """Compose one YAML document into located nodes; None for an empty document.

    Raises YamlProblem where `yaml.safe_load` would fail.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or str(exc)
        if exc.context and exc.context != problem:
            problem = f"{exc.context}: {problem}"
        raise YamlProblem(problem, line) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(str(exc), None) from exc
    except RecursionError as exc:
        raise YamlProblem("the document is nested too deeply", None) from exc
    if node is None:
        return None
    try:
        return _Builder().build(node, ())
    except RecursionError as exc:
        raise YamlProblem("the document is nested too deeply", node.start_mark.line + 1) from exc
