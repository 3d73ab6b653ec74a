"""CFCT-T003: the manifest supplies exactly the parameters the template declares."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from cfct_build.validate import helpers
from cfct_build.validate.check import Check
from cfct_build.validate.context import Context, ParamValue, Res
from cfct_build.validate.findings import Finding
from cfct_build.validate.source import MANIFEST


def _literal_problem(param: ParamValue, decl: dict[str, Any]) -> str | None:
    """Why a literal value breaks the parameter's AllowedValues/AllowedPattern, or None."""
    value = param.value
    if value is None or "," in value or helpers.keyword(value) is not None:
        return None  # lists and helpers are resolved at deploy time
    if str(decl.get("Type", "String")) != "String":
        return None
    allowed = decl.get("AllowedValues")
    if isinstance(allowed, list) and value not in [str(a) for a in allowed]:
        return f"{value!r} is not one of the AllowedValues of parameter {param.key}: {', '.join(map(str, allowed))}"
    pattern = decl.get("AllowedPattern")
    if isinstance(pattern, str):
        try:
            ok = re.fullmatch(pattern, value) is not None
        except re.error:
            return None
        if not ok:
            return (
                f"{value!r} does not match the AllowedPattern of parameter {param.key}: {pattern}"
            )
    return None


class TemplateParameters(Check):
    id = "CFCT-T003"
    shortdesc = "manifest parameters match the template's Parameters"
    description = (
        "CloudFormation rejects a StackSet whose parameters name a Parameter the template does "
        "not declare, or omit one that has no Default, or break AllowedValues/AllowedPattern."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for res in ctx.resources:
            template = ctx.resource_template(res)
            if template is None:
                continue
            if res.items("parameters") and res.text("parameter_file"):
                continue  # CFCT-M013: CfCT passes none of them
            params = self._effective(ctx, res)
            if params is None:
                continue  # parameter file missing or unreadable: CFCT-P003/P005
            declared = template.parameters
            given: set[str] = set()
            for param in params:
                if param.key is None:
                    continue
                given.add(param.key)
                if param.key not in declared:
                    names = ", ".join(sorted(declared)) or "none"
                    yield self.finding(
                        "error",
                        param.file,
                        param.line,
                        param.path,
                        f"{template.rel} declares no parameter {param.key!r} (its Parameters: "
                        f"{names}): CloudFormation rejects the StackSet",
                    )
                    continue
                problem = _literal_problem(param, declared[param.key])
                if problem is not None:
                    yield self.finding("error", param.file, param.line, param.path, problem)
            missing = [k for k, d in declared.items() if "Default" not in d and k not in given]
            if missing:
                node = res.node.key_node("parameters") or res.node.key_node("parameter_file")
                line = node.line if node is not None else res.node.line
                yield self.finding(
                    "error",
                    MANIFEST,
                    line,
                    res.path,
                    f"{template.rel} parameters without a Default are not supplied: "
                    f"{', '.join(sorted(missing))}",
                )

    @staticmethod
    def _effective(ctx: Context, res: Res) -> list[ParamValue] | None:
        """The parameters CfCT passes: from `parameters`, or else from the parameter file."""
        ref = ctx.ref(res, "parameter_file")
        written = ctx.written_parameters(res)
        if ref is None:
            return [p for p in written if not p.in_file]
        if ref.local is None:
            return None
        doc = ctx.json(ref.local)
        if doc is None or not isinstance(doc.data, list):
            return None
        return [p for p in written if p.in_file]
