"""CFCT-M005: `enable_stack_set_deletion` is a real boolean."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding
from cfct_build.validate.yamlnodes import describe

YAML_12_BOOLS = {"true", "True", "TRUE", "false", "False", "FALSE"}


class ManifestStackSetDeletion(Check):
    id = "CFCT-M005"
    shortdesc = "enable_stack_set_deletion is true or false"
    description = (
        "CfCT's schema types enable_stack_set_deletion as bool, read as YAML 1.2 (ruamel.yaml): "
        "a quoted 'true' or a YAML 1.1 word such as yes/on is a string there and fails. When "
        "true, CfCT deletes every CustomControlTower-* StackSet missing from the manifest."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        doc = ctx.manifest
        node = doc.get("enable_stack_set_deletion") if doc is not None else None
        if node is None:
            return
        if node.is_null:
            yield self.at(
                "warning",
                node,
                "enable_stack_set_deletion has no value (CfCT reads it as false): write false",
            )
        elif node.plain and isinstance(node.value, bool) and node.source in YAML_12_BOOLS:
            if node.value:
                yield self.at(
                    "info",
                    node,
                    "enable_stack_set_deletion is true: CfCT deletes every CustomControlTower-* "
                    "StackSet (and its stack instances) that is not in this manifest",
                )
        elif node.plain and isinstance(node.value, bool):
            yield self.at(
                "error",
                node,
                f"{node.source!r} is a boolean only in YAML 1.1; CfCT's schema check reads YAML 1.2, "
                f"where it is a string: write {str(node.value).lower()}",
            )
        elif node.kind == "scalar" and node.style in ("'", '"'):
            yield self.at(
                "error",
                node,
                f"expected true or false unquoted, got the quoted string {node.value!r}",
            )
        else:
            shown = describe(node.value) if node.kind == "scalar" else "a list or mapping"
            yield self.at("error", node, f"expected true or false, got {shown}")
