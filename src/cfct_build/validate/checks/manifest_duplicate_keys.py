"""CFCT-M002: no key appears twice in one mapping."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding
from cfct_build.validate.yamlnodes import path_str


class ManifestDuplicateKeys(Check):
    id = "CFCT-M002"
    shortdesc = "no duplicate keys in the manifest"
    description = (
        "PyYAML silently keeps the last of two equal keys, but CfCT's schema check (pykwalify "
        "on ruamel.yaml) rejects the whole manifest."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        if ctx.manifest is None:
            return
        for node in ctx.manifest.walk():
            if not node.is_map:
                continue
            first: dict[Any, int] = {}
            for key, _ in node.entries:
                if key.value in first:
                    yield self.at(
                        "error",
                        key,
                        f"duplicate key {key.value!r} (first at line {first[key.value]}): CfCT's "
                        "schema check rejects a manifest with duplicate keys; keep one",
                        path=path_str((*node.path, str(key.value))),
                    )
                first.setdefault(key.value, key.line)
