"""CFCT-S002: SCPs and RCPs fit AWS Organizations' size limit, measured on the text CfCT sends."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.render import SCP_MAX_CHARS, cfct_sent_text
from cfct_build.validate.check import Check
from cfct_build.validate.context import Context, decode_text
from cfct_build.validate.findings import Finding


class PolicySize(Check):
    id = "CFCT-S002"
    shortdesc = f"policies have at most {SCP_MAX_CHARS:,} characters as CfCT sends them"
    description = (
        "CfCT sends file.replace('\\n', '\\r\\n').replace('  ', ''): AWS Organizations' limit "
        f"({SCP_MAX_CHARS:,} characters) applies to that text, not to the file."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for rel in ctx.policy_files:
            raw = ctx.source.read(rel)
            text, _ = decode_text(raw) if raw is not None else (None, None)
            if text is None:
                continue  # CFCT-S001
            size = len(cfct_sent_text(text))
            if size > SCP_MAX_CHARS:
                yield self.finding(
                    "error",
                    rel,
                    None,
                    "",
                    f"{size:,} characters as CfCT sends it (CRLF newlines, double spaces removed): "
                    f"AWS Organizations accepts at most {SCP_MAX_CHARS:,}",
                )
            else:
                yield self.finding(
                    "info",
                    rel,
                    None,
                    "",
                    f"{size:,} of {SCP_MAX_CHARS:,} characters as CfCT sends it",
                )
