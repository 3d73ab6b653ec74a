"""Shared fixtures. Tests that read ../shared skip with a clear message where it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfct_build.config import Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_SETTINGS = REPO / "cfct-build.yaml"
SHARED = REPO.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current generator (review the diff, then commit)",
    )


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The example settings shipped at the repo root."""
    return load_settings(EXAMPLE_SETTINGS)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (reference data); skips the test where it is absent (e.g. a user's clone)."""
    if not SHARED.is_dir():
        pytest.skip(f"reference data not found at {SHARED} (only CI and developers have ../shared)")
    return SHARED
