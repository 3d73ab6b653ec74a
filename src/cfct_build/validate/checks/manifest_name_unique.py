"""CFCT-M009: resource names are unique."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context, Res
from cfct_build.validate.findings import Finding


class ManifestNameUnique(Check):
    id = "CFCT-M009"
    shortdesc = "resource names are unique"
    description = (
        "CfCT matches StackSets and policies by name: a second resource with the same name "
        "overwrites the first one's StackSet or policy on every pipeline run."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        first: dict[str, Res] = {}
        for res in ctx.resources:
            node = res.field("name")
            name = node.text if node is not None else None
            if node is None or name is None:
                continue
            if name in first:
                other = first[name]
                yield self.at(
                    "error",
                    node,
                    f"name {name!r} is already used by {other.path} (line {other.node.line}): CfCT "
                    "matches StackSets and policies by name, so one would overwrite the other",
                )
            else:
                first[name] = res
