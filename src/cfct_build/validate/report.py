"""Render findings for people (text) and machines (json)."""

from __future__ import annotations

import json

from cfct_build.validate.findings import Finding


def _counts(findings: list[Finding]) -> dict[str, int]:
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    return {"errors": errors, "warnings": warnings, "infos": len(findings) - errors - warnings}


def render(findings: list[Finding], fmt: str) -> str:
    counts = _counts(findings)
    if fmt == "json":
        doc = {
            "summary": {**counts, "findings": len(findings)},
            "findings": [f.to_dict() for f in findings],
        }
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"
    lines = [str(f) for f in findings]
    lines.append(
        f"{counts['errors']} error(s), {counts['warnings']} warning(s), {counts['infos']} info"
    )
    return "\n".join(lines) + "\n"
