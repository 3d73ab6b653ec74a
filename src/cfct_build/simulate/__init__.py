"""`cfct-build simulate`: the package deployed the CfCT way into an emulated organization.

Modules: `aws.py` (moto, lazily imported; dummy credentials; clients per account),
`organization.py` (the emulated organization: snapshot or settings; vending), `pipeline.py`
(one CfCT pipeline run: SCPs, StackSets, SSM), `fidelity.py` (what the emulator cannot model),
`run.py` (the whole simulation), `report.py` (text and JSON).
"""

from __future__ import annotations

from typing import TextIO

from cfct_build.config import Settings
from cfct_build.simulate.aws import MissingExtraError, SimulationError
from cfct_build.simulate.report import render, to_dict
from cfct_build.simulate.run import Simulation, simulate

__all__ = [
    "MissingExtraError",
    "Simulation",
    "SimulationError",
    "render",
    "run",
    "simulate",
    "to_dict",
]


def run(
    settings: Settings,
    *,
    settings_file: str | None,
    snapshot_file: str | None,
    new_account_ou: str | None,
    fmt: str,
    out: TextIO,
) -> int:
    """The CLI command: 0 when both pipeline runs succeed and the re-run updates no existing
    StackSet, 1 otherwise; bad input raises (exit code 2)."""
    snapshot = None
    if snapshot_file is not None:
        from cfct_build.org import load_snapshot

        snapshot = load_snapshot(snapshot_file)
    result = simulate(
        settings,
        snapshot=snapshot,
        snapshot_file=snapshot_file,
        new_account_ou_path=new_account_ou,
        settings_file=settings_file,
    )
    out.write(render(result, fmt))
    return 1 if result.failure or result.updated_stack_sets else 0
