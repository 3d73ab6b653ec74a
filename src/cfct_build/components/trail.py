"""Organization trail (placeholder until the trail component lands)."""

from __future__ import annotations

from troposphere import Template

from cfct_build import naming
from cfct_build.config import Settings
from cfct_build.manifest import Resource


def build(s: Settings) -> Template:
    raise NotImplementedError


def resource(s: Settings) -> Resource:
    return Resource(
        name=naming.RES_TRAIL,
        resource_file=naming.TEMPLATE_TRAIL,
        deploy_method="stack_set",
        accounts=(s.organization.management_account,),
        regions=(s.organization.home_region,),
    )
