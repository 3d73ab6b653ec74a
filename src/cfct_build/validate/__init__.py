"""Package validation: CfCT contract checks and cfn-lint, as located findings."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from cfct_build.validate.findings import SEVERITY_ORDER, Finding, Severity

__all__ = ["Finding", "Severity", "has_errors", "validate_dir", "validate_files"]


def validate_files(files: Mapping[str, bytes], *, lint: bool = True) -> list[Finding]:
    """Validate a package given as {relative path: bytes}."""
    return []


def validate_dir(path: Path, *, lint: bool = True) -> list[Finding]:
    from cfct_build.package import existing_files

    return validate_files(existing_files(path), lint=lint)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.file, f.line or 0, SEVERITY_ORDER[f.severity], f.id, f.path, f.message))
