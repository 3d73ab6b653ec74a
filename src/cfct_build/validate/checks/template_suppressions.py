"""CFCT-T004: every checker suppression on a resource is listed, with its written reason.

CfCT's build stage runs cfn_nag, which skips a rule on a resource whose
`Metadata.cfn_nag.rules_to_suppress` names it; cfn-guard's registry rules skip a resource whose
`Metadata.guard.SuppressedRules` names the rule (cfct-build writes the reason beside it in
`Metadata.guard.Reasons`). A suppression is a decision someone must be able to review: each is
reported as info with its reason, and one without a reason is an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context, JsonDoc
from cfct_build.validate.findings import Finding


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


class TemplateSuppressions(Check):
    id = "CFCT-T004"
    shortdesc = "cfn_nag and Guard suppressions, each with a written reason"
    description = (
        "Lists every rule suppressed on a resource (Metadata.cfn_nag.rules_to_suppress, read "
        "by CfCT's cfn_nag stage; Metadata.guard.SuppressedRules, read by cfn-guard) with its "
        "reason; a suppression without a reason is an error."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for rel in ctx.template_files:
            doc = ctx.template(rel)
            if doc is None or doc.data is None:
                continue
            resources = doc.data.get("Resources")
            if not isinstance(resources, dict):
                continue
            located = ctx.json(rel)  # lines where the template is JSON; None for YAML
            for name, res in resources.items():
                meta = res.get("Metadata") if isinstance(res, dict) else None
                if isinstance(meta, dict):
                    yield from self._resource(rel, str(name), meta, located)

    def _resource(
        self, rel: str, name: str, meta: dict[str, Any], located: JsonDoc | None
    ) -> Iterator[Finding]:
        def line(*path: str | int) -> int | None:
            return None if located is None else located.line(("Resources", name, "Metadata", *path))

        nag = meta.get("cfn_nag")
        rules = nag.get("rules_to_suppress") if isinstance(nag, dict) else None
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            entry = rule if isinstance(rule, dict) else {}
            rid = _text(entry.get("id")) or "(no id)"
            where = ("cfn_nag", "rules_to_suppress", i)
            path = ".".join(map(str, ("Resources", name, "Metadata", *where)))
            reason = _text(entry.get("reason"))
            if reason:
                message = f"cfn_nag rule {rid} suppressed on {name}: {reason}"
                yield self.finding("info", rel, line(*where), path, message)
            else:
                message = (
                    f"cfn_nag rule {rid} suppressed on {name} without a reason; expected a "
                    "written reason in its `reason` field"
                )
                yield self.finding("error", rel, line(*where), path, message)
        guard = meta.get("guard")
        names = guard.get("SuppressedRules") if isinstance(guard, dict) else None
        reasons = guard.get("Reasons") if isinstance(guard, dict) else None
        reasons = reasons if isinstance(reasons, dict) else {}
        for i, rule_name in enumerate(names if isinstance(names, list) else []):
            rule = _text(rule_name) or "(no name)"
            where = ("guard", "SuppressedRules", i)
            path = ".".join(map(str, ("Resources", name, "Metadata", *where)))
            reason = _text(reasons.get(rule))
            if reason:
                message = f"Guard rule {rule} suppressed on {name}: {reason}"
                yield self.finding("info", rel, line(*where), path, message)
            else:
                message = (
                    f"Guard rule {rule} suppressed on {name} without a reason; expected a "
                    f"written reason in Metadata.guard.Reasons.{rule}"
                )
                yield self.finding("error", rel, line(*where), path, message)
