"""CFCT-S103: SCPs have no Principal or NotPrincipal element."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding
from cfct_build.validate.policy_statements import policy_statements


class ScpPrincipal(Check):
    id = "CFCT-S103"
    shortdesc = "no Principal in SCPs"
    description = (
        "An SCP applies to every principal of the accounts it is attached to; AWS Organizations "
        "rejects Principal and NotPrincipal in an SCP (scope a Deny with aws:PrincipalArn)."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for st in policy_statements(ctx):
            if st.method != "scp":
                continue
            for key in ("Principal", "NotPrincipal"):
                if key in st.data:
                    yield self.finding(
                        "error",
                        st.rel,
                        st.line(key),
                        st.path(key),
                        f"{st.sid} has {key}: SCPs cannot name principals; use a condition on "
                        "aws:PrincipalArn instead",
                    )
