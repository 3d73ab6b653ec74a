"""CFCT-M007: `name` is the first key of each resource."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding


class ManifestNameFirst(Check):
    id = "CFCT-M007"
    shortdesc = "name is the first key of each resource"
    description = (
        "CfCT's build reads file names with grep and cut from each '_file:' line; on a "
        "'- resource_file: x' line the third field is the key, not the file. Keeping name "
        "first keeps every other key on a line of its own."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for res in ctx.resources:
            if not res.node.entries or res.node.get("name") is None:
                continue  # empty resource or no name: CFCT-M003
            first = res.node.entries[0][0]
            if first.value != "name":
                yield self.at(
                    "error",
                    first,
                    f"the first key of a resource must be name, found {first.value!r}",
                    path=res.path,
                )
