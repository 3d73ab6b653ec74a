"""CFCT-S102: condition operators are IAM condition operators."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding
from cfct_build.validate.policy_statements import policy_statements

BASE_OPERATORS = (
    "StringEquals|StringNotEquals|StringEqualsIgnoreCase|StringNotEqualsIgnoreCase|StringLike|"
    "StringNotLike|NumericEquals|NumericNotEquals|NumericLessThan|NumericLessThanEquals|"
    "NumericGreaterThan|NumericGreaterThanEquals|DateEquals|DateNotEquals|DateLessThan|"
    "DateLessThanEquals|DateGreaterThan|DateGreaterThanEquals|Bool|BinaryEquals|IpAddress|"
    "NotIpAddress|ArnEquals|ArnLike|ArnNotEquals|ArnNotLike"
)
# IAM's grammar: an optional set qualifier, a base operator, an optional IfExists; Null alone.
OPERATOR = re.compile(rf"^((ForAllValues|ForAnyValue):)?({BASE_OPERATORS})(IfExists)?$|^Null$")


class PolicyConditions(Check):
    id = "CFCT-S102"
    shortdesc = "condition operators are valid"
    description = (
        "A misspelt condition operator (e.g. ArnNotLIke, StringEqual) makes AWS Organizations "
        "reject the policy at deploy time, long after CfCT's build passed."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for st in policy_statements(ctx):
            condition = st.data.get("Condition")
            if condition is None:
                continue
            if not isinstance(condition, dict):
                yield self.finding(
                    "error",
                    st.rel,
                    st.line("Condition"),
                    st.path("Condition"),
                    f"Condition of {st.sid} must be an object of operators",
                )
                continue
            for operator, keys in condition.items():
                if not OPERATOR.fullmatch(operator):
                    yield self.finding(
                        "error",
                        st.rel,
                        st.line("Condition", operator),
                        st.path("Condition", operator),
                        f"{operator!r} in {st.sid} is not an IAM condition operator",
                    )
                elif not isinstance(keys, dict) or not keys:
                    yield self.finding(
                        "error",
                        st.rel,
                        st.line("Condition", operator),
                        st.path("Condition", operator),
                        f"{operator} in {st.sid} must map condition keys to values",
                    )
