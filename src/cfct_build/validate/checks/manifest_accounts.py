"""CFCT-M011: accounts are quoted 12-digit account IDs (or, with a warning, account names)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding, Severity
from cfct_build.validate.yamlnodes import YNode, describe

DIGITS = re.compile(r"^[0-9]+$")


class ManifestAccounts(Check):
    id = "CFCT-M011"
    shortdesc = "account IDs are quoted 12-digit strings"
    description = (
        "CfCT keeps an account entry only if it is a 12-digit ID of an active account or the "
        "name of one; anything else is dropped silently. An unquoted ID is a YAML number (with "
        "a leading zero, an octal one), so every account ID must be quoted."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for res in ctx.resources:
            for node in res.target_items("accounts"):
                message = self._problem(node)
                if message is not None:
                    yield self.at(*message)

    @staticmethod
    def _problem(node: YNode) -> tuple[Severity, YNode, str] | None:
        if node.kind != "scalar":
            return "error", node, "expected an account ID string, got a list or mapping"
        if node.is_null:
            return "error", node, "empty entry: expected a quoted 12-digit account ID"
        if node.plain and DIGITS.match(node.source):
            raw = node.source
            if isinstance(node.value, int) and raw.startswith("0") and len(raw) > 1:
                return (
                    "error",
                    node,
                    f"unquoted account ID {raw} is read by YAML as the octal number {node.value}: "
                    f"CfCT would look for an account named '{node.value}' and silently drop it; "
                    f'quote it: "{raw}"',
                )
            return (
                "error",
                node,
                f"unquoted account ID {raw} is a YAML number, not a string: quote every account "
                f'ID (an unquoted one with a leading zero is read as octal): "{raw}"',
            )
        value = node.text
        if value is None:
            return (
                "error",
                node,
                f"expected a quoted 12-digit account ID, got {describe(node.value)}",
            )
        if DIGITS.match(value):
            if len(value) != 12:
                return (
                    "error",
                    node,
                    f"{value!r} is not a 12-digit account ID: CfCT would look for an account "
                    "with that name and silently drop the entry",
                )
            return None
        return (
            "warning",
            node,
            f"{value!r} is an account name: CfCT resolves it at deploy time (case-insensitive) "
            "and silently drops it if no active account has that name; prefer the 12-digit ID",
        )
