"""CFCT-P001: manifest.yaml is at the package root."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding


class PackageManifest(Check):
    id = "CFCT-P001"
    shortdesc = "the package is readable and has manifest.yaml at its root"
    description = (
        "CfCT's CodeBuild projects look for manifest.yaml at the root of "
        "custom-control-tower-configuration.zip and stop the pipeline without it."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        if ctx.manifest_raw is None:
            yield self.finding(
                "error",
                "",
                None,
                "",
                "no manifest.yaml at the package root: CfCT needs it at the root of "
                "custom-control-tower-configuration.zip",
            )
