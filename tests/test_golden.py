"""Golden files: every generated file, byte for byte, for each settings fixture.

Golden files catch change; they do not prove intent (the component tests do that).
Regenerate with `pytest tests/test_golden.py --update-golden`, review the diff, commit.
CI never regenerates them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cfct_build.config import load_settings
from cfct_build.package import build_package, drift

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_SETTINGS = REPO / "cfct-build.yaml"
GOLDEN = Path(__file__).parent / "golden"
VARIANTS = {
    "example": EXAMPLE_SETTINGS,
    "minimal": Path(__file__).parent / "fixtures" / "settings" / "minimal.yaml",
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_package_matches_golden(variant: str, request: pytest.FixtureRequest) -> None:
    pkg = build_package(load_settings(VARIANTS[variant]))
    target = GOLDEN / variant
    if request.config.getoption("--update-golden"):
        for old in sorted(target.rglob("*"), reverse=True) if target.exists() else []:
            old.unlink() if old.is_file() else old.rmdir()
        for rel, data in pkg.as_bytes().items():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).write_bytes(data)
    have = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert have == sorted(pkg.files), "golden file set differs: run with --update-golden"
    for rel, data in pkg.as_bytes().items():
        assert (target / rel).read_bytes() == data, f"{variant}/{rel} differs from golden"


def test_committed_package_is_a_fresh_build() -> None:
    """The manifest.yaml/templates/policies committed at the repo root equal a fresh build."""
    d = drift(build_package(load_settings(EXAMPLE_SETTINGS)), REPO)
    assert (d.changed, d.missing, d.extra) == ([], [], [])


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_build_is_byte_deterministic(variant: str) -> None:
    first = build_package(load_settings(VARIANTS[variant])).as_bytes()
    second = build_package(load_settings(VARIANTS[variant])).as_bytes()
    assert first == second
