"""CFCT-M013: a resource uses `parameters` or `parameter_file`, never both."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding


class ManifestParametersExclusive(Check):
    id = "CFCT-M013"
    shortdesc = "parameters and parameter_file are not both set"
    description = (
        "CfCT reads parameters only when parameter_file is absent and parameter_file only when "
        "parameters is empty: with both, the StackSet gets no parameters at all."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for res in ctx.resources:
            params = res.field("parameters")
            pfile = res.field("parameter_file")
            if params is None or pfile is None or not params.items or not pfile.text:
                continue
            yield self.at_key(
                "error",
                res.node,
                "parameters",
                "both parameters and parameter_file are set: CfCT then passes no parameters at "
                "all; keep one of them",
            )
