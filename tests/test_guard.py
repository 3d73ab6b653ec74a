"""cfct-build guard: cfn-guard 3.x with the project's own rules and the registry's rule sets.

The own rules always run (cfn-guard comes from the pinned wheel); the registry's cfn_nag and
CIS sets need ../shared (`shared_dir`, skipped where it is absent).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cfct_build import cli
from cfct_build.components import _suppressions
from cfct_build.components._common import GUARD_RULE_FOR_CFN_NAG, Suppression, suppress
from cfct_build.config import Settings, load_settings, parse_settings
from cfct_build.guard import PARAMS_FILE, binary, export_rules, render, run_guard
from cfct_build.guard.rulesets import parameters, parameters_json, registry_rule_sets
from cfct_build.package import build_package, write_package
from cfct_build.validate import validate_files

REPO = Path(__file__).resolve().parent.parent
MINIMAL = REPO / "tests" / "fixtures" / "settings" / "minimal.yaml"
OWN_RULES = {
    "CFCT_ARCHIVE_OBJECT_LOCK": "passed",
    "CFCT_ARCHIVE_RETENTION": "passed",
    "CFCT_BUCKET_TLS_ONLY": "passed",
    "CFCT_KEY_ROTATION": "passed",
    "CFCT_TRAIL_EXCLUDES_LOG_BUCKETS": "passed",
}
NO_REGISTRY = (
    "AWS Guard rules registry not found (looked for "
    "../shared/compliance-guard-rules/aws-guard-rules-registry): the cfn_nag and CIS AWS "
    "Foundations rule sets were skipped (pass --registry PATH)"
)


@pytest.fixture(scope="session")
def registry(shared_dir: Path) -> Path:
    return shared_dir / "compliance-guard-rules" / "aws-guard-rules-registry"


def _write(settings: Settings, out: Path) -> Path:
    write_package(build_package(settings), out)
    return out


def _mutate(pkg: Path, rel: str, change: Callable[[dict[str, Any]], None]) -> None:
    doc = json.loads((pkg / rel).read_text())
    change(doc)
    (pkg / rel).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")


def _failures(pkg: Path, settings: Settings) -> list[tuple[str, str, str, str]]:
    report = run_guard(pkg, settings)
    return [(f.file, f.id, f.path, f.message) for f in report.findings]


# --------------------------------------------------------------------------- committed package


def test_own_rules_pass_on_the_committed_package(settings: Settings) -> None:
    report = run_guard(REPO, settings)
    assert report.findings == []
    assert [(s.rule_set, s.rules) for s in report.summaries] == [("cfct-build", OWN_RULES)]
    assert report.notes == [NO_REGISTRY]
    assert report.cfn_guard == "3.1.1"


def test_registry_rule_sets_are_clean_on_the_committed_package(
    settings: Settings, registry: Path
) -> None:
    """Every failing registry rule is fixed or suppressed with a reason (reported counts)."""
    report = run_guard(REPO, settings, registry)
    assert report.findings == []
    counts = {
        s.rule_set: tuple(s.count(k) for k in ("passed", "failed", "suppressed", "not applicable"))
        for s in report.summaries
    }
    assert counts == {
        "cfct-build": (5, 0, 0, 0),
        "cfn_nag": (23, 0, 7, 6),
        "cis-level-1": (5, 0, 2, 2),
        "cis-level-2": (8, 0, 5, 2),
    }
    suppressed = {
        s.rule_set: sorted(r for r, v in s.rules.items() if v == "suppressed")
        for s in report.summaries
    }
    assert suppressed == {
        "cfct-build": [],
        "cfn_nag": [
            "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
            "IAM_NO_INLINE_POLICY_CHECK",
            "KMS_NO_WILDCARD_PRINCIPAL",
            "S3_BUCKET_LOGGING_ENABLED",
            "S3_BUCKET_NO_PUBLIC_RW_ACL",
            "S3_BUCKET_POLICY_NO_WILDCARD_PRINCIPAL",
            "SNS_ENCRYPTED_KMS",
        ],
        "cis-level-1": ["IAM_NO_INLINE_POLICY_CHECK", "S3_BUCKET_LOGGING_ENABLED"],
        "cis-level-2": [
            "CLOUDTRAIL_S3_DATAEVENTS_ENABLED",
            "CLOUD_TRAIL_ENCRYPTION_ENABLED",
            "IAM_NO_INLINE_POLICY_CHECK",
            "S3_BUCKET_LOGGING_ENABLED",
            "S3_BUCKET_SSL_REQUESTS_ONLY",
        ],
    }
    assert report.notes == []


README = REPO / "README.md"
STALE = "README.md's Guard block is stale: paste the output of `{}` (run in the repo root) into it"


def test_readme_guard_output_is_a_live_run(settings: Settings, registry: Path) -> None:
    """README's local `cfct-build guard` block is what the committed package gives today."""
    expected = render(run_guard(REPO, settings, registry))
    assert f"```text\n$ cfct-build guard\n{expected}```" in README.read_text(encoding="utf-8"), (
        STALE.format("cfct-build guard") + f":\n{expected}"
    )


def test_readme_ci_guard_output_is_a_live_run(settings: Settings) -> None:
    """README's CodeBuild block: the whole registry at the buildspec's pinned commit. Runs where
    GUARD_REGISTRY is such a checkout (the buildspec exports it to `python3 dev.py test`)."""
    pinned = yaml.safe_load((REPO / "buildspec.yml").read_text())["env"]["variables"][
        "GUARD_REGISTRY_COMMIT"
    ]
    where = os.environ.get("GUARD_REGISTRY", "")
    if not where:
        pytest.skip("GUARD_REGISTRY not set (CodeBuild's install phase sets it to its clone)")
    head = subprocess.run(
        ["git", "-C", where, "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if head != pinned:
        pytest.skip(f"GUARD_REGISTRY={where} is at {head or 'no commit'}, not {pinned}")
    expected = render(run_guard(REPO, settings, Path(where), require_registry=True))
    command = 'cfct-build guard --registry "$GUARD_REGISTRY" --require-registry'
    assert f"```text\n$ {command}\n{expected}```" in README.read_text(encoding="utf-8"), (
        STALE.format(command) + f":\n{expected}"
    )


def test_readme_names_every_suppressed_cfn_nag_id() -> None:
    """README's Suppressions paragraph names exactly the cfn_nag ids the package suppresses."""
    suppressed = set()
    for path in (REPO / "templates").glob("*.template"):
        for res in json.loads(path.read_text())["Resources"].values():
            nag = res.get("Metadata", {}).get("cfn_nag", {})
            suppressed |= {r["id"] for r in nag.get("rules_to_suppress", [])}
    text = README.read_text(encoding="utf-8")
    paragraph = text[text.index("**Suppressions.**") : text.index("**In your own pipeline.**")]
    assert sorted(set(re.findall(r"\b[FW]\d+\b", paragraph))) == sorted(suppressed)
    assert sorted(suppressed) == ["F10", "F14", "F16", "F76", "W28", "W35", "W47", "W84"]


def test_minimal_settings_package_is_clean(registry: Path, tmp_path: Path) -> None:
    minimal = load_settings(MINIMAL)
    report = run_guard(_write(minimal, tmp_path), minimal, registry)
    assert report.findings == []


def test_registry_mapping_paths_missing_from_the_copy_are_counted(registry: Path) -> None:
    sets = {s.name: s for s in registry_rule_sets(registry)}
    assert sorted(sets) == ["cfn_nag", "cis-level-1", "cis-level-2"]
    assert sets["cis-level-1"].missing == (
        "rules/aws/amazon_ec2/encrypted_volumes.guard",
        "rules/aws/amazon_rds/rds_storage_encrypted.guard",
        "rules/aws/amazon_ec2/restricted_ssh.guard",
        "rules/aws/amazon_ec2/restricted_common_ports.guard",
    )


def test_cfn_nag_to_guard_table_agrees_with_the_registry(registry: Path) -> None:
    """Each (cfn_nag id, Guard rule) pair the generator writes is the registry's own."""
    mapping = json.loads((registry / "mappings" / "rule_set_cfn_nag.json").read_text())
    from cfct_build.guard.rulesets import rule_file

    found: dict[str, str] = {}
    for m in mapping["mappings"]:
        path = registry / m["guardFilePath"]
        if path.is_file() and len(rule_file(path).rules) == 1:
            for control in m["controls"]:
                found[control] = rule_file(path).rules[0]
    assert {k: v for k, v in GUARD_RULE_FOR_CFN_NAG.items() if k != "W28"} == found


# --------------------------------------------------------------------------- own rules bite


def _drop_archive_exclusion(doc: dict[str, Any]) -> None:
    fields = doc["Resources"]["OrganizationTrail"]["Properties"]["AdvancedEventSelectors"][0]
    fields["FieldSelectors"][3]["NotStartsWith"].pop(0)


def _no_tls_statement(doc: dict[str, Any]) -> None:
    statements = doc["Resources"]["AccessLogBucketPolicy"]["Properties"]["PolicyDocument"]
    statements["Statement"].pop(0)


LOCK = "Resources.ArchiveBucket.Properties.ObjectLockConfiguration"
MUTATIONS: dict[str, tuple[str, Callable[[dict[str, Any]], None], list[tuple[str, str]]]] = {
    "retention-shortened": (
        "templates/log-archive-bucket.template",
        lambda d: d["Resources"]["ArchiveBucket"]["Properties"]["ObjectLockConfiguration"]["Rule"][
            "DefaultRetention"
        ].update(Days=30),
        [
            (
                "GUARD-CFCT_ARCHIVE_RETENTION",
                f"{LOCK}.Rule.DefaultRetention.Days",
            )
        ],
    ),
    "object-lock-off": (
        "templates/log-archive-bucket.template",
        lambda d: d["Resources"]["ArchiveBucket"]["Properties"].pop("ObjectLockEnabled"),
        [("GUARD-CFCT_ARCHIVE_OBJECT_LOCK", "Resources.ArchiveBucket.Properties")],
    ),
    "selector-logs-the-archive": (
        "templates/org-trail.template",
        _drop_archive_exclusion,
        [
            (
                "GUARD-CFCT_TRAIL_EXCLUDES_LOG_BUCKETS",
                "Resources.OrganizationTrail.Properties.AdvancedEventSelectors.0.FieldSelectors.3"
                ".NotStartsWith.0",
            )
        ],
    ),
    "rotation-off": (
        "templates/log-archive-key.template",
        lambda d: d["Resources"]["LogArchiveKey"]["Properties"].update(EnableKeyRotation=False),
        [
            (
                "GUARD-CFCT_KEY_ROTATION",
                "Resources.LogArchiveKey.Properties.EnableKeyRotation",
            )
        ],
    ),
    "plain-http-allowed": (
        "templates/log-archive-bucket.template",
        _no_tls_statement,
        [("GUARD-CFCT_BUCKET_TLS_ONLY", "Resources.AccessLogBucketPolicy.Properties.Bucket.Ref")],
    ),
    "bucket-without-policy": (
        "templates/log-archive-bucket.template",
        lambda d: d["Resources"].pop("AccessLogBucketPolicy"),
        # cfn-guard names the policy list the bucket was looked for in (the message says which)
        [("GUARD-CFCT_BUCKET_TLS_ONLY", "Resources.ArchiveBucketPolicy.Properties.Bucket.Ref")],
    ),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_own_rule_fails_on_a_broken_template(name: str, settings: Settings, tmp_path: Path) -> None:
    rel, change, expected = MUTATIONS[name]
    pkg = _write(settings, tmp_path)
    _mutate(pkg, rel, change)
    assert [(i, p) for f, i, p, _ in _failures(pkg, settings)] == expected
    assert {f for f, *_ in _failures(pkg, settings)} == {rel}


def test_retention_is_checked_against_the_settings(settings: Settings, tmp_path: Path) -> None:
    """The package was built for 365 days; settings asking 400 make the same package fail."""
    pkg = _write(settings, tmp_path)
    text = (
        (REPO / "cfct-build.yaml").read_text().replace("retention_days: 365", "retention_days: 400")
    )
    longer = parse_settings(text, "cfct-build.yaml")
    assert _failures(pkg, longer) == [
        (
            "templates/log-archive-bucket.template",
            "GUARD-CFCT_ARCHIVE_RETENTION",
            f"{LOCK}.Rule.DefaultRetention.Days",
            "Violation: the archive's default Object Lock retention is not given in Days, or is "
            "shorter than the settings' bucket.object_lock.retention_days. Fix: set "
            "DefaultRetention.Days to at least the settings' retention. [cfct-build]",
        ),
        (
            "templates/log-archive-replica.template",
            "GUARD-CFCT_ARCHIVE_RETENTION",
            "Resources.ReplicaBucket.Properties.ObjectLockConfiguration.Rule.DefaultRetention.Days",
            "Violation: the archive's default Object Lock retention is not given in Days, or is "
            "shorter than the settings' bucket.object_lock.retention_days. Fix: set "
            "DefaultRetention.Days to at least the settings' retention. [cfct-build]",
        ),
    ]


def test_missing_archive_bucket_is_a_failure(settings: Settings, tmp_path: Path) -> None:
    pkg = _write(settings, tmp_path)
    for rel, res in (
        ("templates/log-archive-bucket.template", "ArchiveBucket"),
        ("templates/log-archive-replica.template", "ReplicaBucket"),
    ):
        _mutate(pkg, rel, lambda d, r=res: d["Resources"][r]["Properties"].update(BucketName="x"))
    message = (
        "applies to no resource of the package: the resources this invariant protects are "
        "missing or renamed"
    )
    assert _failures(pkg, settings) == [
        ("", "GUARD-CFCT_ARCHIVE_OBJECT_LOCK", "", message),
        ("", "GUARD-CFCT_ARCHIVE_RETENTION", "", message),
    ]


# --------------------------------------------------------------------------- parameters, export


def test_parameters_come_from_the_settings(settings: Settings) -> None:
    def prefix(bucket: str) -> dict[str, str]:
        return {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{bucket}/"}

    assert parameters(settings) == {
        "CfctBuild": {
            "ArchiveBuckets": [
                "cfct-build-cloudtrail-222222222222-us-east-1",
                "cfct-build-cloudtrail-replica-222222222222-us-west-2",
            ],
            "RetentionDays": 365,
            "RetentionModes": ["GOVERNANCE", "COMPLIANCE"],
            "ExcludedArnPrefixes": [
                prefix("cfct-build-cloudtrail-222222222222-us-east-1"),
                prefix("cfct-build-cloudtrail-access-logs-222222222222-us-east-1"),
                prefix("cfct-build-cloudtrail-replica-222222222222-us-west-2"),
                prefix("aws-controltower-logs-222222222222-us-east-1"),
                prefix("aws-controltower-s3-access-logs-222222222222-us-east-1"),
            ],
            "MaxRotationPeriodDays": 365,
        }
    }


def test_export_writes_the_rules_and_parameters(settings: Settings, tmp_path: Path) -> None:
    out = io.StringIO()
    assert cli.main(["guard", "--export", str(tmp_path / "rules")], out=out) == 0
    names = sorted(p.name for p in (tmp_path / "rules").iterdir())
    assert names == [
        PARAMS_FILE,
        "key_rotation.guard",
        "object_lock.guard",
        "tls_only.guard",
        "trail_selectors.guard",
    ]
    assert (tmp_path / "rules" / PARAMS_FILE).read_text() == parameters_json(settings)
    rules = tmp_path / "rules"
    assert out.getvalue().splitlines()[-1] == (
        f"Run: cfn-guard validate --rules {rules} --input-params {rules / PARAMS_FILE} "
        "--data templates"
    )
    assert export_rules(settings, tmp_path / "again") == [
        tmp_path / "again" / n for n in [*names[1:], names[0]]
    ]


# --------------------------------------------------------------------------- CLI


def test_cli_exit_codes_and_report(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = _write(settings, tmp_path / "pkg")
    out = io.StringIO()
    assert cli.main(["guard", str(pkg), "--registry", str(tmp_path / "nope")], err=out) == 2
    assert out.getvalue() == (
        "cfct-build guard: error:\n"
        f"{tmp_path / 'nope'}: not the AWS Guard rules registry (no mappings/ folder)\n"
    )
    _mutate(
        pkg,
        "templates/log-archive-key.template",
        lambda d: d["Resources"]["LogArchiveKey"]["Properties"].update(EnableKeyRotation=False),
    )
    out = io.StringIO()
    monkeypatch.chdir(tmp_path)  # no ../shared from here: the registry part is skipped
    code = cli.main(["guard", "pkg", "--settings", str(REPO / "cfct-build.yaml")], out=out)
    line = out.getvalue().splitlines()[0]
    assert code == 1
    assert line.startswith("templates/log-archive-key.template:") and line.endswith(
        " error GUARD-CFCT_KEY_ROTATION: Resources.LogArchiveKey.Properties.EnableKeyRotation: "
        "Violation: a KMS key of the log archive does not rotate. Fix: set EnableKeyRotation to "
        "true. [cfct-build]"
    )
    assert out.getvalue().splitlines()[1:] == [
        "cfn-guard 3.1.1 over 7 templates (rules: passed / failed / suppressed / not applicable)",
        "  cfct-build    5 rules: 4 / 1 / 0 / 0",
        f"note: {NO_REGISTRY}",
        "guard: 1 failures",
    ]


REGISTRY_REQUIRED = (
    "cfct-build guard: error:\n"
    "the AWS Guard rules registry is required (--require-registry) but was not found at "
    "../shared/compliance-guard-rules/aws-guard-rules-registry: pass --registry PATH, a checkout "
    "of https://github.com/aws-cloudformation/aws-guard-rules-registry (without it the cfn_nag "
    "and CIS AWS Foundations rule sets, the stand-in for CfCT's cfn_nag, would not run)\n"
)


def test_require_registry_without_one_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI asks for the registry: its absence fails before cfn-guard runs, not with a note."""
    monkeypatch.chdir(tmp_path)  # no ../shared from here
    out, err = io.StringIO(), io.StringIO()
    argv = ["guard", str(REPO), "--settings", str(REPO / "cfct-build.yaml"), "--require-registry"]
    assert cli.main(argv, out=out, err=err) == 2
    assert (out.getvalue(), err.getvalue()) == ("", REGISTRY_REQUIRED)
    # without the flag the same run skips the registry's rule sets with a note and passes
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(argv[:-1], out=out, err=err) == 0
    assert out.getvalue().splitlines()[-2:] == [f"note: {NO_REGISTRY}", "guard: ok"]
    assert err.getvalue() == ""


def test_require_registry_runs_the_registry_sets_where_given(
    settings: Settings, registry: Path
) -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["guard", str(REPO), "--settings", str(REPO / "cfct-build.yaml")]
    argv += ["--registry", str(registry), "--require-registry"]
    assert cli.main(argv, out=out, err=err) == 0
    assert out.getvalue() == render(run_guard(REPO, settings, registry))
    assert [line.split()[0] for line in out.getvalue().splitlines()[1:-1]] == [
        "cfct-build",
        "cfn_nag",
        "cis-level-1",
        "cis-level-2",
    ]
    assert err.getvalue() == ""


def test_cli_json(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(settings, tmp_path / "pkg")
    out = io.StringIO()
    monkeypatch.chdir(tmp_path)
    code = cli.main(
        ["guard", "pkg", "-f", "json", "--settings", str(REPO / "cfct-build.yaml")], out=out
    )
    assert code == 0
    doc = json.loads(out.getvalue())
    assert doc["findings"] == []
    assert doc["rule_sets"] == [
        {
            "name": "cfct-build",
            "title": "cfct-build's own invariants",
            "passed": 5,
            "failed": 0,
            "suppressed": 0,
            "not_applicable": 0,
            "rules": OWN_RULES,
            "missing_rule_files": [],
        }
    ]
    assert doc["templates"] == [
        "templates/account-baseline.template",
        "templates/log-archive-bucket.template",
        "templates/log-archive-key.template",
        "templates/log-archive-query.template",
        "templates/log-archive-replica.template",
        "templates/org-trail.template",
        "templates/tamper-alerts.template",
    ]


def test_text_report_without_findings(settings: Settings) -> None:
    assert render(run_guard(REPO, settings)).splitlines()[-1] == "guard: ok"


# --------------------------------------------------------------------------- the binary


def test_binary_override_must_exist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(binary.ENV_BINARY, str(tmp_path / "cfn-guard"))
    with pytest.raises(binary.GuardUnavailable) as exc:
        binary.locate()
    assert str(exc.value) == f"{binary.ENV_BINARY}={tmp_path / 'cfn-guard'}: no such file"


def test_binary_must_be_version_3(tmp_path: Path) -> None:
    fake = tmp_path / "cfn-guard"
    fake.write_text("#!/bin/sh\necho cfn-guard 2.1.4\n")
    fake.chmod(0o755)
    with pytest.raises(binary.GuardUnavailable) as exc:
        binary.version(fake)
    assert str(exc.value) == f"{fake} is cfn-guard 2.1.4; expected 3.x"


def test_binary_comes_from_the_pinned_wheel() -> None:
    path = binary.locate()
    assert (path.parent.name, binary.version(path)) == ("cfn-guard-0.0.62", "3.1.1")


# --------------------------------------------------------------------------- suppressions


def _meta(res_type: str, props: dict[str, Any]) -> Any:
    from troposphere import Template

    t = Template()
    t.add_resource(_Raw("R", res_type, props))
    _suppressions.annotate(t)
    return getattr(t.resources["R"], "Metadata", None)


class _Raw:
    """A minimal troposphere-like resource: to_dict and a settable Metadata."""

    def __init__(self, title: str, res_type: str, props: dict[str, Any]) -> None:
        self.title = title
        self.resource_type = res_type
        self.props = props

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Type": self.resource_type, "Properties": self.props}
        if hasattr(self, "Metadata"):
            out["Metadata"] = self.Metadata
        return out


def _guard_rules(metadata: Any) -> list[str]:
    return [] if metadata is None else metadata["guard"]["SuppressedRules"]


ENFORCED = {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}
TLS_DENY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": ["s3:*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    "Sid": "DenyInsecureTransport",
}


@pytest.mark.parametrize(
    ("res_type", "props", "expected"),
    [
        ("AWS::S3::Bucket", ENFORCED, ["S3_BUCKET_NO_PUBLIC_RW_ACL"]),
        ("AWS::S3::Bucket", {}, []),
        ("AWS::S3::Bucket", {**ENFORCED, "AccessControl": "Private"}, []),
        (
            "AWS::S3::BucketPolicy",
            {"PolicyDocument": {"Statement": [TLS_DENY]}},
            ["S3_BUCKET_SSL_REQUESTS_ONLY"],
        ),
        ("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": []}}, []),
        (
            "AWS::IAM::Role",
            {
                "AssumeRolePolicyDocument": {
                    "Statement": [{"Principal": {"Service": ["s3.amazonaws.com"]}}]
                },
                "Policies": [{"PolicyName": "p"}],
            },
            ["IAM_NO_INLINE_POLICY_CHECK"],
        ),
        (
            "AWS::IAM::Role",
            {
                "AssumeRolePolicyDocument": {
                    "Statement": [{"Principal": {"AWS": "arn:aws:iam::111111111111:root"}}]
                },
                "Policies": [{"PolicyName": "p"}],
            },
            [],
        ),
        (
            "AWS::CloudTrail::Trail",
            {"EventSelectors": [{"ReadWriteType": "All"}]},
            ["CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED"],
        ),
    ],
)
def test_annotate_suppresses_only_where_the_fact_holds(
    res_type: str, props: dict[str, Any], expected: list[str]
) -> None:
    assert _guard_rules(_meta(res_type, props)) == expected


def test_annotate_writes_both_forms_with_one_reason() -> None:
    metadata = _meta("AWS::S3::Bucket", ENFORCED)
    reason = metadata["cfn_nag"]["rules_to_suppress"][0]["reason"]
    assert metadata == {
        "cfn_nag": {"rules_to_suppress": [{"id": "F14", "reason": reason}]},
        "guard": {
            "SuppressedRules": ["S3_BUCKET_NO_PUBLIC_RW_ACL"],
            "Reasons": {"S3_BUCKET_NO_PUBLIC_RW_ACL": reason},
        },
    }
    assert reason.startswith(
        "ACLs are disabled on this bucket (ObjectOwnership BucketOwnerEnforced)"
    )


def test_suppress_joins_reasons_of_one_guard_rule() -> None:
    assert suppress(
        Suppression("IAM_POLICYDOCUMENT_NO_WILDCARD_RESOURCE", "W11", "One."),
        Suppression("IAM_POLICYDOCUMENT_NO_WILDCARD_RESOURCE", "W12", "Two."),
        Suppression("S3_BUCKET_SSL_REQUESTS_ONLY", None, "Three."),
    ) == {
        "cfn_nag": {
            "rules_to_suppress": [{"id": "W11", "reason": "One."}, {"id": "W12", "reason": "Two."}]
        },
        "guard": {
            "SuppressedRules": [
                "IAM_POLICYDOCUMENT_NO_WILDCARD_RESOURCE",
                "S3_BUCKET_SSL_REQUESTS_ONLY",
            ],
            "Reasons": {
                "IAM_POLICYDOCUMENT_NO_WILDCARD_RESOURCE": "One. Two.",
                "S3_BUCKET_SSL_REQUESTS_ONLY": "Three.",
            },
        },
    }


def test_validate_lists_every_suppression_of_the_generated_package(settings: Settings) -> None:
    """Each suppression of the generated package, in both forms, as an info with its reason."""
    found = [
        (f.file, f.severity, f.path, f.message.split(":")[0])
        for f in validate_files(build_package(settings).as_bytes(), lint=False)
        if f.id == "CFCT-T004"
    ]
    bucket, replica, trail = (
        "templates/log-archive-bucket.template",
        "templates/log-archive-replica.template",
        "templates/org-trail.template",
    )

    def both(rel: str, res: str, pairs: list[tuple[str | None, str]]) -> list[Any]:
        nag = [p for p in pairs if p[0]]
        rows = [
            (
                rel,
                "info",
                f"Resources.{res}.Metadata.cfn_nag.rules_to_suppress.{i}",
                f"cfn_nag rule {n} suppressed on {res}",
            )
            for i, (n, _) in enumerate(nag)
        ]
        rows += [
            (
                rel,
                "info",
                f"Resources.{res}.Metadata.guard.SuppressedRules.{i}",
                f"Guard rule {g} suppressed on {res}",
            )
            for i, (_, g) in enumerate(pairs)
        ]
        return rows

    expected = [
        *both(
            bucket,
            "AccessLogBucket",
            [("W35", "S3_BUCKET_LOGGING_ENABLED"), ("F14", "S3_BUCKET_NO_PUBLIC_RW_ACL")],
        ),
        *both(bucket, "AccessLogBucketPolicy", [(None, "S3_BUCKET_SSL_REQUESTS_ONLY")]),
        *both(bucket, "ArchiveBucket", [("F14", "S3_BUCKET_NO_PUBLIC_RW_ACL")]),
        *both(
            bucket,
            "ArchiveBucketPolicy",
            [
                ("F16", "S3_BUCKET_POLICY_NO_WILDCARD_PRINCIPAL"),
                (None, "S3_BUCKET_SSL_REQUESTS_ONLY"),
            ],
        ),
        *both(
            bucket,
            "ReplicationRole",
            [("W28", "CFN_NO_EXPLICIT_RESOURCE_NAMES"), ("F10", "IAM_NO_INLINE_POLICY_CHECK")],
        ),
        *both(
            replica,
            "ReplicaBucket",
            [("W35", "S3_BUCKET_LOGGING_ENABLED"), ("F14", "S3_BUCKET_NO_PUBLIC_RW_ACL")],
        ),
        *both(replica, "ReplicaBucketPolicy", [(None, "S3_BUCKET_SSL_REQUESTS_ONLY")]),
        *both(
            trail,
            "OrganizationTrail",
            [(None, "CLOUD_TRAIL_ENCRYPTION_ENABLED"), (None, "CLOUDTRAIL_S3_DATAEVENTS_ENABLED")],
        ),
        *both(trail, "TrailLogGroup", [("W84", "CLOUDWATCH_LOG_GROUP_ENCRYPTED")]),
        *both(
            trail,
            "TrailToCloudWatchLogsRole",
            [("W28", "CFN_NO_EXPLICIT_RESOURCE_NAMES"), ("F10", "IAM_NO_INLINE_POLICY_CHECK")],
        ),
        # The account baseline and the central alert bus (issue 4).
        *both(
            "templates/log-archive-key.template",
            "LogArchiveKey",
            [("F76", "KMS_NO_WILDCARD_PRINCIPAL")],
        ),
        *[
            row
            for role in ("OwnLogsReaderRole", "TamperAlertForwarderRole")
            for row in both(
                "templates/account-baseline.template",
                role,
                [("W28", "CFN_NO_EXPLICIT_RESOURCE_NAMES"), ("F10", "IAM_NO_INLINE_POLICY_CHECK")],
            )
        ],
        *both(
            "templates/tamper-alerts.template", "TamperAlertTopic", [("W47", "SNS_ENCRYPTED_KMS")]
        ),
        # The query path (issue 6).
        *both(
            "templates/log-archive-query.template",
            "QueryReaderPolicy",
            [("W28", "CFN_NO_EXPLICIT_RESOURCE_NAMES")],
        ),
        *both(
            "templates/log-archive-query.template",
            "QueryResultsBucket",
            [("W35", "S3_BUCKET_LOGGING_ENABLED"), ("F14", "S3_BUCKET_NO_PUBLIC_RW_ACL")],
        ),
        *both(
            "templates/log-archive-query.template",
            "QueryResultsBucketPolicy",
            [(None, "S3_BUCKET_SSL_REQUESTS_ONLY")],
        ),
    ]
    assert sorted(found) == sorted(expected)
