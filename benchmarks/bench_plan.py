#!/usr/bin/env python3
"""`cfct-build plan` on synthetic organizations (target: 10,000 accounts in <= 2 s, <= 200 MB).

    .venv/bin/python benchmarks/bench_plan.py [--accounts 1000 10000] [--runs N] [--keep DIR]

For each size it generates, deterministically, an organization of 1,000 OUs nested 4 deep
(10 top-level OUs, 40 below them, 150 below those, 800 at the fourth level) with the accounts
spread round-robin over the OUs, one in 20 not enrolled and one in 100 SUSPENDED, two SCPs per
OU; and settings (the example settings with `organization.organizational_units` = the 50 OUs of
the first two levels, so the baseline StackSet, the SCPs and every trap check have real work).
Then, each in a fresh interpreter:
- the command: `python -m cfct_build plan -s SETTINGS --snapshot FILE -f FORMAT` as a user runs
  it (interpreter start and imports included): wall time and peak RSS — the target applies here;
- in process: `main(["plan", "--snapshot", FILE, "-f", FORMAT])` after importing only
  the CLI — settings, package build, snapshot load and validation, resolution, warnings,
  rendering — wall time and peak RSS (`resource.getrusage(...).ru_maxrss`, whole process,
  interpreter and imports included);
- the same under `tracemalloc`: peak Python allocation of the command alone;
- a breakdown: snapshot load, package build, `make_plan`, text and JSON rendering.
Prints the median of `--runs` runs and whether the 10,000-account command meets the targets.
Exit status 0 unless a run fails; the figures are information, not a gate.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0
TARGET_MB = 200.0
LEVELS = (10, 40, 150, 800)  # OUs per level: 1,000 in all, 4 deep


def synthetic(accounts: int) -> Any:
    """The organization, as an org.Organization (deterministic: no randomness, no clock)."""
    from cfct_build.org import Account, Organization, OrganizationalUnit

    root = "r-bench"
    ous: list[OrganizationalUnit] = []
    parents = [root]
    n = 0
    for count in LEVELS:
        level = []
        for i in range(count):
            parent = parents[i % len(parents)]
            n += 1
            ou = OrganizationalUnit(f"ou-bench-{n:08d}", f"ou{len(level):03d}", parent)
            level.append(ou)
        ous += level
        parents = [o.id for o in level]
    management = "100000000000"
    members = [Account(management, "management", root, "ACTIVE", False)]
    for i in range(1, accounts):
        state = "SUSPENDED" if i % 100 == 0 else "ACTIVE"
        members.append(
            Account(
                f"{100000000000 + i:012d}", f"account-{i}", ous[i % len(ous)].id, state, i % 20 != 0
            )
        )
    scps = {o.id: ("FullAWSAccess", "aws-guardrails-bench") for o in ous}
    scps[root] = ("FullAWSAccess",)
    return Organization(
        id="o-benchbench0",
        management_account_id=management,
        root_id=root,
        ous=tuple(ous),
        accounts=tuple(members),
        scps=scps,
        home_region="us-east-1",
    )


def settings_text(org: Any) -> str:
    """The example settings for this organization (governed: the first two OU levels)."""
    import yaml

    data = yaml.safe_load((REPO / "cfct-build.yaml").read_text(encoding="utf-8"))
    governed = [org.path_str(o.id) for o in org.ous[: LEVELS[0] + LEVELS[1]]]
    data["organization"]["organizational_units"] = governed
    data["organization"]["id"] = org.id
    mgmt = org.management_account_id
    old = data["organization"]["management_account"]
    data["organization"]["management_account"] = mgmt
    data["exempt_principals"] = [p.replace(old, mgmt) for p in data.get("exempt_principals", [])]
    return yaml.safe_dump(data, sort_keys=False)


def prepare(accounts: int, folder: Path) -> tuple[Path, Path]:
    from cfct_build.org import save_snapshot

    org = synthetic(accounts)
    snapshot = folder / f"org-{accounts}.json"
    settings = folder / f"settings-{accounts}.yaml"
    save_snapshot(org, snapshot)
    settings.write_text(settings_text(org), encoding="utf-8")
    return snapshot, settings


def child(mode: str, snapshot: str, settings: str, fmt: str) -> dict[str, Any]:
    """One measurement in this (fresh) interpreter."""
    import io
    import resource
    import time
    import tracemalloc

    from cfct_build.cli import main

    argv = ["plan", "-s", settings, "--snapshot", snapshot, "-f", fmt]
    out, err = io.StringIO(), io.StringIO()
    if mode == "command":  # what a user waits for: a fresh `python -m cfct_build plan ...`
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "cfct_build", *argv], capture_output=True, check=False
        )
        wall = time.perf_counter() - start
        rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return {"code": done.returncode, "wall": wall, "rss_mb": rss_kb / 1024}
    if mode == "plan":
        start = time.perf_counter()
        code = main(argv, out, err)
        wall = time.perf_counter() - start
        rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        return {"code": code, "wall": wall, "rss_mb": rss_kb / 1024, "bytes": len(out.getvalue())}
    if mode == "tracemalloc":
        tracemalloc.start()
        code = main(argv, out, err)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"code": code, "peak_mb": peak / 2**20}
    # breakdown (warm imports)
    from cfct_build.config import load_settings
    from cfct_build.org import load_snapshot
    from cfct_build.package import build_package
    from cfct_build.plan import make_plan, render_json, render_text

    main(argv, io.StringIO(), io.StringIO())  # warm the lazy imports
    times: dict[str, float] = {}
    t = time.perf_counter()
    org = load_snapshot(snapshot)
    times["load snapshot"] = time.perf_counter() - t
    t = time.perf_counter()
    s = load_settings(settings)
    manifest = build_package(s).manifest
    times["settings + package"] = time.perf_counter() - t
    t = time.perf_counter()
    plan = make_plan(
        manifest,
        org,
        source=snapshot,
        governed=s.organization.organizational_units,
        organization_id=s.organization.id,
        management_account=s.organization.management_account,
    )
    times["resolve + warnings"] = time.perf_counter() - t
    t = time.perf_counter()
    render_text(plan)
    times["render text"] = time.perf_counter() - t
    t = time.perf_counter()
    render_json(plan)
    times["render json"] = time.perf_counter() - t
    return {"code": 0, "times": times, "warnings": len(plan.warnings)}


def run_child(mode: str, snapshot: Path, settings: Path, fmt: str) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--child", mode, str(snapshot), str(settings), fmt]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{result.stderr}")
    data: dict[str, Any] = json.loads(result.stdout)
    if data["code"] not in (0, 1):
        raise SystemExit(f"plan exited {data['code']}")
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR", help="write the snapshots and settings here")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        verdicts = []
        for size in args.accounts:
            snapshot, settings = prepare(size, folder)
            mb = snapshot.stat().st_size / 2**20
            print(f"{size:,} accounts, 1,000 OUs (4 deep): snapshot {mb:.1f} MB")
            for fmt in ("text", "json"):
                cmd = [run_child("command", snapshot, settings, fmt) for _ in range(args.runs)]
                cmd_wall = statistics.median(r["wall"] for r in cmd)
                cmd_rss = statistics.median(r["rss_mb"] for r in cmd)
                print(
                    f"  cfct-build plan -f {fmt:4} (fresh interpreter): {cmd_wall:.2f} s (median "
                    f"of {args.runs}), peak RSS {cmd_rss:.0f} MB"
                )
                if size == 10000:
                    verdicts.append(cmd_wall <= TARGET_SECONDS and cmd_rss <= TARGET_MB)
                runs = [run_child("plan", snapshot, settings, fmt) for _ in range(args.runs)]
                wall = statistics.median(r["wall"] for r in runs)
                rss = statistics.median(r["rss_mb"] for r in runs)
                peak = run_child("tracemalloc", snapshot, settings, fmt)["peak_mb"]
                out_mb = runs[0]["bytes"] / 2**20
                print(
                    f"  in process, after imports -f {fmt:4}: {wall:.2f} s (median of {args.runs}; min "
                    f"{min(r['wall'] for r in runs):.2f}, max {max(r['wall'] for r in runs):.2f}), "
                    f"peak RSS {rss:.0f} MB, Python peak {peak:.0f} MB, output {out_mb:.1f} MB"
                )
            b = run_child("breakdown", snapshot, settings, "text")
            parts = ", ".join(f"{k} {v:.2f} s" for k, v in b["times"].items())
            print(f"  breakdown (warm): {parts}; {b['warnings']} warnings")
        if verdicts:
            ok = all(verdicts)
            print(
                f"target for 10,000 accounts (<= {TARGET_SECONDS:.0f} s, <= {TARGET_MB:.0f} MB "
                f"RSS): {'met' if ok else 'NOT met'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
