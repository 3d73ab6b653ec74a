"""taskcat: one test per template of the package, to deploy each into a sandbox account.

`.taskcat.yml` is generated from the settings (`files(settings)`; scripts/taskcat_config.py
writes it, tests/test_taskcat_config.py checks the committed copy is fresh):
- one test per StackSet resource of the manifest, named after it without the `cfct-build-`
  prefix, in the Regions the manifest deploys it to; `project.regions` are the governed Regions;
- parameters: where the manifest passes `$[alfred_ssm_<name>]` (a value another stack exports
  through CfCT), the test passes the value that parameter stands for, derived from the settings
  (bucket names as named; key ARNs with a placeholder key id, because a key's id exists only
  once it is created). Each value satisfies the template's `AllowedPattern`.
- the organization trail: an organization trail can only be created by the management account
  (or a delegated administrator), so its test deploys a sandbox variant,
  `taskcat/org-trail-sandbox.template`, the same template with `IsOrganizationTrail: false`
  and nothing else changed. The production template has no switch for this on purpose: a
  parameter that turns the organization trail into an account trail would be one manifest
  edit away from silently narrowing what is logged.

Against a real sandbox account the placeholders must become the real outputs of the key stacks
(`.taskcat_overrides.yml`, see README "taskcat"); the AllowedPatterns also pin the settings'
account IDs, so build the package and this file from settings that name the sandbox account.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

from cfct_build import naming, render
from cfct_build.components import trail
from cfct_build.components._suppressions import annotate
from cfct_build.config import Settings
from cfct_build.package import build_package

TASKCAT_FILE = ".taskcat.yml"
SANDBOX_TRAIL = "taskcat/org-trail-sandbox.template"
PROJECT = "cfct-build-log-archive"
PLACEHOLDER_KEY_ID = "00000000-0000-4000-8000-000000000000"
_ALFRED = re.compile(r"^\$\[alfred_ssm_(?P<name>/[^\]]+)\]$")

HEADER = """\
# taskcat configuration, generated from cfct-build.yaml by scripts/taskcat_config.py: do not edit.
# One test per StackSet of the package, in the Regions the manifest deploys it to. Parameters
# that CfCT fills from SSM ($[alfred_ssm_...]) get the values they stand for; key ARNs carry a
# placeholder key id: override them with the real ones (.taskcat_overrides.yml) when testing
# against a sandbox account. The trail test deploys taskcat/org-trail-sandbox.template (the
# same trail with IsOrganizationTrail false). See README, "taskcat".
"""


class TaskcatConfigError(ValueError):
    """A manifest parameter this module has no sandbox value for."""


def _key_arn(s: Settings, account: str, region: str) -> str:
    return f"arn:{s.partition}:kms:{region}:{account}:key/{PLACEHOLDER_KEY_ID}"


def sandbox_values(s: Settings) -> dict[str, Callable[[], str]]:
    """SSM parameter name -> the value it holds once the producing stack has deployed."""
    org = s.organization
    return {
        naming.SSM_KEY_ARN: lambda: _key_arn(s, s.key_account_id, org.home_region),
        naming.SSM_REPLICA_KEY_ARN: lambda: _key_arn(
            s, org.log_archive_account, str(s.bucket.replica_region)
        ),
        naming.SSM_BUCKET_NAME: lambda: naming.archive_bucket(s),
        naming.SSM_BUCKET_ARN: lambda: f"arn:{s.partition}:s3:::{naming.archive_bucket(s)}",
        naming.SSM_ACCESS_LOG_BUCKET_NAME: lambda: naming.access_log_bucket(s),
    }


def _value(s: Settings, resource: str, key: str, value: str) -> str:
    found = _ALFRED.match(value)
    if found is None:
        return value
    producer = sandbox_values(s).get(found.group("name"))
    if producer is None:
        raise TaskcatConfigError(
            f"{resource}: parameter {key} comes from SSM {found.group('name')}, which "
            "cfct_build.taskcat_config.sandbox_values does not know: add its sandbox value"
        )
    return producer()


def sandbox_trail(s: Settings) -> str:
    """The trail template with IsOrganizationTrail false (a sandbox is no management account)."""
    t = trail.build(s)
    t.resources[trail.TRAIL].IsOrganizationTrail = False
    return render.template_json(annotate(t))


def tests(s: Settings) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for res in build_package(s).manifest.resources:
        if res.deploy_method != "stack_set":
            continue
        template = res.resource_file
        test: dict[str, Any] = {
            "template": SANDBOX_TRAIL if template == naming.TEMPLATE_TRAIL else template,
            "regions": list(res.regions or (s.organization.home_region,)),
        }
        if res.parameters:
            test["parameters"] = {k: _value(s, res.name, k, v) for k, v in res.parameters}
        out[res.name.removeprefix("cfct-build-")] = test
    return out


def config(s: Settings) -> dict[str, Any]:
    return {
        "project": {
            "name": PROJECT,
            "regions": list(s.organization.governed_regions),
            "package_lambda": False,  # no Lambda sources: taskcat would otherwise need Docker
        },
        "tests": tests(s),
    }


def files(s: Settings) -> dict[str, str]:
    """Every file this module owns, by repository-relative path."""
    text = HEADER + yaml.safe_dump(config(s), sort_keys=False, default_flow_style=False)
    return {TASKCAT_FILE: text, SANDBOX_TRAIL: sandbox_trail(s)}
