"""CFCT-M004: `version` is the unquoted YAML date 2021-03-15."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding
from cfct_build.validate.yamlnodes import describe

VERSION = datetime.date(2021, 3, 15)
VERSION_1 = datetime.date(2020, 1, 1)


class ManifestVersion(Check):
    id = "CFCT-M004"
    shortdesc = "version is the unquoted date 2021-03-15"
    description = (
        "CfCT's pykwalify schema declares version as a YAML date equal to 2021-03-15: a quoted "
        "'2021-03-15' is a string and fails the schema; 2020-01-01 selects the old v1 schema."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        doc = ctx.manifest
        node = doc.get("version") if doc is not None else None
        if node is None:
            return
        value = node.value if node.kind == "scalar" else None
        if node.kind == "scalar" and type(value) is datetime.date and value == VERSION:
            return
        if node.kind == "scalar" and value == VERSION.isoformat():
            how = "quoted" if node.style in ("'", '"') else "tagged as a string"
            yield self.at(
                "error",
                node,
                f"version is {how}, so YAML reads the string '2021-03-15'; CfCT's schema needs "
                "the unquoted YAML date: write version: 2021-03-15",
            )
        elif value == VERSION_1:
            yield self.at(
                "error",
                node,
                "version 2020-01-01 is CfCT's legacy manifest format, which cfct-build does not "
                "check; expected the unquoted date 2021-03-15",
            )
        else:
            shown = "a list or mapping" if node.kind != "scalar" else describe(value)
            yield self.at("error", node, f"expected the unquoted date 2021-03-15, got {shown}")
