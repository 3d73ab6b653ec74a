"""CFCT-M008: resource names are valid StackSet/policy names."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
MAX_NAME = 109  # 128 (StackSet name limit) - len("CustomControlTower-")


class ManifestNameSyntax(Check):
    id = "CFCT-M008"
    shortdesc = "resource names match ^[A-Za-z][A-Za-z0-9-]*$ and have at most 109 characters"
    description = (
        "CfCT names each StackSet CustomControlTower-<name>; StackSet names start with a letter, "
        "contain only letters, digits and hyphens, and have at most 128 characters."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for res in ctx.resources:
            node = res.field("name")
            name = node.text if node is not None else None
            if node is None or name is None:
                continue
            if not NAME.match(name):
                yield self.at(
                    "error",
                    node,
                    f"name {name!r} does not match ^[A-Za-z][A-Za-z0-9-]*$ (a letter, then "
                    "letters, digits and hyphens): CfCT names the StackSet CustomControlTower-<name>",
                )
            if len(name) > MAX_NAME:
                yield self.at(
                    "error",
                    node,
                    f"name has {len(name)} characters, at most {MAX_NAME} are allowed (StackSet "
                    "names have at most 128 characters, including the CustomControlTower- prefix)",
                )
