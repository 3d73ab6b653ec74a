"""Packages that respect the contract: the hand-written complete fixture, the generated package,
and CfCT's own example configuration (whose placeholders have known findings).

The SCP content checks (CFCT-S1nn) are left out of these lists: test_scp_checks.py owns them.
"""

from __future__ import annotations

from pathlib import Path

from cfct_build.config import Settings
from cfct_build.package import build_package
from cfct_build.render import cfct_sent_text
from cfct_build.validate import Finding, validate_dir, validate_files
from cfct_build.validate.checks import CHECKS

GOOD = Path(__file__).resolve().parent.parent / "fixtures" / "good"
SCP_CONTENT_IDS = {c.id for c in CHECKS if c.id.startswith("CFCT-S1")}
EXAMPLE = "anchors/cfct/deployment/custom_control_tower_configuration/example-configuration"
ACCOUNT_NAME = (
    "{!r} is an account name: CfCT resolves it at deploy time (case-insensitive) and silently "
    "drops it if no active account has that name; prefer the 12-digit ID"
)
REMOTE = (
    "{} is remote: cfct-build cannot check it; CfCT's build downloads it (an S3 bucket must be "
    "in the home Region)"
)
MISSING = "{0} does not exist in the package: CfCT's build fails with 'File {0} does not exist'"


def contract(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.id not in SCP_CONTENT_IDS]


def test_complete_fixture_has_only_information() -> None:
    assert contract(validate_dir(GOOD / "complete")) == [
        Finding(
            "manifest.yaml",
            38,
            "CFCT-M018",
            "info",
            "resources.2.deployment_targets.organizational_units.0",
            "Root deploys to every account enrolled in Control Tower, not to the management account",
        ),
        Finding(
            "policies/guardrails.json",
            None,
            "CFCT-S002",
            "info",
            "",
            "270 of 5,120 characters as CfCT sends it",
        ),
    ]


def test_generated_package_is_clean(settings: Settings) -> None:
    files = build_package(settings).as_bytes()
    policies = sorted(p for p in files if p.startswith("policies/"))
    found = [f for f in contract(validate_files(files, lint=True)) if f.id != "CFCT-T004"]
    assert found == [  # the suppressions (CFCT-T004 infos) are listed in tests/test_guard.py
        Finding(
            p,
            None,
            "CFCT-S002",
            "info",
            "",
            f"{len(cfct_sent_text(files[p].decode())):,} of 5,120 characters as CfCT sends it",
        )
        for p in policies
    ]


def test_generated_package_from_a_directory_and_a_zip(settings: Settings, tmp_path: Path) -> None:
    from cfct_build.package import write_package, write_zip

    pkg = build_package(settings)
    write_package(pkg, tmp_path / "out")
    zipped = write_zip(pkg.as_bytes(), tmp_path / "pkg.zip")
    in_memory = validate_files(pkg.as_bytes(), lint=False)
    assert validate_dir(tmp_path / "out", lint=False) == in_memory
    assert validate_dir(zipped, lint=False) == in_memory


def test_directory_with_other_content_checks_only_package_files(tmp_path: Path) -> None:
    """A repository root: src/, tests/, README.md are not package files; only CfCT's names clash."""
    root = tmp_path / "repo"
    root.mkdir()
    for rel in ("manifest.yaml", "templates/producer.template", "templates/consumer.template",
                "parameters/consumer.json", "policies/guardrails.json"):  # fmt: skip
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes((GOOD / "complete" / rel).read_bytes())
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "broken.json").write_text("{")
    (root / "README.md").write_text("# repo\n")
    (root / ".git").mkdir()
    (root / "templates" / ".gitkeep").write_text("")
    (root / "requirements.txt").write_text("boto3\n")
    assert contract(validate_dir(root, lint=False)) == [
        Finding(
            "manifest.yaml",
            38,
            "CFCT-M018",
            "info",
            "resources.2.deployment_targets.organizational_units.0",
            "Root deploys to every account enrolled in Control Tower, not to the management account",
        ),
        Finding(
            "policies/guardrails.json",
            None,
            "CFCT-S002",
            "info",
            "",
            "270 of 5,120 characters as CfCT sends it",
        ),
        Finding(
            "requirements.txt",
            None,
            "CFCT-P002",
            "error",
            "",
            "requirements.txt at the package root clashes with CfCT's build, which unzips its own "
            "scripts and Python packages there (overwriting): rename or move it",
        ),
    ]


def test_cfct_example_configuration(shared_dir: Path) -> None:
    """CfCT's example package, placeholders and all (cfn-lint included)."""
    assert contract(validate_dir(shared_dir / EXAMPLE)) == [
        Finding(
            "manifest.yaml",
            3,
            "CFCT-M006",
            "error",
            "region",
            "'<HOME_REGION_NAME>' is not an AWS Region name (like us-east-1): region must be "
            "Control Tower's home Region",
        ),
        Finding("manifest.yaml", 14, "CFCT-M011", "warning", "resources.0.deployment_targets.accounts.0", ACCOUNT_NAME.format("<ACCOUNT_NAME>")),
        Finding("manifest.yaml", 15, "CFCT-M011", "warning", "resources.0.deployment_targets.accounts.1", ACCOUNT_NAME.format("<ACCOUNT_NUMBER>")),
        Finding("manifest.yaml", 20, "CFCT-M019", "error", "resources.0.regions.0", "'<REGION_NAME>' is not an AWS Region name (like us-east-1)"),
        Finding(
            "manifest.yaml",
            23,
            "CFCT-P003",
            "info",
            "resources.1.resource_file",
            REMOTE.format("s3://<BUCKET-NAME>/<KEY-NAME>/create-ssm-parameter-keys-2.template"),
        ),
        Finding("manifest.yaml", 34, "CFCT-M011", "warning", "resources.1.deployment_targets.accounts.0", ACCOUNT_NAME.format("<ACCOUNT_NAME>")),
        Finding("manifest.yaml", 35, "CFCT-M011", "warning", "resources.1.deployment_targets.accounts.1", ACCOUNT_NAME.format("<ACCOUNT_NUMBER>")),
        Finding("manifest.yaml", 39, "CFCT-M019", "error", "resources.1.regions.0", "'<REGION_NAME>' is not an AWS Region name (like us-east-1)"),
        Finding(
            "parameters/create-ssm-parameter-keys-2.json",
            None,
            "CFCT-P004",
            "warning",
            "",
            "not referenced by manifest.yaml: never deployed; CfCT's build still JSON-checks it",
        ),
        Finding("policies/preventive-guardrails.json", None, "CFCT-S002", "info", "", "677 of 5,120 characters as CfCT sends it"),
        Finding("policies/rcp-preventive-guardrails.json", None, "CFCT-S002", "info", "", "249 of 5,120 characters as CfCT sends it"),
        Finding(
            "templates/create-ssm-parameter-keys-2.template",
            None,
            "CFCT-P004",
            "warning",
            "",
            "not referenced by manifest.yaml: never deployed; CfCT's build still runs "
            "validate-template and cfn_nag on it",
        ),
    ]  # fmt: skip


def test_cfct_unit_test_manifest_with_remote_files(shared_dir: Path) -> None:
    """CfCT v2.6.0's test manifest (s3:// and https:// files), alone: local files are missing."""
    text = (shared_dir / "anchors/cfct/v2.6.0-tests/manifest_version_2.yaml").read_bytes()
    assert contract(validate_files({"manifest.yaml": text})) == [
        Finding("manifest.yaml", 9, "CFCT-P003", "info", "resources.0.resource_file", REMOTE.format("s3://bucket-name/key-name/create-ssm-parameter-keys-1.template")),
        Finding("manifest.yaml", 10, "CFCT-P003", "error", "resources.0.parameter_file", MISSING.format("parameters/create-ssm-parameter-keys-1.json")),
        Finding("manifest.yaml", 14, "CFCT-M011", "warning", "resources.0.deployment_targets.accounts.0", ACCOUNT_NAME.format("Developer1")),
        Finding("manifest.yaml", 15, "CFCT-M011", "warning", "resources.0.deployment_targets.accounts.1", ACCOUNT_NAME.format("Production1")),
        Finding("manifest.yaml", 23, "CFCT-P003", "error", "resources.1.resource_file", MISSING.format("templates/create-ssm-parameter-keys-2.template")),
        Finding("manifest.yaml", 34, "CFCT-M011", "warning", "resources.1.deployment_targets.accounts.0", ACCOUNT_NAME.format("Developer1")),
        Finding("manifest.yaml", 43, "CFCT-P003", "info", "resources.2.resource_file", REMOTE.format("https://bucket-name.s3.amazonaws.com/key-name/version/my-initiation.template")),
        Finding("manifest.yaml", 53, "CFCT-P003", "info", "resources.3.resource_file", REMOTE.format("s3://bucket-name/key-name/preventive-guardrails.json")),
        Finding("manifest.yaml", 64, "CFCT-P003", "error", "resources.4.resource_file", MISSING.format("policies/preventive-guardrails.json")),
    ]  # fmt: skip


def test_cfct_default_manifest_template_is_not_yet_yaml_data(shared_dir: Path) -> None:
    """The Jinja template CfCT renders at install time: `{{ region }}` is a YAML mapping."""
    text = (
        shared_dir / "anchors/cfct/deployment/custom_control_tower_configuration/manifest.yaml.j2"
    ).read_bytes()
    assert validate_files({"manifest.yaml": text}) == [
        Finding(
            "manifest.yaml", 3, "CFCT-M003", "error", "region", "expected a string, got a mapping"
        )
    ]
