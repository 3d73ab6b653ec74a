"""CFCT-M006: `region` names an AWS Region (Control Tower's home Region)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding

REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$")


class ManifestHomeRegion(Check):
    id = "CFCT-M006"
    shortdesc = "region is an AWS Region name"
    description = (
        "region is Control Tower's home Region: CfCT's pipeline, state machines and SSM "
        "parameters live there, and it is the default deployment Region of every resource."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        doc = ctx.manifest
        node = doc.get("region") if doc is not None else None
        if node is None or node.text is None:
            return  # missing or not a string: CFCT-M003
        if not REGION.match(node.text):
            yield self.at(
                "error",
                node,
                f"{node.text!r} is not an AWS Region name (like us-east-1): region must be "
                "Control Tower's home Region",
            )
