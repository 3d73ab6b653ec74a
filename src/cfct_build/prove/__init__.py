"""`cfct-build prove`: evaluate the generated policies offline and print who can do what.

The policies evaluated are the ones the package deploys: the guardrail SCPs (`scps.py`), the
key policies (`components/key.py`, `components/replica.py`) and the bucket policies
(`components/bucket.py`, `components/replica.py`), with CloudFormation intrinsics resolved for
their account, Region and partition. The evaluator is principalmapper (see `evaluate.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from cfct_build.config import Settings
from cfct_build.prove.cases import ALL, SCP_ONLY, Case, build_matrix
from cfct_build.prove.evaluate import Decision, Policy, Request, evaluate
from cfct_build.prove.policies import Generated, generated

__all__ = ["Proof", "Row", "prove", "render"]


@dataclass(frozen=True)
class Row:
    case: Case
    decision: Decision

    @property
    def ok(self) -> bool:
        return self.decision.allowed == self.case.expected

    def to_dict(self) -> dict[str, object]:
        c = self.case
        return {
            "id": c.id,
            "principal": c.actor.arn,
            "principal_label": c.actor.label,
            "action": c.action,
            "resource": c.resource,
            "context": dict(sorted(c.context.items())),
            "layers": c.layers,
            "expected": _verdict(c.expected),
            "evaluated": _verdict(self.decision.allowed),
            "decided_by": list(self.decision.decided_by),
            "note": c.note,
            # The over-broad grant added to the resource policy for this case, if any.
            "widened_by": dict(c.widened_by) if c.widened_by is not None else None,
            "ok": self.ok,
        }


@dataclass(frozen=True)
class Proof:
    rows: list[Row]
    skipped: list[str]
    removed: frozenset[str]  # statement IDs removed (mutation checks); empty for the real proof

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)

    @property
    def failed(self) -> list[Row]:
        return [r for r in self.rows if not r.ok]


def _verdict(allowed: bool) -> str:
    return "allow" if allowed else "deny"


def evaluate_case(case: Case, g: Generated) -> Decision:
    scp_only = case.layers == SCP_ONLY
    request = Request(
        action=case.action,
        resource=case.resource,
        owner=case.target.owner if case.target is not None and not scp_only else None,
        resource_policy=None if scp_only else case.resource_policy(g),
        context=case.context,
    )
    actor = case.actor
    if case.identity is not None:
        identity: Policy | None = getattr(g, case.identity)
        # `<identity>_roles`: the roles the stack attaches it to (None: users attach it)
        attached_to: tuple[str, ...] | None = getattr(g, f"{case.identity}_roles", None)
        if attached_to is not None and actor.arn.rsplit("/", 1)[-1] not in attached_to:
            identity = None
        actor = replace(actor, identity=(identity,) if identity is not None else ())
    return evaluate(actor, request, g.scps)


def prove(s: Settings, *, without: frozenset[str] = frozenset()) -> Proof:
    """Evaluate every case against the generated policies (minus the Sids in `without`)."""
    original = generated(s)
    matrix = build_matrix(s, original)
    g = original.without(without)
    rows = [Row(c, evaluate_case(c, g)) for c in matrix.cases]
    return Proof(rows, matrix.skipped, without)


def render(proof: Proof, fmt: str = "text") -> str:
    if fmt == "json":
        doc = {
            "summary": {
                "cases": len(proof.rows),
                "as_expected": len(proof.rows) - len(proof.failed),
                "differ": len(proof.failed),
            },
            "cases": [r.to_dict() for r in proof.rows],
            "skipped": proof.skipped,
            "removed_statements": sorted(proof.removed),
        }
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"
    if fmt == "brief":
        return _render_compact(proof)
    header = (
        "",
        "ID",
        "PRINCIPAL",
        "ACTION",
        "RESOURCE",
        "CONTEXT",
        "LAYERS",
        "EXPECTED",
        "EVALUATED",
        "DECIDED BY",
    )
    table = [header]
    for r in proof.rows:
        c = r.case
        context = " ".join(f"{k}={v}" for k, v in sorted(c.context.items())) or "-"
        table.append(
            (
                "ok" if r.ok else "FAIL",
                c.id,
                c.actor.arn,
                c.action,
                c.resource,
                context,
                c.layers if c.layers != ALL else "all",
                _verdict(c.expected),
                _verdict(r.decision.allowed),
                "; ".join(r.decision.decided_by) + (f"  ({c.note})" if c.note else ""),
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1]
        for row in table
    ]
    return "\n".join([*lines, *_footer(proof)]) + "\n"


def _render_compact(proof: Proof) -> str:
    """One line per case under a heading per principal; `text` and `json` carry every column."""
    id_w = max((len(r.case.id) for r in proof.rows), default=0)
    action_w = max((len(r.case.action) for r in proof.rows), default=0)
    lines: list[str] = []
    actor = None
    for r in proof.rows:
        c = r.case
        if (c.actor.label, c.actor.arn) != actor:
            actor = (c.actor.label, c.actor.arn)
            lines.append(f"{c.actor.label} ({c.actor.arn})")
        verdict = _verdict(r.decision.allowed)
        if not r.ok:
            verdict = f"{verdict} (expected {_verdict(c.expected)})"
        layers = "" if c.layers == ALL else f" [{c.layers}]"
        note = f"  ({c.note})" if c.note else ""
        lines.append(
            f"  {'ok' if r.ok else 'FAIL':4} {c.id.ljust(id_w)}  {c.action.ljust(action_w)}  "
            f"{verdict.ljust(5)}  {'; '.join(r.decision.decided_by)}{layers}{note}"
        )
    return "\n".join([*lines, *_footer(proof)]) + "\n"


def _footer(proof: Proof) -> list[str]:
    lines = [f"skipped: {why}" for why in proof.skipped]
    if proof.removed:
        lines.append(f"removed statements: {', '.join(sorted(proof.removed))}")
    n = len(proof.rows)
    if proof.ok:
        lines.append(f"prove: all {n} cases evaluate as expected")
    else:
        ids = ", ".join(r.case.id for r in proof.failed)
        lines.append(f"prove: {len(proof.failed)} of {n} cases differ from expectation: {ids}")
    return lines
