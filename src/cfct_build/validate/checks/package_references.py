"""CFCT-P003: every file the manifest references exists in the package."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding


class PackageReferences(Check):
    id = "CFCT-P003"
    shortdesc = "referenced resource_file and parameter_file exist"
    description = (
        "CfCT's build checks that each resource_file and parameter_file exists (relative to the "
        "package root) and fails otherwise; s3:// and https:// files are downloaded and "
        "validated at build time, which cfct-build cannot do offline."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for ref in ctx.refs:
            if ref.remote:
                yield self.at(
                    "info",
                    ref.node,
                    f"{ref.value} is remote: cfct-build cannot check it; CfCT's build downloads "
                    "it (an S3 bucket must be in the home Region)",
                )
            elif ref.local is None:
                yield self.at(
                    "error",
                    ref.node,
                    f"{ref.value!r} is not a path inside the package: paths are relative to the "
                    "package root (like templates/x.template)",
                )
            elif ctx.source.read(ref.local) is None:
                yield self.at(
                    "error",
                    ref.node,
                    f"{ref.value} does not exist in the package: CfCT's build fails with "
                    f"'File {ref.value} does not exist'",
                )
