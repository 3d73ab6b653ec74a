"""CFCT-M001: manifest.yaml reads as one YAML document."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding
from cfct_build.validate.source import MANIFEST


class ManifestYaml(Check):
    id = "CFCT-M001"
    shortdesc = "manifest.yaml is one valid YAML document"
    description = (
        "CfCT's build stage starts with yaml.safe_load(manifest.yaml); a file it cannot read "
        "fails the pipeline before anything else is checked."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        problem = ctx.manifest_problem
        if problem is not None:
            yield self.finding("error", MANIFEST, problem.line, "", problem.message)
