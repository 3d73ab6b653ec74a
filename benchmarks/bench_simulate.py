#!/usr/bin/env python3
"""Wall time of `cfct-build simulate` on the example settings (information, no target).

    .venv/bin/python benchmarks/bench_simulate.py [--runs N] [--settings FILE] [--snapshot FILE]

Measures:
- subprocess: `python -m cfct_build simulate -s FILE`, what a user waits for (interpreter
  start, imports including moto, building the emulated organization, two pipeline runs, the
  read-back and the report);
- in process: `simulate()` alone, split into its phases (organization built, first pipeline
  run, vending and re-run, read-back) from a profile of one run.
Prints the median, minimum and maximum, the number of stack instances each run creates, and
the peak resident memory of the subprocess. Exit status 0 unless the simulation fails.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def subprocess_run(argv: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "cfct_build", "simulate", *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"simulate failed ({result.returncode}):\n{result.stderr}{result.stdout}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kib


def phases(settings_file: Path, snapshot_file: Path | None) -> dict[str, float]:
    from cfct_build.config import load_settings
    from cfct_build.org import load_snapshot
    from cfct_build.package import build_package
    from cfct_build.simulate import aws
    from cfct_build.simulate.organization import default_org
    from cfct_build.simulate.run import Emulation, new_account_ou

    out: dict[str, float] = {}
    start = time.perf_counter()
    settings = load_settings(settings_file)
    package = build_package(settings)
    model = load_snapshot(snapshot_file) if snapshot_file else default_org(settings)
    ou = new_account_ou(settings, model, None, str(settings_file), "benchmark")
    out["settings, package, org model"] = time.perf_counter() - start
    with aws.emulated_aws(), aws.quiet():
        t = time.perf_counter()
        emulation = Emulation(settings, model, package)
        emulation.start()
        out["organization built in moto"] = time.perf_counter() - t
        t = time.perf_counter()
        _org, _res, first = emulation.run_pipeline()
        out[f"first pipeline run ({sum(len(r.added) for r in first.stack_sets)} instances)"] = (
            time.perf_counter() - t
        )
        t = time.perf_counter()
        emulation.vend(ou)
        _org, _res, rerun = emulation.run_pipeline()
        out[f"vend + re-run ({sum(len(r.added) for r in rerun.stack_sets)} instances)"] = (
            time.perf_counter() - t
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--settings", type=Path, default=REPO / "cfct-build.yaml")
    parser.add_argument("--snapshot", type=Path, default=None)
    args = parser.parse_args()
    argv = ["-s", str(args.settings)]
    if args.snapshot:
        argv += ["--org-snapshot", str(args.snapshot)]
    times = []
    peak = 0
    for _ in range(args.runs):
        elapsed, peak = subprocess_run(argv)
        times.append(elapsed)
    print(
        f"subprocess `cfct-build simulate` x{args.runs}: median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}); peak RSS {peak / 1024:.0f} MiB"
    )
    print("in process, one run:")
    for name, seconds in phases(args.settings, args.snapshot).items():
        print(f"  {name}: {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
