#!/usr/bin/env python3
"""Wall time of `cfct-build build` on the example settings (target: at most 1 s).

    .venv/bin/python benchmarks/bench_build.py [--runs N] [--settings FILE] [--profile]

Measures, each time into a fresh temporary output directory:
- subprocess: `python -m cfct_build build -s FILE --out DIR`, what a user waits for
  (interpreter start, imports, settings, generation, validation, writing);
- in process, cold: the first `main(["build", ...])` after importing only `cfct_build.cli`
  (the command's own lazy imports: pydantic, troposphere, awacs, ...);
- in process, warm: later `main(["build", ...])` calls (settings, generation, writing).
Prints the median, minimum and maximum of each, and whether the subprocess median meets the
target. `--profile` adds the slowest imports (`-X importtime`) and a cProfile of a warm build.
Exit status 0 unless the build itself fails; the figures are information, not a gate.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 1.0


def timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def build_argv(settings: Path, out: Path) -> list[str]:
    return ["build", "-s", str(settings), "--out", str(out)]


def subprocess_build(settings: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        argv = [sys.executable, "-m", "cfct_build", *build_argv(settings, Path(tmp) / "out")]
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SystemExit(f"build failed ({result.returncode}):\n{result.stderr}")


def in_process_build(settings: Path) -> None:
    from cfct_build.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        out, err = io.StringIO(), io.StringIO()
        code = main(build_argv(settings, Path(tmp) / "out"), out, err)
        if code != 0:
            raise SystemExit(f"build failed ({code}):\n{err.getvalue()}")


def summary(name: str, seconds: list[float]) -> str:
    return (
        f"{name:<24} median {statistics.median(seconds):7.3f} s   "
        f"min {min(seconds):7.3f} s   max {max(seconds):7.3f} s   (n={len(seconds)})"
    )


def slowest_imports(settings: Path, count: int = 12) -> list[tuple[int, str]]:
    """(cumulative microseconds, module) of the slowest imports of a subprocess build."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = [sys.executable, "-X", "importtime", "-m", "cfct_build"]
        argv += build_argv(settings, Path(tmp) / "out")
        stderr = subprocess.run(argv, capture_output=True, text=True, check=False).stderr
    top: list[tuple[int, str]] = []
    for line in stderr.splitlines():
        parts = line.split("|")
        if line.startswith("import time:") and len(parts) == 3 and parts[1].strip().isdigit():
            depth = len(parts[2]) - len(parts[2].lstrip())
            if depth == 1:  # a top-level entry: the whole cost of importing that module first
                top.append((int(parts[1]), parts[2].strip()))
    return sorted(top, reverse=True)[:count]


def profile_warm_build(settings: Path, count: int = 15) -> str:
    profiler = cProfile.Profile()
    profiler.runcall(in_process_build, settings)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(count)
    return text.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (default 7)")
    parser.add_argument("--settings", type=Path, default=REPO / "cfct-build.yaml")
    parser.add_argument("--profile", action="store_true", help="also show imports and a profile")
    args = parser.parse_args()
    settings: Path = args.settings.resolve()

    sub = [timed(lambda: subprocess_build(settings)) for _ in range(args.runs)]
    start = time.perf_counter()
    import cfct_build.cli  # noqa: F401 - the import a console-script call pays first

    cli_import = time.perf_counter() - start
    cold = timed(lambda: in_process_build(settings))
    warm = [timed(lambda: in_process_build(settings)) for _ in range(args.runs)]

    print(f"cfct-build build of {settings} ({sys.version.split()[0]})")
    print(summary("subprocess", sub))
    print(f"{'import cfct_build.cli':<24} {cli_import:14.3f} s")
    print(f"{'in process, cold':<24} {cold:14.3f} s")
    print(summary("in process, warm", warm))
    median = statistics.median(sub)
    verdict = "meets" if median <= TARGET_SECONDS else "MISSES"
    print(f"target: build <= {TARGET_SECONDS:.1f} s; subprocess median {median:.3f} s {verdict} it")
    if args.profile:
        print("\nslowest top-level imports of a subprocess build (cumulative):")
        for us, name in slowest_imports(settings):
            print(f"  {us / 1e6:7.3f} s  {name}")
        print("\nwarm in-process build, by cumulative time:")
        print(profile_warm_build(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
