#!/usr/bin/env python3
"""Wall time of `cfct-build validate` against bare cfn-lint on the same templates
(target: validate at most 1.3x cfn-lint).

    .venv/bin/python benchmarks/bench_validate.py [--runs N] [--settings FILE] [--package DIR]

Builds the package from the settings (default: the example settings) into a temporary
directory, or uses --package DIR, then times, alternating, each as a fresh process:
- `cfct-build validate DIR`: every CfCT contract check plus cfn-lint (informational rules on)
  on every template, in process;
- `cfn-lint DIR/templates/*.template`: bare cfn-lint with its default rules (the baseline);
- `cfn-lint -c I DIR/templates/*.template`: cfn-lint with the same rules validate runs;
- `cfct-build validate --no-lint DIR`: the contract checks alone.
Prints median, minimum and maximum of each and the ratio of the medians to the baseline.
Exit status 0 unless a command fails to run; the figures are information, not a gate.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.3


def cfn_lint_command() -> list[str]:
    script = Path(sys.executable).parent / "cfn-lint"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cfnlint"]


def commands(package: Path) -> dict[str, list[str]]:
    templates = sorted(str(p) for p in (package / "templates").glob("*.template"))
    if not templates:
        raise SystemExit(f"{package}: no templates/*.template to lint")
    validate = [sys.executable, "-m", "cfct_build", "validate"]
    return {
        "cfn-lint (baseline)": [*cfn_lint_command(), *templates],
        "cfn-lint -c I": [*cfn_lint_command(), "-c", "I", "--", *templates],
        "cfct-build validate": [*validate, str(package)],
        "cfct-build validate --no-lint": [*validate, "--no-lint", str(package)],
    }


def run_once(argv: list[str], ok: set[int]) -> float:
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in ok:
        raise SystemExit(
            f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout}{result.stderr}"
        )
    return elapsed


def build_into(settings: Path, out: Path) -> None:
    from cfct_build.config import load_settings
    from cfct_build.package import build_package, write_package

    write_package(build_package(load_settings(settings)), out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (default: 7)")
    parser.add_argument("--settings", type=Path, default=REPO / "cfct-build.yaml")
    parser.add_argument("--package", type=Path, help="time an existing package directory instead")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        package = args.package
        if package is None:
            package = Path(tmp) / "package"
            build_into(args.settings, package)
        cmds = commands(package)
        ok = {
            "cfn-lint (baseline)": {0, 2, 4, 6, 8, 10, 12, 14},
            "cfn-lint -c I": {0, 2, 4, 6, 8, 10, 12, 14},
            "cfct-build validate": {0, 1},
            "cfct-build validate --no-lint": {0, 1},
        }
        for name, cmd in cmds.items():  # warm the file cache and byte-code
            run_once(cmd, ok[name])
        times: dict[str, list[float]] = {name: [] for name in cmds}
        for _ in range(args.runs):
            for name, cmd in cmds.items():
                times[name].append(run_once(cmd, ok[name]))

    templates = len(list((package / "templates").glob("*.template"))) if args.package else None
    base = statistics.median(times["cfn-lint (baseline)"])
    print(
        f"package: {args.package or 'built from ' + str(args.settings)}"
        + (f" ({templates} templates)" if templates else "")
    )
    print(f"runs per command: {args.runs} (alternating, after one warm-up run each)")
    print(f"{'command':32} {'median':>8} {'min':>8} {'max':>8} {'ratio':>6}")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"{name:32} {med:8.3f} {min(values):8.3f} {max(values):8.3f} {med / base:6.2f}")
    ratio = statistics.median(times["cfct-build validate"]) / base
    verdict = "meets" if ratio <= TARGET_RATIO else "misses"
    print(f"validate / cfn-lint = {ratio:.2f}: {verdict} the target of {TARGET_RATIO}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
