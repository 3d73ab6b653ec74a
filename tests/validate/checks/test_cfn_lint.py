"""cfn-lint runs for the Regions each template is deployed to."""

from __future__ import annotations

from cfct_build.validate.checks.cfn_lint import CfnLint
from cfct_build.validate.context import Context
from cfct_build.validate.source import MappingSource

MANIFEST = b"""region: eu-central-1
version: 2021-03-15
resources:
  - name: a
    resource_file: templates/a.template
    deploy_method: stack_set
    deployment_targets: {}
    regions: [us-west-2, eu-west-1, not-a-region, xx-fake-9]
  - name: b
    resource_file: templates/b.template
    deploy_method: stack_set
    deployment_targets: {}
  - name: c
    resource_file: templates/a.template
    deploy_method: scp
    deployment_targets: {}
"""


def test_regions_per_template() -> None:
    ctx = Context(MappingSource({"manifest.yaml": MANIFEST}), lint=True)
    assert [CfnLint._regions(ctx, rel) for rel in ("templates/a.template", "templates/b.template", "templates/c.template")] == [
        ["eu-west-1", "us-west-2"],
        ["eu-central-1"],
        ["us-east-1"],
    ]  # fmt: skip
