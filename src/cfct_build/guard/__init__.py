"""`cfct-build guard`: the official cfn-guard 3.x over a package's templates.

Rule sets (see `rulesets`): cfct-build's own invariants, always; the AWS Guard rules
registry's cfn_nag equivalent and CIS AWS Foundations Level 1 and 2 sets where the registry
is given or found. cfn-guard runs once per rule set over every template
(`--output-format json --structured`); its non-compliant clauses become located findings
(`GUARD-<RULE>`, error). Each rule is summarised per rule set as failed, suppressed (a
resource suppresses it, by `Metadata.guard.SuppressedRules` or the cfn_nag id the rule
honours), passed, or not applicable.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cfct_build.config import Settings
from cfct_build.errors import CfctBuildError, UsageError
from cfct_build.guard import binary
from cfct_build.guard.rulesets import (
    DEFAULT_REGISTRY,
    OWN,
    OWN_RULES,
    PARAMS_FILE,
    REGISTRY_URL,
    RuleSet,
    own_rule_set,
    parameters_json,
    registry_rule_sets,
)
from cfct_build.validate import jsonpos
from cfct_build.validate.context import CFCT_TEMPLATE_NAME
from cfct_build.validate.findings import Finding

__all__ = [
    "PARAMS_FILE",
    "GuardReport",
    "Summary",
    "default_registry",
    "export_rules",
    "registry_required",
    "render",
    "run_guard",
]

STATUSES = ("passed", "failed", "suppressed", "not applicable")
_LOCATION = re.compile(r"\[L:\d+,C:\d+\]")


class GuardFailed(CfctBuildError):
    """cfn-guard itself failed (a rule or template it could not parse)."""


@dataclass(frozen=True)
class Summary:
    rule_set: str
    title: str
    rules: dict[str, str]  # rule -> one of STATUSES
    missing: tuple[str, ...] = ()

    def count(self, status: str) -> int:
        return sum(1 for s in self.rules.values() if s == status)


@dataclass
class GuardReport:
    cfn_guard: str  # version
    templates: list[str]
    summaries: list[Summary] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


@dataclass(frozen=True)
class _Template:
    rel: str
    path: Path
    data: dict[str, Any]
    located: list[jsonpos.Located]


def _templates(package: Path) -> list[_Template]:
    folder = package / "templates"
    if not folder.is_dir():
        raise UsageError(f"{package}: no templates/ folder (not a CfCT package directory)")
    found: list[_Template] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if not CFCT_TEMPLATE_NAME.search(path.name):
            continue
        text = path.read_text(encoding="utf-8")
        try:
            data = json.loads(text)
            located = jsonpos.locate(text)
        except (json.JSONDecodeError, RecursionError):
            data, located = {}, []  # YAML: cfn-guard reads it; lines are not known here
        found.append(_Template(f"templates/{path.name}", path.resolve(), data, located))
    if not found:
        raise UsageError(f"{folder}: no templates")
    return found


def _run(guard: Path, rule_set: RuleSet, templates: list[_Template], params: Path | None) -> Any:
    argv = [str(guard), "validate"]
    for f in rule_set.files:
        argv += ["--rules", str(f.path)]
    for t in templates:
        argv += ["--data", str(t.path)]
    if params is not None:
        argv += ["--input-params", str(params)]
    argv += ["--output-format", "json", "--structured", "--show-summary", "none"]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    if run.returncode not in (0, 19):  # 19: some rule failed
        raise GuardFailed(
            f"cfn-guard failed on rule set {rule_set.name} (exit {run.returncode}): "
            f"{run.stderr.strip() or run.stdout.strip()}"
        )
    try:
        return json.loads(run.stdout)
    except json.JSONDecodeError:
        raise GuardFailed(f"cfn-guard printed no JSON for rule set {rule_set.name}") from None


def _checks(node: Any) -> Iterator[tuple[str | None, str]]:
    """(data path, message) of every leaf clause of a non-compliant rule."""
    if isinstance(node, dict):
        if "check" in node and isinstance(node.get("messages"), dict):
            messages = node["messages"]
            yield _first_path(node["check"]), _message(messages)
            return
        for value in node.values():
            yield from _checks(value)
    elif isinstance(node, list):
        for value in node:
            yield from _checks(value)


def _message(messages: dict[str, Any]) -> str:
    """The rule's own message, else cfn-guard's, without its dump of the value."""
    text = str(messages.get("custom_message") or messages.get("error_message") or "")
    text = text.split(" Value traversed to ")[0].split(" Value=")[0]
    text = " ".join(_LOCATION.sub("", text).split()).strip("; ")
    return text.replace(".;", ".").replace("; Fix:", " Fix:")


def _first_path(node: Any) -> str | None:
    if isinstance(node, dict):
        for key in ("traversed_to", "from", "value", "to"):
            if key in node:
                found = _first_path(node[key])
                if found:
                    return found
        path = node.get("path")
        if isinstance(path, str) and path.startswith("/Resources/"):
            return path
        for value in node.values():
            found = _first_path(value)
            if found:
                return found
    elif isinstance(node, list):
        for value in node:
            found = _first_path(value)
            if found:
                return found
    return None


def _locate(t: _Template, pointer: str | None) -> tuple[int | None, str]:
    if not pointer:
        return None, ""
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in pointer.strip("/").split("/")]
    dotted = ".".join(map(str, parts))
    while parts:
        line = jsonpos.line_of(t.located, tuple(parts))
        if line is not None:
            return line, dotted
        parts.pop()
    return None, dotted


def _suppressed(templates: list[_Template]) -> tuple[set[str], set[str]]:
    """Guard rule names and cfn_nag ids suppressed on some resource of the package."""
    names: set[str] = set()
    ids: set[str] = set()
    for t in templates:
        resources = t.data.get("Resources") if isinstance(t.data, dict) else None
        for res in (resources or {}).values():
            meta = res.get("Metadata") if isinstance(res, dict) else None
            if not isinstance(meta, dict):
                continue
            guard = meta.get("guard")
            if isinstance(guard, dict) and isinstance(guard.get("SuppressedRules"), list):
                names.update(str(n) for n in guard["SuppressedRules"])
            nag = meta.get("cfn_nag")
            rules = nag.get("rules_to_suppress") if isinstance(nag, dict) else None
            for r in rules if isinstance(rules, list) else []:
                if isinstance(r, dict) and r.get("id"):
                    ids.add(str(r["id"]))
    return names, ids


def _evaluate(
    rule_set: RuleSet,
    results: Any,
    templates: list[_Template],
    failures: dict[tuple[str, str, str], tuple[int | None, str, list[str]]],
) -> Summary:
    by_path = {str(t.path): t for t in templates}
    compliant: set[str] = set()
    failed: set[str] = set()
    for entry in results if isinstance(results, list) else []:
        t = by_path.get(str(entry.get("name")))
        if t is None:
            continue
        compliant.update(str(r) for r in entry.get("compliant") or [])
        for item in entry.get("not_compliant") or []:
            rule = item.get("Rule", {}) if isinstance(item, dict) else {}
            name = str(rule.get("name", "?"))
            failed.add(name)
            for pointer, message in list(_checks(rule)) or [(None, "")]:
                line, dotted = _locate(t, pointer)
                key = (t.rel, name, dotted)
                if key not in failures:
                    failures[key] = (line, message or f"rule {name} failed", [])
                if rule_set.name not in failures[key][2]:
                    failures[key][2].append(rule_set.name)
    names, ids = _suppressed(templates)
    statuses: dict[str, str] = {}
    for f in rule_set.files:
        for rule in f.rules:
            if rule in failed:
                status = "failed"
            elif rule in names or set(f.cfn_nag_ids) & ids:
                status = "suppressed"
            elif rule in compliant:
                status = "passed"
            else:
                status = "not applicable"
            statuses[rule] = status
    return Summary(rule_set.name, rule_set.title, dict(sorted(statuses.items())), rule_set.missing)


def default_registry() -> Path | None:
    """../shared/compliance-guard-rules/aws-guard-rules-registry, where it exists."""
    return DEFAULT_REGISTRY if (DEFAULT_REGISTRY / "mappings").is_dir() else None


def registry_required() -> str:
    """The error of `--require-registry` where no registry was given or found."""
    return (
        f"the AWS Guard rules registry is required (--require-registry) but was not found at "
        f"{DEFAULT_REGISTRY}: pass --registry PATH, a checkout of {REGISTRY_URL} (without it "
        "the cfn_nag and CIS AWS Foundations rule sets, the stand-in for CfCT's cfn_nag, "
        "would not run)"
    )


def run_guard(
    package: Path,
    settings: Settings,
    registry: Path | None = None,
    *,
    require_registry: bool = False,
) -> GuardReport:
    """Run the own rules, and the registry's rule sets when `registry` is given, over
    package/templates. Without a registry the registry's sets are skipped with a note, or,
    with `require_registry`, nothing runs and a UsageError says so."""
    if registry is None and require_registry:
        raise UsageError(registry_required())
    guard = binary.locate()
    report = GuardReport(binary.version(guard), [])
    templates = _templates(package)
    report.templates = [t.rel for t in templates]
    sets: list[RuleSet] = [own_rule_set()]
    if registry is None:
        report.notes.append(
            f"AWS Guard rules registry not found (looked for {DEFAULT_REGISTRY}): the cfn_nag "
            "and CIS AWS Foundations rule sets were skipped (pass --registry PATH)"
        )
    elif not (registry / "mappings").is_dir():
        raise UsageError(f"{registry}: not the AWS Guard rules registry (no mappings/ folder)")
    else:
        sets += registry_rule_sets(registry)
    failures: dict[tuple[str, str, str], tuple[int | None, str, list[str]]] = {}
    with tempfile.TemporaryDirectory(prefix="cfct-build-guard-") as tmp:
        params = Path(tmp) / PARAMS_FILE
        params.write_text(parameters_json(settings), encoding="utf-8")
        for rule_set in sets:
            results = _run(guard, rule_set, templates, params if rule_set.name == OWN else None)
            report.summaries.append(_evaluate(rule_set, results, templates, failures))
    for (rel, rule, dotted), (line, message, set_names) in sorted(failures.items()):
        report.findings.append(
            Finding(
                rel, line, f"GUARD-{rule}", "error", dotted, f"{message} [{', '.join(set_names)}]"
            )
        )
    own = report.summaries[0]
    for rule, status in own.rules.items():
        if status == "not applicable":
            report.findings.append(
                Finding(
                    "",
                    None,
                    f"GUARD-{rule}",
                    "error",
                    "",
                    "applies to no resource of the package: the resources this invariant "
                    "protects are missing or renamed",
                )
            )
    report.findings.sort(key=lambda f: (f.file, f.line or 0, f.id, f.path))
    return report


def export_rules(settings: Settings, target: Path) -> list[Path]:
    """Write the own rule files and their parameters file (from the settings) into target."""
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for f in sorted(OWN_RULES.glob("*.guard")):
        (target / f.name).write_bytes(f.read_bytes())
        written.append(target / f.name)
    (target / PARAMS_FILE).write_text(parameters_json(settings), encoding="utf-8")
    written.append(target / PARAMS_FILE)
    return written


def render(report: GuardReport, fmt: str = "text") -> str:
    if fmt == "json":
        doc = {
            "cfn_guard": report.cfn_guard,
            "templates": report.templates,
            "findings": [f.to_dict() for f in report.findings],
            "rule_sets": [
                {
                    "name": s.rule_set,
                    "title": s.title,
                    **{k.replace(" ", "_"): s.count(k) for k in STATUSES},
                    "rules": s.rules,
                    "missing_rule_files": list(s.missing),
                }
                for s in report.summaries
            ],
            "notes": report.notes,
        }
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"
    lines = [str(f) for f in report.findings]
    width = max([len(s.rule_set) for s in report.summaries] + [8])
    lines.append(
        f"cfn-guard {report.cfn_guard} over {len(report.templates)} templates "
        "(rules: passed / failed / suppressed / not applicable)"
    )
    for s in report.summaries:
        counts = " / ".join(str(s.count(k)) for k in STATUSES)
        extra = (
            f"; {len(s.missing)} mapped rule files not in the registry copy" if s.missing else ""
        )
        lines.append(f"  {s.rule_set:<{width}}  {len(s.rules):>3} rules: {counts}{extra}")
    lines += [f"note: {n}" for n in report.notes]
    lines.append("guard: " + ("ok" if report.ok else f"{len(report.findings)} failures"))
    return "\n".join(lines) + "\n"
