"""CFCT-M018: organizational_units are `Root`, OU names or nested paths `Parent:Child`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding
from cfct_build.validate.yamlnodes import YNode

OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$")
MAX_OU_NAME = 128


class ManifestOus(Check):
    id = "CFCT-M018"
    shortdesc = "organizational_units entries are Root, an OU name or a Parent:Child path"
    description = (
        "CfCT resolves OUs by exact name: Root (the organization root), a top-level OU name, or "
        "a nested path Parent:Child:Leaf. Unknown names are dropped silently, OU IDs are not "
        "accepted, and targeting a parent OU does not reach its child OUs."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for res in ctx.resources:
            for node in res.target_items("organizational_units"):
                yield from self._check(node, res.deploy_method)

    def _check(self, node: YNode, method: str | None) -> Iterator[Finding]:
        if node.is_null:
            yield self.at("error", node, "empty entry: expected an OU name")
            return
        ou = node.text
        if ou is None:
            return  # not a string: CFCT-M003
        if ou == "Root":
            if method == "stack_set":
                yield self.at(
                    "info",
                    node,
                    "Root deploys to every account enrolled in Control Tower, not to the "
                    "management account",
                )
            return
        if ou.lower() == "root":
            yield self.at(
                "warning",
                node,
                f"{ou!r} is looked up as an OU named {ou!r}; the organization root is written Root",
            )
        elif OU_ID.match(ou):
            yield self.at(
                "error",
                node,
                f"{ou!r} is an OU ID: CfCT matches OUs by name; write the OU's name or Parent:Child path",
            )
        elif ou.startswith("Root:"):
            yield self.at(
                "error", node, f"nested OU paths start below the root: write {ou[len('Root:') :]!r}"
            )
        else:
            parts = ou.split(":")
            if any(not p or p != p.strip() for p in parts):
                yield self.at(
                    "error",
                    node,
                    f"{ou!r} is not an OU name or a Parent:Child path: no empty names and no "
                    "spaces around names (CfCT matches names exactly)",
                )
            elif any(len(p) > MAX_OU_NAME for p in parts):
                yield self.at("error", node, f"OU names have at most {MAX_OU_NAME} characters")
