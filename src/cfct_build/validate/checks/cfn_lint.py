"""CFN-<rule>: cfn-lint on every template, informational rules included.

cfn-lint runs in-process: its rules are loaded once (the costly part, cached for the process)
and every template is linted with them, for the Regions it is deployed to. Templates that do
not parse are left to CFCT-T001.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from cfct_build.validate.check import Check
from cfct_build.validate.checks.manifest_home_region import REGION
from cfct_build.validate.context import Context, decode_text
from cfct_build.validate.findings import Finding, Severity

DEFAULT_REGION = "us-east-1"
SEVERITY: dict[str, Severity] = {"error": "error", "warning": "warning", "informational": "info"}


@cache
def _rules() -> Any:
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    return Runner(ConfigMixIn([], include_checks=["I"])).rules


def _known_regions() -> frozenset[str]:
    from cfnlint.helpers import REGIONS

    return frozenset(REGIONS)


def lint_text(text: str, regions: list[str]) -> list[Any]:
    """cfn-lint's matches for one template text."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import run_template_by_data

    template, errors = decode_str(text)
    if errors:
        return list(errors)
    if template is None:
        return []
    config = ConfigMixIn([], include_checks=["I"], regions=regions)
    return list(run_template_by_data(template, config, _rules()))


class CfnLint(Check):
    id = "CFN"
    shortdesc = "cfn-lint, informational rules included, on every template"
    description = (
        "cfn-lint's findings (id CFN-<rule id>, cfn-lint's line and path) on every template "
        "CfCT validates or deploys, for the Regions each template is deployed to."
    )
    needs_lint = True

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for rel in ctx.template_files:
            doc = ctx.template(rel)
            raw = ctx.source.read(rel)
            if doc is None or doc.data is None or raw is None:
                continue
            text, _ = decode_text(raw)
            if text is None:
                continue
            try:
                matches = lint_text(text, self._regions(ctx, rel))
            except Exception as exc:  # cfn-lint itself failed on this template
                message = f"cfn-lint failed on this template ({type(exc).__name__}: {exc})"
                yield Finding(rel, None, "CFN-E0000", "error", "", message)
                continue
            for match in matches:
                path = getattr(match, "path", None) or []
                yield Finding(
                    file=rel,
                    line=match.linenumber,
                    id=f"CFN-{match.rule.id}",
                    severity=SEVERITY.get(match.rule.severity, "warning"),
                    path=".".join(map(str, path)),
                    message=match.message,
                )

    @staticmethod
    def _regions(ctx: Context, rel: str) -> list[str]:
        """The Regions the template deploys to (as far as the manifest says)."""
        home = (
            ctx.manifest.get("region") if ctx.manifest is not None and ctx.manifest.is_map else None
        )
        found: set[str] = set()
        for ref in ctx.refs:
            if (
                ref.key != "resource_file"
                or ref.local != rel
                or ref.res.deploy_method != "stack_set"
            ):
                continue
            regions = [n.text for n in ref.res.items("regions") if n.text]
            if not regions and home is not None and home.text:
                regions = [home.text]
            found.update(r for r in regions if REGION.match(r))
        known = _known_regions()
        return sorted(found & known) or [DEFAULT_REGION]
