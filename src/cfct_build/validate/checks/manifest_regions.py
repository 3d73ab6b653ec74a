"""CFCT-M019: resource regions are AWS Region names."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.checks.manifest_home_region import REGION
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding


class ManifestRegions(Check):
    id = "CFCT-M019"
    shortdesc = "regions are AWS Region names"
    description = (
        "A StackSet's regions are the Regions of its stack instances (the home Region when the "
        "list is empty); a name that is not a Region fails the StackSet operation."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for res in ctx.resources:
            for node in res.items("regions"):
                if node.is_null:
                    yield self.at(
                        "error", node, "empty entry: expected a Region name like us-east-1"
                    )
                elif node.text is not None and not REGION.match(node.text):
                    yield self.at(
                        "error", node, f"{node.text!r} is not an AWS Region name (like us-east-1)"
                    )
