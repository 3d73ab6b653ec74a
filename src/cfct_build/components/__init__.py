"""The package's components, in CfCT manifest order (producers before consumers).

Each module has `build(settings) -> troposphere.Template` (pure) and
`resource(settings) -> manifest.Resource` (where CfCT deploys it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cfct_build import render
from cfct_build.components import alerts, baseline, bucket, key, query, replica, trail
from cfct_build.components._suppressions import annotate
from cfct_build.config import Settings
from cfct_build.manifest import Resource


@dataclass(frozen=True)
class Component:
    resource: Resource
    text: str  # the bytes (UTF-8) of resource_file


def stack_set_components(s: Settings) -> list[Component]:
    modules: list[Any] = [key]
    if s.bucket.replica_region:
        modules.append(replica)
    modules += [bucket, trail]
    # The central alert bus before the baseline whose rules target it (producer first).
    if alerts.enabled(s):
        modules.append(alerts)
    if baseline.enabled(s):
        modules.append(baseline)
    # The query path reads the archive and feeds nothing: last, so it never holds up the rest.
    if query.enabled(s):
        modules.append(query)
    # Every template gets the checker suppressions whose facts hold (see _suppressions).
    return [Component(m.resource(s), render.template_json(annotate(m.build(s)))) for m in modules]
