"""Render findings for people (text) and machines (json, sarif, junit).

- `text`: one line per finding and a summary line.
- `json`: the findings and their counts.
- `sarif`: SARIF 2.1.0 for code-scanning UIs. `tool.driver.rules` lists every check of the
  registry (id, name, short and full description) and each cfn-lint rule that reported;
  each result has its rule, a level (error, warning, note), the message, and where known the
  file (relative to the working directory when the package is there) and line.
- `junit`: one JUnit XML testsuite for CI report viewers. One testcase per check id and file
  with findings (`classname` the id, `name` the file, `(package)` for package-level
  findings), failing when any of them is an error (warnings and infos go to `system-out`);
  one passing testcase per check that ran and found nothing; one skipped testcase per check
  that did not run (cfn-lint under `--no-lint`).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from cfct_build import __version__
from cfct_build.validate.findings import Finding

if TYPE_CHECKING:
    from cfct_build.validate.check import Check

FORMATS = ("text", "json", "sarif", "junit")
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
PACKAGE = "(package)"  # JUnit testcase name of package-level findings and whole-package checks
TOOL = "cfct-build"
SUITE = "cfct-build validate"
# Characters XML 1.0 cannot carry, even escaped (a hostile package can put them in a message).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _counts(findings: list[Finding]) -> dict[str, int]:
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    return {"errors": errors, "warnings": warnings, "infos": len(findings) - errors - warnings}


def render(findings: list[Finding], fmt: str, *, lint: bool = True, base: str = "") -> str:
    """The report in `fmt`. `lint` says whether cfn-lint ran (sarif, junit list the checks
    that ran); `base` is the package directory as a relative POSIX path, prefixed to file
    locations in sarif and junit ("" for package-relative paths)."""
    if fmt == "json":
        doc = {
            "summary": {**_counts(findings), "findings": len(findings)},
            "findings": [f.to_dict() for f in findings],
        }
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"
    if fmt == "sarif":
        return json.dumps(sarif(findings, base=base), indent=2, sort_keys=True) + "\n"
    if fmt == "junit":
        return junit(findings, lint=lint, base=base)
    return text(findings)


def text(findings: list[Finding]) -> str:
    counts = _counts(findings)
    lines = [str(f) for f in findings]
    lines.append(
        f"{counts['errors']} error(s), {counts['warnings']} warning(s), {counts['infos']} info"
    )
    return "\n".join(lines) + "\n"


def _registry() -> tuple[Check, ...]:
    from cfct_build.validate.checks import CHECKS

    return CHECKS


def _uri(base: str, file: str) -> str:
    return f"{base.rstrip('/')}/{file}" if base else file


def _reported_by(finding_id: str, check: Check) -> bool:
    """Whether `check` reports findings with this id (cfn-lint's CFN-<rule> belong to CFN)."""
    return finding_id == check.id or finding_id.startswith(check.id + "-")


# --------------------------------------------------------------------------- sarif


def _cfn_lint_rule(rule_id: str) -> dict[str, Any]:
    """A SARIF rule for cfn-lint's rule `rule_id` (CFN-<id>), described by cfn-lint itself."""
    rule: dict[str, Any] = {"id": rule_id, "shortDescription": {"text": f"cfn-lint {rule_id[4:]}"}}
    try:
        from cfct_build.validate.checks.cfn_lint import _rules

        lint_rule = _rules()[rule_id[4:]]
    except Exception:  # cfn-lint absent or the rule unknown (CFN-E0000 of a crash)
        return rule
    rule["name"] = rule_id[4:]
    rule["shortDescription"] = {"text": str(lint_rule.shortdesc)}
    if lint_rule.description:
        rule["fullDescription"] = {"text": str(lint_rule.description)}
    if lint_rule.source_url:
        rule["helpUri"] = str(lint_rule.source_url)
    return rule


def sarif(findings: list[Finding], *, base: str = "") -> dict[str, Any]:
    checks = _registry()
    rules: list[dict[str, Any]] = [
        {
            "id": c.id,
            "name": type(c).__name__,
            "shortDescription": {"text": c.shortdesc},
            "fullDescription": {"text": c.description},
        }
        for c in checks
    ]
    known = {r["id"] for r in rules}
    for rule_id in sorted({f.id for f in findings} - known):
        rules.append(_cfn_lint_rule(rule_id) if rule_id.startswith("CFN-") else {"id": rule_id})
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.id,
            "ruleIndex": index[f.id],
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.path}: {f.message}" if f.path else f.message},
        }
        if f.file:
            physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(base, f.file)}}
            if f.line is not None:
                physical["region"] = {"startLine": f.line}
            location: dict[str, Any] = {"physicalLocation": physical}
            if f.path:
                location["logicalLocations"] = [{"fullyQualifiedName": f.path}]
            result["locations"] = [location]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": TOOL, "version": __version__, "rules": rules}},
                "results": results,
            }
        ],
    }


# --------------------------------------------------------------------------- junit


def _xml_text(s: str) -> str:
    return _NOT_XML.sub("\ufffd", s)


def _case(suite: ET.Element, classname: str, name: str, file: str | None = None) -> ET.Element:
    attrs = {"classname": classname, "name": _xml_text(name)}
    if file:
        attrs["file"] = _xml_text(file)
    return ET.SubElement(suite, "testcase", attrs)


def junit(findings: list[Finding], *, lint: bool = True, base: str = "") -> str:
    checks = _registry()
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.id, f.file), []).append(f)
    suite = ET.Element("testsuite", {"name": SUITE})
    tests = failures = skipped = 0

    def emit(key: tuple[str, str]) -> None:
        nonlocal tests, failures
        finding_id, file = key
        group = groups.pop(key)
        case = _case(suite, finding_id, file or PACKAGE, _uri(base, file) if file else None)
        tests += 1
        errors = [f for f in group if f.severity == "error"]
        if errors:
            failures += 1
            failure = ET.SubElement(
                case, "failure", {"type": "error", "message": _xml_text(str(errors[0]))}
            )
            failure.text = _xml_text("\n".join(str(f) for f in errors))
        others = [f for f in group if f.severity != "error"]
        if others:
            ET.SubElement(case, "system-out").text = _xml_text("\n".join(str(f) for f in others))

    for check in checks:
        own = sorted(k for k in groups if _reported_by(k[0], check))
        if check.needs_lint and not lint:
            case = _case(suite, check.id, PACKAGE)
            ET.SubElement(case, "skipped", {"message": "not run (--no-lint)"})
            tests += 1
            skipped += 1
        elif not own:
            _case(suite, check.id, PACKAGE)
            tests += 1
        for key in own:
            emit(key)
    for key in sorted(groups):  # ids of no registered check (none today)
        emit(key)
    suite.attrib.update(
        {"tests": str(tests), "failures": str(failures), "errors": "0", "skipped": str(skipped)}
    )
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, "unicode") + "\n"
