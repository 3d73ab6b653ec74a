"""CFCT-S105: the SCPs attached to each target fit the per-target budget."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context, Res
from cfct_build.validate.findings import Finding, Severity
from cfct_build.validate.source import MANIFEST

MAX_PER_TARGET = 5  # AWS Organizations: SCPs attached directly to one root, OU or account
RESERVED = 2  # FullAWSAccess and Control Tower's aws-guardrails-* policy
BUDGET = MAX_PER_TARGET - RESERVED


class ScpBudget(Check):
    id = "CFCT-S105"
    shortdesc = f"at most {BUDGET} package SCPs per target"
    description = (
        f"AWS Organizations attaches at most {MAX_PER_TARGET} SCPs directly to a target, and "
        "FullAWSAccess and Control Tower's guardrail policy already use two: the package may add "
        f"{BUDGET}. A target with more fails at deploy time. Counts SCPs by target "
        "(organizational_units entries and accounts)."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        by_target: dict[str, list[Res]] = {}
        for res in ctx.resources:
            if res.deploy_method != "scp":
                continue
            for key in ("organizational_units", "accounts"):
                for node in res.target_items(key):
                    if node.text:
                        by_target.setdefault(node.text, []).append(res)
        for target, resources in sorted(by_target.items()):
            names = ", ".join(r.name or r.path for r in resources)
            n = len(resources)
            first = resources[0]
            where = first.targets.line if first.targets is not None else first.node.line
            severity: Severity
            if n > MAX_PER_TARGET:
                severity, verdict = "error", f"AWS Organizations allows {MAX_PER_TARGET}"
            elif n > BUDGET:
                severity, verdict = (
                    "warning",
                    f"with FullAWSAccess and Control Tower's guardrail policy that makes "
                    f"{n + RESERVED}, over the limit of {MAX_PER_TARGET} unless one is detached",
                )
            else:
                severity, verdict = "info", f"{BUDGET - n} of the {BUDGET}-SCP budget left"
            yield self.finding(
                severity,
                MANIFEST,
                where,
                f"{first.path}.deployment_targets",
                f"target {target!r} gets {n} SCP(s) from this package ({names}); {verdict}",
            )
