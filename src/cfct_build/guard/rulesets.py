"""The rule sets `cfct-build guard` runs: the project's own rules and the registry's.

- `cfct-build`: the package's invariants (`cfct_build/data/guard-rules/*.guard`), with an input
  parameters file generated from the settings (`parameters`).
- From the AWS Guard rules registry (reference data, read where it lies, never copied): the
  rule sets `mappings/rule_set_cfn_nag.json` (the cfn_nag equivalent: CfCT's build stage runs
  cfn_nag) and the CIS AWS Foundations Benchmark Level 1 and Level 2 sets. A mapping may name
  rule files the registry copy does not hold; they are counted as missing, not run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfct_build import naming
from cfct_build.components import trail
from cfct_build.config import Settings

OWN = "cfct-build"
OWN_RULES = Path(__file__).resolve().parent.parent / "data" / "guard-rules"
PARAMS_KEY = "CfctBuild"
PARAMS_FILE = "cfct-build-guard-params.json"
DEFAULT_REGISTRY = Path("../shared/compliance-guard-rules/aws-guard-rules-registry")
REGISTRY_URL = "https://github.com/aws-cloudformation/aws-guard-rules-registry"
REGISTRY_SETS = (
    ("cfn_nag", "rule_set_cfn_nag.json"),
    ("cis-level-1", "rule_set_cis_aws_benchmark_level_1.json"),
    ("cis-level-2", "rule_set_cis_aws_benchmark_level_2.json"),
)
_RULE = re.compile(r"^\s*rule\s+([A-Za-z0-9_]+)", re.MULTILINE)
_NAG_ID = re.compile(r"rules_to_suppress\.\*\.id\s*[!=]=\s*\"(\w+)\"")


@dataclass(frozen=True)
class RuleFile:
    path: Path
    rules: tuple[str, ...]  # rule names it declares
    cfn_nag_ids: tuple[str, ...]  # cfn_nag ids whose suppression it honours


@dataclass(frozen=True)
class RuleSet:
    name: str  # "cfct-build", "cfn_nag", "cis-level-1", "cis-level-2"
    title: str
    files: tuple[RuleFile, ...]
    missing: tuple[str, ...] = ()  # mapped rule files absent from the registry copy

    @property
    def rules(self) -> list[str]:
        return sorted({r for f in self.files for r in f.rules})


def rule_file(path: Path) -> RuleFile:
    text = path.read_text(encoding="utf-8")
    return RuleFile(
        path,
        tuple(dict.fromkeys(_RULE.findall(text))),
        tuple(sorted(set(_NAG_ID.findall(text)))),
    )


def own_rule_set() -> RuleSet:
    files = tuple(rule_file(p) for p in sorted(OWN_RULES.glob("*.guard")))
    return RuleSet(OWN, "cfct-build's own invariants", files)


def registry_rule_sets(registry: Path) -> list[RuleSet]:
    """The registry's cfn_nag and CIS Level 1/2 rule sets (mapping files under mappings/)."""
    sets: list[RuleSet] = []
    for name, mapping_file in REGISTRY_SETS:
        mapping: dict[str, Any] = json.loads(
            (registry / "mappings" / mapping_file).read_text(encoding="utf-8")
        )
        paths = list(dict.fromkeys(str(m["guardFilePath"]) for m in mapping["mappings"]))
        present = [p for p in paths if (registry / p).is_file()]
        sets.append(
            RuleSet(
                name,
                str(mapping.get("description") or mapping.get("ruleSetName") or name),
                tuple(rule_file(registry / p) for p in present),
                tuple(p for p in paths if p not in present),
            )
        )
    return sets


def parameters(s: Settings) -> dict[str, Any]:
    """The own rules' input parameters, from the settings (`cfn-guard validate -i`)."""
    archives = [naming.archive_bucket(s)]
    if s.bucket.replica_region:
        archives.append(naming.replica_bucket(s))
    lock = s.bucket.object_lock
    return {
        PARAMS_KEY: {
            "ArchiveBuckets": archives,
            "RetentionDays": lock.retention_days,
            "RetentionModes": ["COMPLIANCE"]
            if lock.mode == "COMPLIANCE"
            else ["GOVERNANCE", "COMPLIANCE"],
            "ExcludedArnPrefixes": [
                {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{b}/"} for b in trail.excluded_buckets(s)
            ],
            "MaxRotationPeriodDays": s.key.rotation_period_days,
        }
    }


def parameters_json(s: Settings) -> str:
    return json.dumps(parameters(s), indent=2, sort_keys=True) + "\n"
