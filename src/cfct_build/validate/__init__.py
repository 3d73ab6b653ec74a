"""Package validation: CfCT contract checks and cfn-lint, as located findings.

`validate_files` checks an in-memory package (what `build` and `package` produce; pass
lint=False there to keep it fast), `validate_dir` a directory or a package zip. Each check
lives in its own module under `validate/checks/` (see `checks.CHECKS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from cfct_build.validate.findings import SEVERITY_ORDER, Finding, Severity

if TYPE_CHECKING:
    from cfct_build.validate.source import PackageSource

__all__ = ["Finding", "Severity", "has_errors", "validate_dir", "validate_files"]


def _run(source: PackageSource, lint: bool) -> list[Finding]:
    from cfct_build.validate.checks import CHECKS
    from cfct_build.validate.context import Context

    ctx = Context(source, lint)
    findings: list[Finding] = []
    for check in CHECKS:
        if check.needs_lint and not lint:
            continue
        try:
            findings.extend(check.validate(ctx))
        except Exception as exc:  # a broken package must never crash the validator
            findings.append(
                Finding(
                    file="",
                    line=None,
                    id=check.id,
                    severity="error",
                    path="",
                    message=f"internal error in this check ({type(exc).__name__}: {exc}); please report it",
                )
            )
    return sort_findings(findings)


def validate_files(files: Mapping[str, bytes], *, lint: bool = True) -> list[Finding]:
    """Validate a package given as {relative path: bytes}."""
    from cfct_build.validate.source import MappingSource

    return _run(MappingSource(files), lint)


def validate_dir(path: Path, *, lint: bool = True) -> list[Finding]:
    """Validate a package directory (or a package .zip file)."""
    import zipfile

    from cfct_build.validate.source import DirSource, MappingSource, zip_files

    if path.is_file() and path.suffix.lower() == ".zip":
        try:
            files = zip_files(path)
        except (zipfile.BadZipFile, OSError) as exc:
            message = f"{path.name} is not a readable zip file ({exc})"
            return [Finding("", None, "CFCT-P001", "error", "", message)]
        return _run(MappingSource(files), lint)
    return _run(DirSource(path), lint)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (f.file, f.line or 0, SEVERITY_ORDER[f.severity], f.id, f.path, f.message),
    )
