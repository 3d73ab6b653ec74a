"""CFCT-M017: an SSM parameter is exported by an earlier resource than the one that reads it."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate import helpers
from cfct_build.validate.check import Check
from cfct_build.validate.context import Context, Res
from cfct_build.validate.findings import Finding


class ManifestSsmOrder(Check):
    id = "CFCT-M017"
    shortdesc = "SSM producers ($[output_...] exports) come before consumers ($[alfred_ssm_...])"
    description = (
        "CfCT deploys resources one by one in manifest order and reads $[alfred_ssm_/name] from "
        "SSM (management account, home Region) when a resource deploys: the resource that "
        "exports /name must come earlier, or the parameter must already exist."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        producers: dict[str, list[Res]] = {}
        for res in ctx.resources:
            if res.deploy_method != "stack_set":
                continue
            for item in res.items("export_outputs"):
                name = item.get("name") if item.is_map else None
                if name is not None and name.text:
                    producers.setdefault(name.text, []).append(res)
        for res in ctx.resources:
            if res.deploy_method != "stack_set":
                continue
            for param in ctx.written_parameters(res):
                if param.value is None:
                    continue
                for part in helpers.items(param.value):
                    kw = helpers.keyword(part)
                    if kw is None or not kw.startswith(helpers.SSM_PREFIX):
                        continue
                    ssm = kw[len(helpers.SSM_PREFIX) :]
                    if helpers.ssm_name_problem(ssm) is not None:
                        continue  # CFCT-M015
                    found = producers.get(ssm, [])
                    if not found:
                        yield self.finding(
                            "warning",
                            param.file,
                            param.line,
                            param.path,
                            f"SSM parameter {ssm} is exported by no resource of this manifest: it "
                            f"must already exist in the management account (home Region) when "
                            f"{res.label} deploys",
                        )
                    elif all(p.index >= res.index for p in found):
                        first = min(found, key=lambda p: p.index)
                        if first.index == res.index:
                            reason = "this same resource, which cannot read its own output"
                        else:
                            reason = (
                                f"{first.label} ({first.path}), which deploys later: CfCT deploys "
                                f"resources in manifest order; move it before {res.label}"
                            )
                        yield self.finding(
                            "error",
                            param.file,
                            param.line,
                            param.path,
                            f"SSM parameter {ssm} is exported by {reason}",
                        )
