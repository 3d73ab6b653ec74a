"""CFCT-S003: CfCT's whitespace transform leaves every policy string as written."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding


class PolicyWhitespace(Check):
    id = "CFCT-S003"
    shortdesc = "no double spaces inside policy strings"
    description = (
        "CfCT removes every double space from a policy file before sending it: a key or value "
        "containing two spaces in a row reaches AWS Organizations changed."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for rel in ctx.policy_files:
            doc = ctx.json(rel)
            if doc is None or doc.problem is not None:
                continue
            for loc in doc.located:
                text = loc.value
                if isinstance(text, str) and "  " in text:
                    what = "key" if loc.is_key else "string"
                    yield self.finding(
                        "warning",
                        rel,
                        loc.line,
                        ".".join(map(str, loc.path)),
                        f"this {what} contains a double space, which CfCT removes before sending: "
                        f"{text!r} reaches AWS Organizations as {text.replace('  ', '')!r}",
                    )
