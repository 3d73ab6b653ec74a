"""CFCT-M015: parameter values use only helpers CfCT knows."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate import helpers
from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding


class ManifestHelpers(Check):
    id = "CFCT-M015"
    shortdesc = (
        "only $[alfred_ssm_/name], $[alfred_genkeypair], $[alfred_genpass_N], $[alfred_genaz_N]"
    )
    description = (
        "CfCT expands a parameter value (or a comma-separated item of one) that is exactly "
        "$[keyword] with a known keyword; it passes an unknown keyword on as literal text and "
        "leaves a $[...] inside a longer value untouched. $[output_Key] belongs in "
        "export_outputs."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for res in ctx.resources:
            for param in ctx.written_parameters(res):
                if param.value is None:
                    continue
                for item in helpers.items(param.value):
                    kw = helpers.keyword(item)
                    if kw is not None:
                        problem = helpers.keyword_problem(kw)
                        if problem is not None:
                            yield self.finding("error", param.file, param.line, param.path, problem)
                    elif "$[" in item:
                        yield self.finding(
                            "warning",
                            param.file,
                            param.line,
                            param.path,
                            f"{item!r} contains $[ but is not a whole $[...] value: CfCT expands "
                            "a helper only when it is the entire value (or a whole comma-separated "
                            "item), so this is passed on literally",
                        )
