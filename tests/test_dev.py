"""dev.py: `python3 dev.py build` validates the directory it built into."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

DEV = Path(__file__).resolve().parent.parent / "dev.py"


def load_dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev", DEV)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], []),
        (["--out", "pkg"], ["pkg"]),
        (["-o", "pkg"], ["pkg"]),
        (["--out=pkg"], ["pkg"]),
        (["-opkg"], ["pkg"]),
        (["-s", "other.yaml", "--out", "pkg"], ["pkg"]),
        (["-s", "other.yaml"], []),
    ],
)
def test_validate_follows_the_build_output_directory(argv: list[str], expected: list[str]) -> None:
    assert load_dev()._out_dir(argv) == expected
