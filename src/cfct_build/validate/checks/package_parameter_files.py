"""CFCT-P005: parameter files are JSON lists of ParameterKey/ParameterValue strings."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context, JsonDoc
from cfct_build.validate.findings import Finding
from cfct_build.validate.yamlnodes import describe

KEYS = ("ParameterKey", "ParameterValue")


class PackageParameterFiles(Check):
    id = "CFCT-P005"
    shortdesc = "parameter files are JSON lists of {ParameterKey, ParameterValue} strings"
    description = (
        "CfCT's build runs json.tool on every parameters/*.json file; at deploy time it reads "
        "a referenced parameter file as a list of objects with string ParameterKey and "
        "ParameterValue and ignores any other key."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        referenced = {ref.local for ref in ctx.refs if ref.key == "parameter_file" and ref.local}
        for rel in ctx.parameter_files:
            doc = ctx.json(rel)
            if doc is None:
                continue
            if doc.problem is not None:
                yield self.unreadable(rel, doc.problem, "CfCT's build JSON-checks it")
            elif rel in referenced:
                yield from self._structure(doc)

    def _structure(self, doc: JsonDoc) -> Iterator[Finding]:
        if not isinstance(doc.data, list):
            yield self.finding(
                "error",
                doc.rel,
                1,
                "",
                f"expected a JSON list of {{ParameterKey, ParameterValue}} objects, got {describe(doc.data)}",
            )
            return
        for i, entry in enumerate(doc.data):
            if not isinstance(entry, dict):
                yield self.finding(
                    "error",
                    doc.rel,
                    doc.line((i,)),
                    str(i),
                    f"expected an object with ParameterKey and ParameterValue, got {describe(entry)}",
                )
                continue
            for key in KEYS:
                if key not in entry:
                    yield self.finding(
                        "error", doc.rel, doc.line((i,)), f"{i}.{key}", f"missing {key}"
                    )
                elif not isinstance(entry[key], str):
                    yield self.finding(
                        "error",
                        doc.rel,
                        doc.line((i, key)),
                        f"{i}.{key}",
                        f"expected a string, got {describe(entry[key])}",
                    )
            for key in entry:
                if key not in KEYS:
                    yield self.finding(
                        "warning",
                        doc.rel,
                        doc.line((i, key)),
                        f"{i}.{key}",
                        f"unknown key {key!r}: CfCT ignores it (UsePreviousValue and the like are not supported)",
                    )
