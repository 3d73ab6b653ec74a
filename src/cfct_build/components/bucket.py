"""Log-archive bucket (placeholder until the bucket component lands)."""

from __future__ import annotations

from troposphere import Template

from cfct_build import naming
from cfct_build.config import Settings
from cfct_build.manifest import Resource


def build(s: Settings) -> Template:
    raise NotImplementedError


def resource(s: Settings) -> Resource:
    return Resource(
        name=naming.RES_BUCKET,
        resource_file=naming.TEMPLATE_BUCKET,
        deploy_method="stack_set",
        accounts=(s.organization.log_archive_account,),
        regions=(s.organization.home_region,),
    )
