"""The simulation as text (for people) or JSON (for machines); both deterministic.

Text: the organization, what the first run deployed, the vended account, what the re-run did
with each resource, what the new account received (stack instances and their resources, the
SCPs binding it along its OU chain), whether any existing StackSet was updated, and what the
emulator could not model. JSON: the same, with every value.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cfct_build.simulate.pipeline import PipelineRun, PolicyResult, StackSetResult
from cfct_build.simulate.run import Simulation

NOT_PROVEN = (
    "moto does not evaluate SCPs or bucket, key, role or event-bus policies, and may keep only "
    "part of the properties of the resources it creates: this run shows where CfCT deploys "
    "what and in which order, not that the policies hold (that is `cfct-build prove`)."
)


def render(sim: Simulation, fmt: str) -> str:
    return json.dumps(to_dict(sim), indent=2) + "\n" if fmt == "json" else _text(sim)


# --------------------------------------------------------------------------- JSON


def _policy_dict(p: PolicyResult) -> dict[str, Any]:
    return {
        "name": p.resource.name,
        "kind": p.resource.deploy_method,
        "action": p.action,
        "content_changed": p.content_changed,
        "attached": [t.path for t in p.attached],
        "already_attached": [t.path for t in p.already_attached],
    }


def _stack_set_dict(r: StackSetResult) -> dict[str, Any]:
    return {
        "name": r.resource.name,
        "action": r.action,
        "template_matched": r.template_matched,
        "parameters_matched": r.parameters_matched,
        "added": [[i.account, i.region] for i in r.added],
        "updated": [[i.account, i.region] for i in r.updated],
        "deleted": [list(pair) for pair in r.deleted],
        "exported": dict(r.exported),
    }


def _run_dict(run: PipelineRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "policies": [_policy_dict(p) for p in run.policies],
        "stack_sets": [_stack_set_dict(r) for r in run.stack_sets],
        "failure": run.failure,
    }


def to_dict(sim: Simulation) -> dict[str, Any]:
    org = sim.organization
    account = sim.new_account
    return {
        "source": sim.source,
        "emulator": f"moto {sim.moto_version}",
        "organization": {
            "id": org.id,
            "management_account": org.management_account_id,
            "accounts": len(org.accounts),
            "enrolled": len(org.enrolled_ids),
            "organizational_units": len(org.ous),
        },
        "first_run": _run_dict(sim.first),
        "new_account": None
        if account is None
        else {
            "id": account.id,
            "name": account.name,
            "email": account.email,
            "ou": sim.new_account_ou,
        },
        "rerun": _run_dict(sim.rerun),
        "new_account_receives": {
            "stack_instances": [
                {
                    "resource": i.resource.name,
                    "region": i.region,
                    "stack_name": i.stack_name,
                    "status": i.status,
                    "resources": [
                        {"logical_id": r.logical_id, "type": r.type, "physical_id": r.physical_id}
                        for r in i.resources
                    ],
                    "not_created": [
                        {"logical_id": lid, "type": t, "why": why} for lid, t, why in i.not_created
                    ],
                    "emulator_gaps": [g.logical_id for g in i.gaps],
                }
                for i in sim.new_instances
            ],
            "why_no_stack_instances": _why_none(sim) or None,
            "scps": [
                {"target_id": b.target_id, "target": b.label, "policies": list(b.policies)}
                for b in sim.binding
            ],
            "query_table_projects_it": _projected(sim),
        },
        "stack_sets_updated": list(sim.updated_stack_sets),
        "stack_set_checks": [
            {
                "stack_set": c.name,
                "template_identical": c.template_identical,
                "update_operations": c.updates_after,
                "update_operations_in_rerun": c.updates_after - c.updates_before,
            }
            for c in sim.checks
        ],
        "emulator_gaps": [
            {
                "resource_file": g.resource_file,
                "logical_id": g.logical_id,
                "kind": g.kind,
                "type": g.type,
                "reason": g.reason,
            }
            for g in sim.gaps
        ],
        "not_proven": NOT_PROVEN,
        "failure": sim.failure,
    }


# --------------------------------------------------------------------------- text


def _join(items: Sequence[str]) -> str:
    return ", ".join(items) if items else "none"


def _policy_line(p: PolicyResult) -> str:
    kind = p.resource.deploy_method.upper()
    if p.action == "created":
        what = "created"
    else:
        changed = "content changed" if p.content_changed else "content unchanged"
        what = f"updated in place ({changed})"
    attached = [t.path for t in p.attached]
    where = f"attached to {_join(attached)}" if attached else "no new attachment"
    return f"  {kind} {p.resource.name}: {what}; {where}"


def _grid(pairs: Sequence[tuple[str, str]]) -> str:
    accounts = list(dict.fromkeys(a for a, _ in pairs))
    regions = list(dict.fromkeys(r for _, r in pairs))
    if len(pairs) == len(accounts) * len(regions):
        return f"{_join(accounts)} x {_join(regions)}"
    return _join([f"{a} {r}" for a, r in pairs])


def _stack_set_line(r: StackSetResult, first: bool) -> str:
    name = f"  StackSet {r.resource.name}: "
    added = [(i.account, i.region) for i in r.added]
    n = len(added)
    if r.action == "created":
        return name + f"created; {n} instance{'s' * (n != 1)}: {_grid(added)}"
    if r.action == "updated":
        why = "template bytes changed" if not r.template_matched else "parameters changed"
        text = f"UPDATED ({why}); {len(r.updated)} instances updated"
        if added:
            text += f"; added: {_grid(added)}"
        if r.deleted:
            text += f"; deleted: {_grid(list(r.deleted))}"
        return name + text
    text = "not updated (template bytes and parameters unchanged)"
    if r.action == "unchanged":
        return name + text + "; instances unchanged"
    if added:
        text += f"; instances added: {_grid(added)}"
    if r.deleted:
        text += f"; instances deleted: {_grid(list(r.deleted))}"
    return name + text


def _run_lines(run: PipelineRun, first: bool) -> list[str]:
    lines = [_policy_line(p) for p in run.policies]
    lines += [_stack_set_line(r, first) for r in run.stack_sets]
    exported = [name for r in run.stack_sets for name, _value in r.exported]
    if exported:
        lines.append(f"  SSM parameters written (management account): {_join(exported)}")
    if run.failure:
        lines.append(f"  FAILED: {run.failure}")
    return lines


def _table(rows: Sequence[tuple[str, ...]], indent: str) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    out = []
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=False)] + [row[-1]]
        out.append(indent + "  ".join(cells).rstrip())
    return out


def _projected(sim: Simulation) -> bool | None:
    """Whether the query table projects the new account (None: no query path, no account)."""
    if sim.query_accounts is None or sim.new_account is None:
        return None
    return sim.new_account.id in sim.query_accounts


def not_projected(account_id: str) -> str:
    return (
        f"  query table: not projected: Athena finds none of its logs until {account_id} is "
        "added to query.accounts (then cfct-build build, push the package)"
    )


def _why_none(sim: Simulation) -> str:
    """Why no StackSet reached the new account, as far as the manifest says."""
    entries = {
        e
        for r in sim.package.manifest.resources
        if r.deploy_method == "stack_set"
        for e in r.organizational_units
    }
    ou = sim.new_account_ou
    if ou in entries or "Root" in entries or sim.new_instances:
        return ""
    parts = ou.split(":")
    parents = [":".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)]
    targeted = next((p for p in parents if p in entries), None)
    if targeted is None:
        return f"no StackSet targets {ou}"
    return (
        f"no StackSet targets {ou}, only {targeted} above it: CfCT does not recurse into "
        f"child OUs; list {ou} in organization.organizational_units"
    )


def _text(sim: Simulation) -> str:
    org = sim.organization
    lines = [
        f"cfct-build simulate: the package deployed the CfCT way on an emulated organization "
        f"(moto {sim.moto_version})",
        f"organization {org.id} ({sim.source}): {len(org.accounts)} accounts, "
        f"{len(org.enrolled_ids)} enrolled, {len(org.ous)} OUs",
        "",
        "First pipeline run (SCPs first, then StackSets in manifest order):",
        *_run_lines(sim.first, first=True),
    ]
    account = sim.new_account
    if account is not None and sim.rerun is not None:
        lines += [
            "",
            f"Vended account {account.id} ({account.name}) into {sim.new_account_ou}: "
            "created, moved into the OU, enrolled in Control Tower",
            "",
            "Re-run on CreateManagedAccount (the whole pipeline again):",
            *_run_lines(sim.rerun, first=False),
            "",
            f"What the new account {account.id} receives:",
        ]
        if not sim.new_instances:
            why = _why_none(sim)
            lines.append("  stack instances: none" + (f" ({why})" if why else ""))
        for i in sim.new_instances:
            lines.append(
                f"  stack instance {i.resource.name} in {i.region} ({i.stack_name}, {i.status}):"
            )
            rows: list[tuple[str, ...]] = [
                (r.type, r.logical_id, r.physical_id) for r in i.resources
            ]
            lines += _table(rows, "    ") if rows else ["    no resources"]
            for logical_id, rtype, why in i.not_created:
                lines.append(f"    not created: {logical_id} ({rtype}): {why}")
            for gap in i.gaps:
                lines.append(f"    not emulated: {gap.logical_id} ({gap.type}): {gap.reason}")
        chain = " > ".join(b.label for b in sim.binding)
        lines.append(f"  SCPs binding it ({chain}):")
        cfct = {p.resource.name for p in sim.rerun.policies}
        scp_rows: list[tuple[str, ...]] = [
            (b.label, _join([f"{n} (cfct-build)" if n in cfct else n for n in b.policies]))
            for b in sim.binding
        ]
        lines += _table(scp_rows, "    ")
        if _projected(sim) is False:
            lines.append(not_projected(account.id))
        identical = sum(1 for c in sim.checks if c.template_identical)
        updated = sim.updated_stack_sets
        if updated:
            lines.append(f"  existing StackSets UPDATED: {_join(updated)}")
        else:
            lines.append(
                f"  existing StackSets updated: none ({identical} of {len(sim.checks)} "
                "templates byte-identical to the package; no UPDATE operation recorded)"
            )
    lines += ["", f"Not modelled by the emulator (moto {sim.moto_version}):"]
    lines += [f"  {g}" for g in sim.gaps] or ["  (no template part left out)"]
    lines.append(f"  {NOT_PROVEN}")
    if sim.failure:
        lines += ["", f"FAILED: {sim.failure}"]
    return "\n".join(lines) + "\n"
