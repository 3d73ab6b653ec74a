"""CFCT-M003: the manifest has the structure of CfCT's 2021-03-15 schema.

The schema is package data (`cfct_build/data/manifest-v2.schema.json`), a JSON Schema rendering
of CfCT's pykwalify schema; jsonschema's errors are translated into located, specific messages.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError  # type: ignore[import-untyped]

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding
from cfct_build.validate.source import MANIFEST
from cfct_build.validate.yamlnodes import PathPart, YNode, describe, path_str

SCHEMA_FILE = "manifest-v2.schema.json"
TYPE_WORDS = {
    "string": "a string",
    "array": "a list",
    "object": "a mapping",
    "boolean": "true or false",
    "integer": "an integer",
    "number": "a number",
}


@cache
def manifest_schema() -> dict[str, Any]:
    text = resources.files("cfct_build.data").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(manifest_schema())


def node_at(root: YNode, path: tuple[PathPart, ...]) -> YNode:
    """The deepest node along `path` (jsonschema paths are data paths)."""
    node = root
    for part in path:
        child = None
        if node.is_map:
            child = node.get(part) if isinstance(part, str) else None
        elif node.is_seq and isinstance(part, int) and part < len(node.items):
            child = node.items[part]
        if child is None:
            break
        node = child
    return node


def _expected(types: str | list[str]) -> str:
    names = [types] if isinstance(types, str) else [t for t in types if t != "null"]
    return " or ".join(TYPE_WORDS.get(t, t) for t in names)


class ManifestSchema(Check):
    id = "CFCT-M003"
    shortdesc = "the manifest matches CfCT's 2021-03-15 schema"
    description = (
        "CfCT's build validates manifest.yaml with pykwalify against manifest-v2.schema.yaml: "
        "unknown keys, missing required keys and wrong types fail the pipeline."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        doc = ctx.manifest
        if doc is None:
            return
        seen: set[tuple[str, str]] = set()
        errors = sorted(
            _validator().iter_errors(doc.data(yaml12=True)),
            key=lambda e: list(map(str, e.absolute_path)),
        )
        for error in errors:
            for finding in self._translate(doc, error):
                if (finding.path, finding.message) not in seen:
                    seen.add((finding.path, finding.message))
                    yield finding

    def _translate(self, doc: YNode, error: ValidationError) -> Iterator[Finding]:
        path = tuple(error.absolute_path)
        node = node_at(doc, path)
        instance = error.instance
        where = path_str(path)
        if error.validator == "required" and isinstance(instance, dict):
            for key in error.validator_value:
                if key not in instance:
                    yield self.finding(
                        "error",
                        MANIFEST,
                        node.line,
                        path_str((*path, key)),
                        f"missing required key {key!r}",
                    )
        elif error.validator == "additionalProperties" and isinstance(instance, dict):
            allowed = sorted(error.schema.get("properties", {}))
            for key in instance:
                if key not in allowed:
                    key_node = node.key_node(key)
                    yield self.finding(
                        "error",
                        MANIFEST,
                        key_node.line if key_node is not None else node.line,
                        path_str((*path, str(key))),
                        f"unknown key {key!r}: CfCT's schema rejects it (allowed here: {', '.join(allowed)})",
                    )
        elif error.validator == "type":
            message = f"expected {_expected(error.validator_value)}, got {describe(instance)}"
            if node.kind == "scalar" and isinstance(node.value, str) and instance != node.value:
                message += (
                    f": YAML 1.2, which CfCT's schema check reads, takes the unquoted "
                    f"{node.source} as a number; quote it"
                )
            yield self.finding("error", MANIFEST, node.line, where, message)
        elif error.validator == "enum":
            options = ", ".join(str(v) for v in error.validator_value)
            yield self.finding(
                "error",
                MANIFEST,
                node.line,
                where,
                f"expected one of {options}, got {describe(instance)}",
            )
        elif error.validator == "uniqueItems" and isinstance(instance, list):
            for i, item in enumerate(instance):
                if item in instance[:i]:
                    first = instance.index(item)
                    item_node = node_at(doc, (*path, i))
                    yield self.finding(
                        "error",
                        MANIFEST,
                        item_node.line,
                        path_str((*path, i)),
                        f"{describe(item)} is listed twice (first at {path_str((*path, first))}): CfCT's schema requires unique entries",
                    )
        elif error.validator == "not":
            yield self.finding(
                "error",
                MANIFEST,
                node.line,
                where,
                f"a value is required, got {describe(instance)}",
            )
        else:  # pragma: no cover - the schema uses only the keywords above
            yield self.finding("error", MANIFEST, node.line, where, error.message)
