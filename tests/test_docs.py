"""README.md holds the generated reference blocks exactly, and opens with the two commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cfct_build import docs

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize("name", sorted(docs.GENERATORS))
def test_readme_reference_block_is_current(name: str) -> None:
    text = README.read_text()
    assert docs.current_block(text, name) == docs.block(name), (
        f"README.md's generated {name} block is stale: run `python -m cfct_build.docs README.md`"
    )


def test_readme_first_code_block_is_the_two_setup_commands() -> None:
    first = re.search(r"```[a-z]*\n(.*?)```", README.read_text(), re.S)
    assert first is not None
    assert first.group(1).splitlines() == ["python3 dev.py build", "python3 dev.py test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text().splitlines()
    assert "python3 dev.py test" in ci
