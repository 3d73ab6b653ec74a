"""One request, evaluated offline by principalmapper, with the statements that decided it.

principalmapper (PMapper) 1.1.5 gives the verdict: identity policies, SCPs (each level needs
an Allow; never applied to the management account or to service principals), resource
policies (bucket and key policies, including KMS's rule that the key policy must grant even
within the key's account), condition operators. It returns only a boolean, so the deciding
statements are found afterwards by asking the same PMapper matchers about each statement on
its own; a verdict that contradicts them (an Allow while a Deny matches) raises.

Known PMapper behaviour this module works with (see ../shared/EMULATION.md):
- it imports `collections.Mapping`, gone since Python 3.10: aliased before import;
- it assumes `aws:SecureTransport=true` and fills `aws:PrincipalArn` for IAM principals: we
  always pass the full request context ourselves;
- it has no evaluation for AWS service principals: a service request is decided here by the
  resource policy alone (explicit Deny, else an Allow, else implicit deny), as AWS does;
- without a resource policy it does not know the resource's owner: for a resource in another
  account with no policy we pass an empty policy, so the request is denied cross-account;
- it substitutes policy variables (`${aws:PrincipalAccount}`) in Resource but not in condition
  values: we substitute them there first, from the request context, as IAM does.
"""

from __future__ import annotations

import collections
import collections.abc
import importlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any

from cfct_build.errors import CfctBuildError

POLICY_VERSION = "2012-10-17"
FULL_AWS_ACCESS: dict[str, Any] = {
    "Version": POLICY_VERSION,
    "Statement": [{"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}],
}
# Layer names, as printed in the matrix.
IDENTITY = "identity policy"
SCP = "SCP"
IMPLICIT = "implicit"


class EvaluatorError(CfctBuildError):
    """PMapper is missing, or its verdict contradicts the statements that match."""


@dataclass(frozen=True, eq=False)
class Policy:
    layer: str  # IDENTITY, SCP, "bucket policy", "key policy", ...
    name: str  # policy name (file, logical ID or role policy name)
    document: Mapping[str, Any]

    def without(self, sids: frozenset[str]) -> Policy:
        """This policy minus the statements whose Sid is in `sids` (mutation checks)."""
        kept = [st for st in _statements(self.document) if st.get("Sid") not in sids]
        return Policy(self.layer, self.name, {**self.document, "Statement": kept})


@dataclass(frozen=True, eq=False)
class Actor:
    """Who makes the request: an IAM role, or an AWS service principal."""

    label: str
    arn: str  # role ARN, or a service principal such as cloudtrail.amazonaws.com
    identity: tuple[Policy, ...] = ()
    org_id: str | None = None  # aws:PrincipalOrgID; None outside the organization
    under_scps: bool = False  # the guardrail SCPs apply to this actor's account

    @property
    def is_service(self) -> bool:
        return not self.arn.startswith("arn:")

    @property
    def account(self) -> str:
        return "" if self.is_service else self.arn.split(":")[4]


@dataclass(frozen=True, eq=False)
class Request:
    action: str
    resource: str
    owner: str | None  # account owning the resource; None: the caller's own
    resource_policy: Policy | None = None
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    decided_by: tuple[str, ...]  # "<layer>:<Sid>" or "implicit: <why>"


def _statements(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    st = document.get("Statement", [])
    return list(st) if isinstance(st, list) else [st]


def _sid(st: Mapping[str, Any], index: int) -> str:
    return str(st.get("Sid") or f"#{index}")


_VARIABLE = re.compile(r"\$\{([A-Za-z0-9:/_.-]+)\}")


def _substitute(value: Any, ctx: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return _VARIABLE.sub(lambda m: ctx.get(m.group(1).lower(), m.group(0)), value)
    if isinstance(value, list):
        return [_substitute(v, ctx) for v in value]
    return value


def with_condition_variables(policy: Policy, ctx: Mapping[str, str]) -> Policy:
    """`policy` with the policy variables in its condition values replaced from `ctx` (a
    variable whose key is absent stays as written, so it matches nothing, as in IAM)."""
    lowered = {k.lower(): v for k, v in ctx.items()}
    statements = []
    changed = False
    for st in _statements(policy.document):
        condition = st.get("Condition")
        if isinstance(condition, Mapping):
            new = {
                op: {k: _substitute(v, lowered) for k, v in block.items()}
                for op, block in condition.items()
            }
            if new != condition:
                st = {**st, "Condition": new}
                changed = True
        statements.append(st)
    if not changed:
        return policy
    return Policy(policy.layer, policy.name, {**policy.document, "Statement": statements})


_PMAPPER: dict[str, ModuleType] = {}


def pmapper() -> ModuleType:
    """principalmapper's query interface, imported once (with the Python >= 3.10 alias)."""
    if "qi" not in _PMAPPER:
        for name in ("Mapping", "MutableMapping", "Sequence", "Iterable"):
            if not hasattr(collections, name):
                setattr(collections, name, getattr(collections.abc, name))
        try:
            _PMAPPER["qi"] = importlib.import_module("principalmapper.querying.query_interface")
            _PMAPPER["common"] = importlib.import_module("principalmapper.common")
            _PMAPPER["cid"] = importlib.import_module("principalmapper.util.case_insensitive_dict")
        except ImportError as exc:
            raise EvaluatorError(
                f"cfct-build prove needs principalmapper 1.1.5 ({exc}); "
                "install it with: pip install principalmapper==1.1.5"
            ) from None
    return _PMAPPER["qi"]


def _node(actor: Actor) -> Any:
    pmapper()
    common = _PMAPPER["common"]
    policies = [common.Policy(actor.arn, p.name, dict(p.document)) for p in actor.identity]
    role_id = "AROA" + "".join(c for c in actor.arn.upper() if c.isalnum())[-17:]
    return common.Node(actor.arn, role_id, policies, [], {}, None, 0, False, False, None, False, {})


def request_context(actor: Actor, request: Request) -> dict[str, str]:
    """The full condition context of the request (what AWS would fill in, then the case's)."""
    ctx = {"aws:SecureTransport": "true"}
    if actor.is_service:
        ctx["aws:PrincipalIsAWSService"] = "true"
        ctx["aws:PrincipalServiceName"] = actor.arn
    else:
        ctx["aws:PrincipalIsAWSService"] = "false"
        ctx["aws:PrincipalArn"] = actor.arn
        ctx["aws:PrincipalAccount"] = actor.account
        if actor.org_id:
            ctx["aws:PrincipalOrgID"] = actor.org_id
    ctx.update(request.context)
    return ctx


def evaluate(actor: Actor, request: Request, scps: Sequence[Policy]) -> Decision:
    """The verdict of PMapper and the statements behind it."""
    qi = pmapper()
    ctx = request_context(actor, request)
    cid = _PMAPPER["cid"].CaseInsensitiveDict(ctx)
    rp = request.resource_policy
    if rp is not None:
        rp = with_condition_variables(rp, ctx)
    if any(with_condition_variables(p, ctx) is not p for p in actor.identity):
        actor = replace(
            actor, identity=tuple(with_condition_variables(p, ctx) for p in actor.identity)
        )
    owner = request.owner
    if rp is None and owner is not None and owner != actor.account:
        rp = Policy("resource policy", "(none)", {"Version": POLICY_VERSION, "Statement": []})

    subject: Any = actor.arn if actor.is_service else _node(actor)
    applied_scps = list(scps) if actor.under_scps and not actor.is_service else []

    def matches(policy: Policy, effect: str) -> list[str]:
        out = []
        for i, st in enumerate(_statements(policy.document)):
            doc = {"Version": POLICY_VERSION, "Statement": [st]}
            if policy.layer in (IDENTITY, SCP):
                hit = qi.policy_has_matching_statement(
                    doc, effect, request.action, request.resource, cid
                )
            else:
                hit = st.get("Effect") == effect and bool(
                    qi.resource_policy_matching_statements(
                        subject, doc, request.action, request.resource, cid
                    )
                )
            if hit:
                out.append(f"{policy.layer}:{_sid(st, i)}")
        return out

    identity = [] if actor.is_service else list(actor.identity)
    denies = [r for p in (*identity, *applied_scps) for r in matches(p, "Deny")]
    if rp is not None:
        denies += matches(rp, "Deny")
    rp_allows = matches(rp, "Allow") if rp is not None else []

    if actor.is_service:
        allowed = not denies and bool(rp_allows)
    else:
        allowed = bool(
            qi.local_check_authorization_full(
                subject,
                request.action,
                request.resource,
                ctx,
                dict(rp.document) if rp is not None else None,
                (owner or actor.account) if rp is not None else None,
                [[FULL_AWS_ACCESS, *(dict(p.document) for p in applied_scps)]]
                if applied_scps
                else None,
                None,
            )
        )
    if allowed and denies:
        raise EvaluatorError(
            f"principalmapper allowed {request.action} on {request.resource} for {actor.arn} "
            f"although {', '.join(denies)} match"
        )
    if allowed:
        id_allows = [r for p in identity for r in matches(p, "Allow")]
        return Decision(True, tuple(rp_allows + id_allows))
    if denies:
        return Decision(False, tuple(denies))
    return Decision(False, (_implicit(actor, request, rp, rp_allows, owner),))


def _implicit(
    actor: Actor, request: Request, rp: Policy | None, rp_allows: list[str], owner: str | None
) -> str:
    if actor.is_service:
        layer = rp.layer if rp is not None else "resource policy"
        return f"{IMPLICIT}: no {layer} statement allows {actor.arn}"
    if rp is not None and not rp_allows:
        if owner is not None and owner != actor.account:
            if rp.name == "(none)":
                return f"{IMPLICIT}: cross-account, and the resource has no policy"
            return f"{IMPLICIT}: cross-account, and the {rp.layer} grants nothing"
        if request.action.split(":")[0] == "kms":
            return f"{IMPLICIT}: the {rp.layer} grants nothing to this principal"
    return f"{IMPLICIT}: no identity policy allows it"
