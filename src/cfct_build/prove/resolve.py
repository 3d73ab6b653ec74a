"""Resolve the CloudFormation intrinsics our templates use, for one account/Region/partition.

`prove` evaluates the policies the templates really deploy, so it needs them as plain JSON:
`Ref` (pseudo parameters, template parameters, resources), `Fn::Sub` (string or [string,
variables]), `Fn::GetAtt` and `Fn::Join`. Anything else raises `UnresolvedError`: a template
that uses an intrinsic this resolver does not know must fail the proof, not be guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cfct_build.errors import CfctBuildError

_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


class UnresolvedError(CfctBuildError):
    """A template value the resolver cannot turn into plain JSON."""


@dataclass(frozen=True)
class Environment:
    """What CloudFormation would know when it deploys the stack."""

    partition: str
    region: str
    account: str
    refs: Mapping[str, str] = field(default_factory=dict)  # parameters and resources
    attributes: Mapping[tuple[str, str], str] = field(default_factory=dict)  # GetAtt

    def ref(self, name: str) -> str:
        pseudo = {
            "AWS::Partition": self.partition,
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::URLSuffix": "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.refs:
            return self.refs[name]
        raise UnresolvedError(f"cannot resolve Ref {name!r}")

    def get_att(self, resource: str, attribute: str) -> str:
        if (resource, attribute) in self.attributes:
            return self.attributes[(resource, attribute)]
        raise UnresolvedError(f"cannot resolve Fn::GetAtt {resource}.{attribute}")


def _sub(template: str, env: Environment, variables: Mapping[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in variables:
            return variables[name]
        if "." in name and not name.startswith("AWS::"):
            resource, attribute = name.split(".", 1)
            return env.get_att(resource, attribute)
        return env.ref(name)

    return _SUB_VAR.sub(one, template).replace("${!", "${")


def resolve(value: Any, env: Environment) -> Any:
    """`value` with every intrinsic function replaced by its deployed value."""
    if isinstance(value, list):
        return [resolve(v, env) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Ref":
            return env.ref(arg)
        if fn == "Fn::Sub":
            if isinstance(arg, str):
                return _sub(arg, env, {})
            text, variables = arg
            return _sub(text, env, {k: str(resolve(v, env)) for k, v in variables.items()})
        if fn == "Fn::GetAtt":
            resource, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
            return env.get_att(resource, attribute)
        if fn == "Fn::Join":
            sep, items = arg
            return sep.join(str(resolve(i, env)) for i in items)
        if fn.startswith("Fn::") or fn == "Condition":
            raise UnresolvedError(f"unsupported intrinsic {fn}")
    return {k: resolve(v, env) for k, v in value.items()}
