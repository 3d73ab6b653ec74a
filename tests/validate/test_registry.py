"""The check registry: one Check per module, unique ids, never a traceback."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator

import pytest

import cfct_build.validate.checks as checks_pkg
from cfct_build.validate import Finding, validate_files
from cfct_build.validate.check import Check
from cfct_build.validate.checks import CHECKS
from cfct_build.validate.context import Context


def test_ids_are_unique_and_well_formed() -> None:
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not re.fullmatch(r"CFCT-[MPTS]\d{3}|CFN", i)] == []


def test_every_check_is_documented() -> None:
    assert [c.id for c in CHECKS if not c.shortdesc or len(c.description) < 40] == []


def test_every_check_module_is_registered_once() -> None:
    found = []
    for info in pkgutil.iter_modules(checks_pkg.__path__):
        module = importlib.import_module(f"{checks_pkg.__name__}.{info.name}")
        classes = [
            c
            for _, c in inspect.getmembers(module, inspect.isclass)
            if issubclass(c, Check) and c is not Check and c.__module__ == module.__name__
        ]
        assert len(classes) == 1, info.name
        found.append(classes[0])
    assert sorted(c.__name__ for c in found) == sorted(type(c).__name__ for c in CHECKS)


def test_cfn_lint_is_the_only_lint_check() -> None:
    assert [c.id for c in CHECKS if c.needs_lint] == ["CFN"]


class _Broken(Check):
    id = "CFCT-M001"
    shortdesc = "raises"
    description = "a check with a bug"

    def validate(self, ctx: Context) -> Iterator[Finding]:
        raise KeyError("boom")


def test_a_failing_check_becomes_an_error_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks_pkg, "CHECKS", (_Broken(),))
    assert validate_files({}, lint=False) == [
        Finding(
            "",
            None,
            "CFCT-M001",
            "error",
            "",
            "internal error in this check (KeyError: 'boom'); please report it",
        )
    ]


def test_a_cfn_lint_crash_is_a_finding_for_that_template(monkeypatch: pytest.MonkeyPatch) -> None:
    from cfct_build.validate.checks import cfn_lint

    def crash(text: str, regions: list[str]) -> list[object]:
        raise RuntimeError("lint bug")

    monkeypatch.setattr(cfn_lint, "lint_text", crash)
    files = {"templates/t.template": b'{"Resources": {}}'}
    assert [f for f in validate_files(files) if f.id.startswith("CFN")] == [
        Finding(
            "templates/t.template",
            None,
            "CFN-E0000",
            "error",
            "",
            "cfn-lint failed on this template (RuntimeError: lint bug)",
        )
    ]
