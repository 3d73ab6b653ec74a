"""Every rule has a bad fixture package under tests/fixtures/bad/<rule-id>-<slug>/, and each
fixture yields exactly the findings listed here (id, severity, file, line, key path, message).

Fixtures are validated without cfn-lint (the CFN-* fixture with it). The SCP content checks
(CFCT-S1nn, with their own bad inputs in test_scp_checks.py) are left out of these lists. To add
a rule: add a fixture directory and its expected findings below.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cfct_build.validate import Finding, validate_dir
from cfct_build.validate.checks import CHECKS

BAD = Path(__file__).resolve().parent.parent / "fixtures" / "bad"
Row = tuple[str, str, str, int | None, str, str]


SCP_CONTENT_IDS = {c.id for c in CHECKS if c.id.startswith("CFCT-S1")}


def contract(found: list[Finding]) -> list[Finding]:
    """The findings of the CfCT contract checks (and cfn-lint)."""
    return [f for f in found if f.id not in SCP_CONTENT_IDS]


def findings(rows: list[Row]) -> list[Finding]:
    return [
        Finding(file=f, line=ln, id=i, severity=s, path=p, message=m) for i, s, f, ln, p, m in rows
    ]  # type: ignore[arg-type]


EXPECTED: dict[str, list[Row]] = {
    "CFCT-M001-yaml-syntax": [
        (
            "CFCT-M001",
            "error",
            "manifest.yaml",
            8,
            "",
            "not valid YAML: while parsing a block collection: expected <block end>, but found '<block mapping start>'",
        ),
    ],
    "CFCT-M002-duplicate-keys": [
        (
            "CFCT-M002",
            "error",
            "manifest.yaml",
            3,
            "region",
            "duplicate key 'region' (first at line 2): CfCT's schema check rejects a manifest with duplicate keys; keep one",
        ),
        (
            "CFCT-M002",
            "error",
            "manifest.yaml",
            10,
            "resources.0.deploy_method",
            "duplicate key 'deploy_method' (first at line 9): CfCT's schema check rejects a manifest with duplicate keys; keep one",
        ),
    ],
    "CFCT-M003-schema": [
        (
            "CFCT-M003",
            "error",
            "manifest.yaml",
            4,
            "resource",
            "unknown key 'resource': CfCT's schema rejects it (allowed here: enable_stack_set_deletion, region, resources, version)",
        ),
        (
            "CFCT-M003",
            "error",
            "manifest.yaml",
            7,
            "resources.0.deployment_targets",
            "missing required key 'deployment_targets'",
        ),
        (
            "CFCT-M003",
            "error",
            "manifest.yaml",
            9,
            "resources.0.deploy_method",
            "expected one of stack_set, scp, rcp, got the string 'stackset'",
        ),
        (
            "CFCT-M003",
            "error",
            "manifest.yaml",
            10,
            "resources.0.deployment_target",
            "unknown key 'deployment_target': CfCT's schema rejects it (allowed here: deploy_method, deployment_targets, description, export_outputs, name, parameter_file, parameters, regions, resource_file)",
        ),
        (
            "CFCT-M003",
            "error",
            "manifest.yaml",
            15,
            "resources.0.parameters.0.parameter_value",
            "a value is required, got nothing (null)",
        ),
        (
            "CFCT-M003",
            "error",
            "manifest.yaml",
            17,
            "resources.0.export_outputs.0.name",
            "expected a string, got the integer 5",
        ),
        (
            "CFCT-M003",
            "error",
            "manifest.yaml",
            21,
            "resources.0.regions.1",
            "the string 'us-east-1' is listed twice (first at resources.0.regions.0): CfCT's schema requires unique entries",
        ),
        (
            "CFCT-M003",
            "error",
            "manifest.yaml",
            27,
            "resources.1.deployment_targets.organizational_units",
            "expected a list, got the string 'Security'",
        ),
        (
            "CFCT-S002",
            "info",
            "policies/policy.json",
            None,
            "",
            "270 of 5,120 characters as CfCT sends it",
        ),
    ],
    "CFCT-M004-version-quoted": [
        (
            "CFCT-M004",
            "error",
            "manifest.yaml",
            3,
            "version",
            "version is quoted, so YAML reads the string '2021-03-15'; CfCT's schema needs the unquoted YAML date: write version: 2021-03-15",
        ),
    ],
    "CFCT-M005-stack-set-deletion": [
        (
            "CFCT-M005",
            "error",
            "manifest.yaml",
            4,
            "enable_stack_set_deletion",
            "'yes' is a boolean only in YAML 1.1; CfCT's schema check reads YAML 1.2, where it is a string: write true",
        ),
    ],
    "CFCT-M006-home-region": [
        (
            "CFCT-M006",
            "error",
            "manifest.yaml",
            2,
            "region",
            "'US East (N. Virginia)' is not an AWS Region name (like us-east-1): region must be Control Tower's home Region",
        ),
    ],
    "CFCT-M007-name-first": [
        (
            "CFCT-M007",
            "error",
            "manifest.yaml",
            6,
            "resources.0",
            "the first key of a resource must be name, found 'description'",
        ),
    ],
    "CFCT-M008-name-syntax": [
        (
            "CFCT-M008",
            "error",
            "manifest.yaml",
            6,
            "resources.0.name",
            "name 'topic_1' does not match ^[A-Za-z][A-Za-z0-9-]*$ (a letter, then letters, digits and hyphens): CfCT names the StackSet CustomControlTower-<name>",
        ),
        (
            "CFCT-M008",
            "error",
            "manifest.yaml",
            15,
            "resources.1.name",
            "name has 110 characters, at most 109 are allowed (StackSet names have at most 128 characters, including the CustomControlTower- prefix)",
        ),
    ],
    "CFCT-M009-name-unique": [
        (
            "CFCT-M009",
            "error",
            "manifest.yaml",
            15,
            "resources.1.name",
            "name 'topic' is already used by resources.0 (line 6): CfCT matches StackSets and policies by name, so one would overwrite the other",
        ),
    ],
    "CFCT-M010-file-lines": [
        (
            "CFCT-M010",
            "error",
            "manifest.yaml",
            7,
            "",
            "this line contains '_file:', so CfCT's build (grep '_file:' | tr -s ' ' | cut -d ' ' -f 3) looks for a file named '\"Alerts' and fails: keep '_file:' out of other values and comments",
        ),
        (
            "CFCT-M010",
            "error",
            "manifest.yaml",
            8,
            "resources.0.resource_file",
            "resource_file is quoted: CfCT's build reads the file name from the raw line with grep '_file:' | tr -s ' ' | cut -d ' ' -f 3, quotes included; write it unquoted: resource_file: templates/topic.template",
        ),
        (
            "CFCT-M010",
            "error",
            "manifest.yaml",
            14,
            "resources.1.resource_file",
            "the resource is written in flow style ({...}): CfCT's build greps 'resource_file:' lines, so write the resource as a block mapping, one key per line",
        ),
        (
            "CFCT-M010",
            "error",
            "manifest.yaml",
            18,
            "resources.2.resource_file",
            "resource_file must be a plain value on the same line as the key: CfCT's build reads the file name from the 'resource_file:' line; write resource_file: templates/topic.template",
        ),
    ],
    "CFCT-M011-accounts": [
        (
            "CFCT-M011",
            "error",
            "manifest.yaml",
            11,
            "resources.0.deployment_targets.accounts.0",
            'unquoted account ID 111111111111 is a YAML number, not a string: quote every account ID (an unquoted one with a leading zero is read as octal): "111111111111"',
        ),
        (
            "CFCT-M011",
            "error",
            "manifest.yaml",
            12,
            "resources.0.deployment_targets.accounts.1",
            "unquoted account ID 012345670123 is read by YAML as the octal number 1402433619: CfCT would look for an account named '1402433619' and silently drop it; quote it: \"012345670123\"",
        ),
        (
            "CFCT-M011",
            "error",
            "manifest.yaml",
            13,
            "resources.0.deployment_targets.accounts.2",
            "'12345678901' is not a 12-digit account ID: CfCT would look for an account with that name and silently drop the entry",
        ),
        (
            "CFCT-M011",
            "warning",
            "manifest.yaml",
            14,
            "resources.0.deployment_targets.accounts.3",
            "'Log Archive' is an account name: CfCT resolves it at deploy time (case-insensitive) and silently drops it if no active account has that name; prefer the 12-digit ID",
        ),
        (
            "CFCT-M011",
            "error",
            "manifest.yaml",
            15,
            "resources.0.deployment_targets.accounts.4",
            "empty entry: expected a quoted 12-digit account ID",
        ),
    ],
    "CFCT-M012-stack-set-only": [
        (
            "CFCT-M012",
            "warning",
            "manifest.yaml",
            9,
            "resources.0.parameters",
            "parameters applies only to stack_set resources; CfCT ignores it for scp",
        ),
        (
            "CFCT-M012",
            "error",
            "manifest.yaml",
            13,
            "resources.0.deployment_targets.accounts",
            "accounts are ignored for scp resources: CfCT attaches policies to organizational units only; list OUs under organizational_units",
        ),
        (
            "CFCT-M012",
            "warning",
            "manifest.yaml",
            17,
            "resources.0.regions",
            "regions applies only to stack_set resources; CfCT ignores it for scp",
        ),
        (
            "CFCT-S002",
            "info",
            "policies/policy.json",
            None,
            "",
            "270 of 5,120 characters as CfCT sends it",
        ),
    ],
    "CFCT-M013-parameters-both": [
        (
            "CFCT-M013",
            "error",
            "manifest.yaml",
            10,
            "resources.0.parameters",
            "both parameters and parameter_file are set: CfCT then passes no parameters at all; keep one of them",
        ),
    ],
    "CFCT-M014-parameter-values": [
        (
            "CFCT-M014",
            "error",
            "manifest.yaml",
            11,
            "resources.0.parameters.0.parameter_value",
            'parameter_value must be a string, got the integer 488: quote it so it reaches CloudFormation as written: "0750"',
        ),
        (
            "CFCT-M014",
            "error",
            "manifest.yaml",
            13,
            "resources.0.parameters.1.parameter_value",
            'parameter_value must be a string, got the boolean true: quote it so it reaches CloudFormation as written: "yes"',
        ),
        (
            "CFCT-M014",
            "error",
            "manifest.yaml",
            15,
            "resources.0.parameters.2.parameter_value",
            "parameter_value must be a string, got a list: write one string; CfCT splits a comma-separated value into a list itself",
        ),
    ],
    "CFCT-M015-helpers": [
        (
            "CFCT-M015",
            "error",
            "manifest.yaml",
            11,
            "resources.0.parameters.0.parameter_value",
            "$[alfred_random] is not a CfCT helper (alfred_ssm_/name, alfred_genkeypair, alfred_genpass_N, alfred_genaz_N): CfCT would pass the literal text 'alfred_random'",
        ),
        (
            "CFCT-M015",
            "error",
            "manifest.yaml",
            13,
            "resources.0.parameters.1.parameter_value",
            "$[output_TopicArn] is valid only as an export_outputs value, not as a parameter value",
        ),
        (
            "CFCT-M015",
            "warning",
            "manifest.yaml",
            15,
            "resources.0.parameters.2.parameter_value",
            "'arn-$[alfred_ssm_/fixture/x]' contains $[ but is not a whole $[...] value: CfCT expands a helper only when it is the entire value (or a whole comma-separated item), so this is passed on literally",
        ),
        (
            "CFCT-M015",
            "error",
            "manifest.yaml",
            19,
            "resources.0.parameters.4.parameter_value",
            "the SSM parameter name is empty",
        ),
        (
            "CFCT-M015",
            "error",
            "parameters/topic-2.json",
            4,
            "0.ParameterValue",
            "'x/y' is not a valid SSM parameter name: a hierarchical name starts with /",
        ),
    ],
    "CFCT-M016-export-outputs": [
        (
            "CFCT-M016",
            "error",
            "manifest.yaml",
            16,
            "resources.0.export_outputs.1.value",
            "templates/topic.template has no Output 'QueueArn' (its Outputs: TopicArn): CfCT would never write this SSM parameter",
        ),
        (
            "CFCT-M016",
            "error",
            "manifest.yaml",
            17,
            "resources.0.export_outputs.2.name",
            "'fixture/topic-arn' is not a valid SSM parameter name: a hierarchical name starts with /",
        ),
        (
            "CFCT-M016",
            "error",
            "manifest.yaml",
            20,
            "resources.0.export_outputs.3.value",
            "expected $[output_<OutputKey>], got 'arn:aws:sns:us-east-1:111111111111:topic': CfCT exports only stack outputs to SSM",
        ),
    ],
    "CFCT-M017-ssm-order": [
        (
            "CFCT-M017",
            "error",
            "manifest.yaml",
            11,
            "resources.0.parameters.0.parameter_value",
            "SSM parameter /fixture/topic-arn is exported by resource 'producer' (resources.1), which deploys later: CfCT deploys resources in manifest order; move it before resource 'consumer'",
        ),
        (
            "CFCT-M017",
            "warning",
            "manifest.yaml",
            13,
            "resources.0.parameters.1.parameter_value",
            "SSM parameter /elsewhere/value is exported by no resource of this manifest: it must already exist in the management account (home Region) when resource 'consumer' deploys",
        ),
        (
            "CFCT-M017",
            "error",
            "manifest.yaml",
            23,
            "resources.1.parameters.0.parameter_value",
            "SSM parameter /fixture/own is exported by this same resource, which cannot read its own output",
        ),
    ],
    "CFCT-M018-ous": [
        (
            "CFCT-M018",
            "info",
            "manifest.yaml",
            11,
            "resources.0.deployment_targets.organizational_units.0",
            "Root deploys to every account enrolled in Control Tower, not to the management account",
        ),
        (
            "CFCT-M018",
            "warning",
            "manifest.yaml",
            12,
            "resources.0.deployment_targets.organizational_units.1",
            "'root' is looked up as an OU named 'root'; the organization root is written Root",
        ),
        (
            "CFCT-M018",
            "error",
            "manifest.yaml",
            13,
            "resources.0.deployment_targets.organizational_units.2",
            "'ou-ab12-cdef5678' is an OU ID: CfCT matches OUs by name; write the OU's name or Parent:Child path",
        ),
        (
            "CFCT-M018",
            "error",
            "manifest.yaml",
            14,
            "resources.0.deployment_targets.organizational_units.3",
            "nested OU paths start below the root: write 'Security'",
        ),
        (
            "CFCT-M018",
            "error",
            "manifest.yaml",
            15,
            "resources.0.deployment_targets.organizational_units.4",
            "'Workloads::Prod' is not an OU name or a Parent:Child path: no empty names and no spaces around names (CfCT matches names exactly)",
        ),
        (
            "CFCT-M018",
            "error",
            "manifest.yaml",
            16,
            "resources.0.deployment_targets.organizational_units.5",
            "' Security' is not an OU name or a Parent:Child path: no empty names and no spaces around names (CfCT matches names exactly)",
        ),
        (
            "CFCT-M018",
            "error",
            "manifest.yaml",
            17,
            "resources.0.deployment_targets.organizational_units.6",
            "empty entry: expected an OU name",
        ),
    ],
    "CFCT-M019-regions": [
        (
            "CFCT-M019",
            "error",
            "manifest.yaml",
            14,
            "resources.0.regions.1",
            "'eu-west' is not an AWS Region name (like us-east-1)",
        ),
        (
            "CFCT-M019",
            "error",
            "manifest.yaml",
            15,
            "resources.0.regions.2",
            "empty entry: expected a Region name like us-east-1",
        ),
    ],
    "CFCT-M020-empty-targets": [
        (
            "CFCT-M020",
            "warning",
            "manifest.yaml",
            9,
            "resources.0.deployment_targets",
            "no accounts and no organizational_units: CfCT creates the StackSet but no stack instance",
        ),
        (
            "CFCT-M020",
            "warning",
            "manifest.yaml",
            18,
            "resources.1.deployment_targets",
            "no accounts and no organizational_units: CfCT creates the policy but attaches it nowhere",
        ),
        (
            "CFCT-S002",
            "info",
            "policies/policy.json",
            None,
            "",
            "270 of 5,120 characters as CfCT sends it",
        ),
    ],
    "CFCT-P001-no-manifest": [
        (
            "CFCT-P001",
            "error",
            "",
            None,
            "",
            "no manifest.yaml at the package root: CfCT needs it at the root of custom-control-tower-configuration.zip",
        ),
    ],
    "CFCT-P002-reserved-names": [
        (
            "CFCT-P002",
            "error",
            "cfct/",
            None,
            "",
            "cfct/ at the package root clashes with CfCT's build, which unzips its own scripts and Python packages there (overwriting): rename or move it",
        ),
        (
            "CFCT-P002",
            "error",
            "requirements.txt",
            None,
            "",
            "requirements.txt at the package root clashes with CfCT's build, which unzips its own scripts and Python packages there (overwriting): rename or move it",
        ),
        (
            "CFCT-P002",
            "error",
            "run-validation.sh",
            None,
            "",
            "run-validation.sh at the package root clashes with CfCT's build, which unzips its own scripts and Python packages there (overwriting): rename or move it",
        ),
    ],
    "CFCT-P003-missing-files": [
        (
            "CFCT-P003",
            "error",
            "manifest.yaml",
            7,
            "resources.0.resource_file",
            "templates/missing.template does not exist in the package: CfCT's build fails with 'File templates/missing.template does not exist'",
        ),
        (
            "CFCT-P003",
            "error",
            "manifest.yaml",
            8,
            "resources.0.parameter_file",
            "parameters/missing.json does not exist in the package: CfCT's build fails with 'File parameters/missing.json does not exist'",
        ),
        (
            "CFCT-P003",
            "info",
            "manifest.yaml",
            15,
            "resources.1.resource_file",
            "s3://example-bucket/topic.template is remote: cfct-build cannot check it; CfCT's build downloads it (an S3 bucket must be in the home Region)",
        ),
        (
            "CFCT-P003",
            "error",
            "manifest.yaml",
            22,
            "resources.2.resource_file",
            "'../topic.template' is not a path inside the package: paths are relative to the package root (like templates/x.template)",
        ),
    ],
    "CFCT-P004-unreferenced": [
        (
            "CFCT-P004",
            "warning",
            "parameters/old.json",
            None,
            "",
            "not referenced by manifest.yaml: never deployed; CfCT's build still JSON-checks it",
        ),
        (
            "CFCT-P004",
            "warning",
            "policies/old.json",
            None,
            "",
            "not referenced by manifest.yaml: never deployed; CfCT ignores it",
        ),
        (
            "CFCT-P004",
            "warning",
            "templates/README.md",
            None,
            "",
            "not referenced by manifest.yaml: never deployed; CfCT ignores it",
        ),
        (
            "CFCT-P004",
            "warning",
            "templates/old-topic.template",
            None,
            "",
            "not referenced by manifest.yaml: never deployed; CfCT's build still runs validate-template and cfn_nag on it",
        ),
    ],
    "CFCT-P005-parameter-files": [
        (
            "CFCT-P004",
            "warning",
            "parameters/broken.json",
            None,
            "",
            "not referenced by manifest.yaml: never deployed; CfCT's build still JSON-checks it",
        ),
        (
            "CFCT-P005",
            "error",
            "parameters/broken.json",
            1,
            "",
            "invalid JSON: Expecting property name enclosed in double quotes (column 23): CfCT's build JSON-checks it",
        ),
        (
            "CFCT-P005",
            "error",
            "parameters/topic.json",
            2,
            "0.ParameterValue",
            "expected a string, got the integer 5",
        ),
        (
            "CFCT-P005",
            "error",
            "parameters/topic.json",
            3,
            "1",
            "expected an object with ParameterKey and ParameterValue, got the string 'C=x'",
        ),
        (
            "CFCT-P005",
            "error",
            "parameters/topic.json",
            4,
            "2.ParameterValue",
            "missing ParameterValue",
        ),
        (
            "CFCT-P005",
            "warning",
            "parameters/topic.json",
            4,
            "2.UsePreviousValue",
            "unknown key 'UsePreviousValue': CfCT ignores it (UsePreviousValue and the like are not supported)",
        ),
    ],
    "CFCT-S001-policy-json": [
        (
            "CFCT-S002",
            "info",
            "policies/broken.json",
            None,
            "",
            "50 of 5,120 characters as CfCT sends it",
        ),
        (
            "CFCT-S001",
            "error",
            "policies/broken.json",
            4,
            "",
            "invalid JSON: Expecting property name enclosed in double quotes (column 1): AWS Organizations rejects the policy",
        ),
        (
            "CFCT-S002",
            "info",
            "policies/list.json",
            None,
            "",
            "4 of 5,120 characters as CfCT sends it",
        ),
        (
            "CFCT-S001",
            "error",
            "policies/list.json",
            1,
            "",
            "expected a policy document (a JSON object), got a list",
        ),
    ],
    "CFCT-S002-policy-size": [
        (
            "CFCT-S002",
            "error",
            "policies/big.json",
            None,
            "",
            "7,540 characters as CfCT sends it (CRLF newlines, double spaces removed): AWS Organizations accepts at most 5,120",
        ),
        (
            "CFCT-S002",
            "info",
            "policies/pretty.json",
            None,
            "",
            "4,895 of 5,120 characters as CfCT sends it",
        ),
    ],
    "CFCT-S003-policy-whitespace": [
        (
            "CFCT-S002",
            "info",
            "policies/spaced.json",
            None,
            "",
            "386 of 5,120 characters as CfCT sends it",
        ),
        (
            "CFCT-S003",
            "warning",
            "policies/spaced.json",
            17,
            "Statement.0.Condition.StringNotEquals.aws:PrincipalTag/team  name",
            "this key contains a double space, which CfCT removes before sending: 'aws:PrincipalTag/team  name' reaches AWS Organizations as 'aws:PrincipalTag/teamname'",
        ),
        (
            "CFCT-S003",
            "warning",
            "policies/spaced.json",
            17,
            "Statement.0.Condition.StringNotEquals.aws:PrincipalTag/team  name",
            "this string contains a double space, which CfCT removes before sending: 'Security  Team' reaches AWS Organizations as 'SecurityTeam'",
        ),
    ],
    "CFCT-T001-template-parse": [
        (
            "CFCT-T001",
            "error",
            "templates/broken.template",
            4,
            "",
            "invalid JSON: Expecting property name enclosed in double quotes",
        ),
        (
            "CFCT-P004",
            "warning",
            "templates/list.json",
            None,
            "",
            "not referenced by manifest.yaml: never deployed; CfCT's build still runs validate-template and cfn_nag on it",
        ),
        (
            "CFCT-T001",
            "error",
            "templates/list.json",
            1,
            "",
            "not a template: the document is a list, expected a mapping",
        ),
        (
            "CFCT-P004",
            "warning",
            "templates/notes.yaml",
            None,
            "",
            "not referenced by manifest.yaml: never deployed; CfCT's build still runs validate-template and cfn_nag on it",
        ),
        (
            "CFCT-T001",
            "error",
            "templates/notes.yaml",
            2,
            "",
            "invalid YAML: expected ',' or ']', but got '<stream end>'",
        ),
    ],
    "CFCT-T003-template-parameters": [
        (
            "CFCT-T003",
            "error",
            "manifest.yaml",
            9,
            "resources.0",
            "templates/topic.template parameters without a Default are not supplied: Required",
        ),
        (
            "CFCT-T003",
            "error",
            "manifest.yaml",
            11,
            "resources.0.parameters.0.parameter_value",
            "'dev' is not one of the AllowedValues of parameter Environment: prod, test",
        ),
        (
            "CFCT-T003",
            "error",
            "manifest.yaml",
            13,
            "resources.0.parameters.1.parameter_value",
            "'Bad-1' does not match the AllowedPattern of parameter Prefix: ^[a-z]+$",
        ),
        (
            "CFCT-T003",
            "error",
            "manifest.yaml",
            15,
            "resources.0.parameters.2.parameter_value",
            "templates/topic.template declares no parameter 'Unknown' (its Parameters: Environment, Owner, Prefix, Required): CloudFormation rejects the StackSet",
        ),
        (
            "CFCT-M017",
            "warning",
            "manifest.yaml",
            17,
            "resources.0.parameters.3.parameter_value",
            "SSM parameter /fixture/owner is exported by no resource of this manifest: it must already exist in the management account (home Region) when resource 'topic' deploys",
        ),
        (
            "CFCT-T003",
            "error",
            "parameters/topic-2.json",
            8,
            "1.ParameterValue",
            "templates/topic.template declares no parameter 'Extra' (its Parameters: Environment, Owner, Prefix, Required): CloudFormation rejects the StackSet",
        ),
    ],
    "CFCT-T004-suppressions": [
        (
            "CFCT-T004",
            "info",
            "templates/topic.template",
            9,
            "Resources.Topic.Metadata.cfn_nag.rules_to_suppress.0",
            "cfn_nag rule W47 suppressed on Topic: Fixture: messages carry no data.",
        ),
        (
            "CFCT-T004",
            "error",
            "templates/topic.template",
            13,
            "Resources.Topic.Metadata.cfn_nag.rules_to_suppress.1",
            "cfn_nag rule F18 suppressed on Topic without a reason; expected a written reason in its `reason` field",
        ),
        (
            "CFCT-T004",
            "error",
            "templates/topic.template",
            16,
            "Resources.Topic.Metadata.cfn_nag.rules_to_suppress.2",
            "cfn_nag rule W19 suppressed on Topic without a reason; expected a written reason in its `reason` field",
        ),
        (
            "CFCT-T004",
            "info",
            "templates/topic.template",
            27,
            "Resources.Topic.Metadata.guard.SuppressedRules.0",
            "Guard rule SNS_ENCRYPTED_KMS suppressed on Topic: Fixture: messages carry no data.",
        ),
        (
            "CFCT-T004",
            "error",
            "templates/topic.template",
            28,
            "Resources.Topic.Metadata.guard.SuppressedRules.1",
            "Guard rule SNS_TOPICPOLICY_NO_WILDCARD_PRINCIPAL suppressed on Topic without a reason; expected a written reason in Metadata.guard.Reasons.SNS_TOPICPOLICY_NO_WILDCARD_PRINCIPAL",
        ),
    ],
    "CFN-cfn-lint": [
        (
            "CFN-W2001",
            "warning",
            "templates/topic.template",
            5,
            "Parameters.Unused",
            "Parameter Unused not used.",
        ),
        (
            "CFN-I1022",
            "info",
            "templates/topic.template",
            15,
            "Resources.Named.Properties.TopicName.Fn::Join.0",
            "Prefer using Fn::Sub over Fn::Join with an empty delimiter",
        ),
        (
            "CFN-E3002",
            "error",
            "templates/topic.template",
            29,
            "Resources.Topic.Properties.Bogus",
            "Additional properties are not allowed ('Bogus' was unexpected)",
        ),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_fixture_findings(name: str) -> None:
    assert contract(validate_dir(BAD / name, lint=name.startswith("CFN-"))) == findings(
        EXPECTED[name]
    )


def test_every_fixture_directory_has_expectations() -> None:
    assert sorted(p.name for p in BAD.iterdir()) == sorted([*EXPECTED])


def _rule(finding_id: str) -> str:
    """The check a finding id belongs to (all cfn-lint rules belong to the CFN check)."""
    return "CFN" if finding_id.startswith("CFN-") else finding_id


def test_every_check_has_a_bad_fixture_that_triggers_it() -> None:
    fixture_rule = {name: _rule(name[:9]) for name in EXPECTED}  # "CFCT-M001-slug" -> CFCT-M001
    triggered = {
        rule
        for name, rule in fixture_rule.items()
        if rule in {_rule(row[0]) for row in EXPECTED[name]}
    }
    wanted = {c.id for c in CHECKS} - SCP_CONTENT_IDS
    assert sorted(wanted - triggered) == ["CFCT-T002"]  # built in tmp_path below (1 MB)


def test_template_over_one_megabyte(tmp_path: Path) -> None:
    shutil.copytree(BAD / "CFCT-M007-name-first", tmp_path / "pkg")
    pkg = tmp_path / "pkg"
    (pkg / "manifest.yaml").write_text(
        (pkg / "manifest.yaml")
        .read_text()
        .replace("  - description: Alerts topic\n    name: topic\n", "  - name: topic\n")
    )
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Validator fixture",
        "Metadata": {"Padding": "x" * 1_000_000},
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    }
    (pkg / "templates" / "topic.template").write_text(json.dumps(template))
    assert validate_dir(pkg, lint=False) == [
        Finding(
            file="templates/topic.template",
            line=None,
            id="CFCT-T002",
            severity="error",
            path="",
            message="1,000,160 bytes: CloudFormation accepts templates of at most 1,000,000 bytes",
        )
    ]
