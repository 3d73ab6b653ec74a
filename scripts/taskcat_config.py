#!/usr/bin/env python3
"""Write (or, with --check, compare) .taskcat.yml and taskcat/org-trail-sandbox.template.

    .venv/bin/python scripts/taskcat_config.py [--settings cfct-build.yaml] [--out .] [--check]

Both are generated from the settings (cfct_build.taskcat_config); tests check that the
committed copies equal a fresh generation from the example settings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cfct_build.config import load_settings
from cfct_build.errors import CfctBuildError
from cfct_build.taskcat_config import files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write .taskcat.yml from the settings.")
    parser.add_argument("--settings", "-s", default="cfct-build.yaml", metavar="FILE")
    parser.add_argument("--out", "-o", default=".", metavar="DIR")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    try:
        wanted = files(load_settings(args.settings))
    except CfctBuildError as exc:
        print(f"taskcat_config: error:\n{exc}", file=sys.stderr)
        return exc.exit_code
    stale = []
    for rel, text in wanted.items():
        target = Path(args.out) / rel
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            continue
        stale.append(rel)
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"  wrote  {target}")
    if args.check and stale:
        print(f"stale: {', '.join(stale)} (run scripts/taskcat_config.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
