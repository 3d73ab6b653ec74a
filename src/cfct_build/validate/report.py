"""Render findings for people (text) and machines (json)."""

from __future__ import annotations

import json

from cfct_build.validate.findings import Finding


def render(findings: list[Finding], fmt: str) -> str:
    if fmt == "json":
        errors = sum(f.severity == "error" for f in findings)
        warnings = sum(f.severity == "warning" for f in findings)
        doc = {
            "summary": {"errors": errors, "warnings": warnings, "findings": len(findings)},
            "findings": [f.to_dict() for f in findings],
        }
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"
    lines = [str(f) for f in findings]
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    infos = len(findings) - errors - warnings
    lines.append(f"{errors} error(s), {warnings} warning(s), {infos} info")
    return "\n".join(lines) + "\n"
