"""Management-account prerequisite (placeholder until the bootstrap work lands)."""

from __future__ import annotations

from typing import TextIO

from cfct_build.config import Settings


def run(
    settings: Settings, *, write: str | None, apply: bool, profile: str | None, out: TextIO, err: TextIO
) -> int:
    raise NotImplementedError
