"""Resolve the intrinsic functions of a template fragment, as CloudFormation would for one stack.

Used to state what a deployed policy must read back as: the template's own document with
`Ref`, `Fn::Sub`, `Fn::GetAtt`, `Fn::Join`, `Fn::Select` and `Fn::Split` replaced by the
deployed stack's values. Any other
intrinsic raises, so a template that starts using one cannot pass by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass(frozen=True)
class StackContext:
    account: str
    region: str
    parameters: dict[str, str] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # logical id -> physical id
    attributes: dict[str, str] = field(default_factory=dict)  # "Logical.Attr" -> value
    partition: str = "aws"

    def ref(self, name: str) -> str:
        pseudo = {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": "amazonaws.com",
        }
        for table in (pseudo, self.parameters, self.refs):
            if name in table:
                return table[name]
        raise KeyError(f"Ref {name}: not a pseudo parameter, parameter or known resource")

    def attribute(self, logical_id: str, attribute: str) -> str:
        return self.attributes[f"{logical_id}.{attribute}"]


def resolve(node: Any, ctx: StackContext) -> Any:
    if isinstance(node, list):
        return [resolve(v, ctx) for v in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        (key, arg), *_ = node.items()
        if key == "Ref":
            return ctx.ref(arg)
        if key == "Fn::GetAtt":
            logical_id, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
            return ctx.attribute(logical_id, attribute)
        if key == "Fn::Join":
            separator, items = arg
            return separator.join(resolve(items, ctx))
        if key == "Fn::Select":
            index, items = arg
            return resolve(items, ctx)[int(index)]
        if key == "Fn::Split":
            separator, text = arg
            return str(resolve(text, ctx)).split(separator)
        if key == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else arg
            values = {k: resolve(v, ctx) for k, v in variables.items()}

            def substitute(match: re.Match[str]) -> str:
                name = match.group(1)
                if name in values:
                    return str(values[name])
                if "." in name:
                    return ctx.attribute(*name.split(".", 1))
                return ctx.ref(name)

            return _SUB_VARIABLE.sub(substitute, text).replace("${!", "${")
        if key.startswith("Fn::") or key == "Condition":
            raise NotImplementedError(f"intrinsic {key} is not resolved by the test helper")
    return {k: resolve(v, ctx) for k, v in node.items()}
