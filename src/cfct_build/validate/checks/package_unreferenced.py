"""CFCT-P004: files in templates/, policies/ and parameters/ are referenced by the manifest."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import (
    CFCT_PARAMETER_EXCLUDED,
    CFCT_PARAMETER_NAME,
    CFCT_TEMPLATE_NAME,
    Context,
)
from cfct_build.validate.findings import Finding
from cfct_build.validate.source import PACKAGE_FOLDERS


def _consequence(rel: str) -> str:
    folder, name = rel.split("/", 1)[0], rel.rsplit("/", 1)[-1]
    if folder == "templates" and CFCT_TEMPLATE_NAME.search(name):
        return "CfCT's build still runs validate-template and cfn_nag on it"
    if (
        folder == "parameters"
        and CFCT_PARAMETER_NAME.search(name)
        and not CFCT_PARAMETER_EXCLUDED.search(name)
    ):
        return "CfCT's build still JSON-checks it"
    return "CfCT ignores it"


class PackageUnreferenced(Check):
    id = "CFCT-P004"
    shortdesc = "no unreferenced files in templates/, policies/, parameters/"
    description = (
        "A file no resource references is never deployed, yet CfCT's build validates every "
        "template in templates/ and every JSON file in parameters/: leftovers can fail the "
        "pipeline and usually mean a rename went wrong."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        if ctx.manifest is None:
            return
        referenced = {ref.local for ref in ctx.refs if ref.local}
        for folder in PACKAGE_FOLDERS:
            for rel in ctx.source.listing(folder):
                if rel not in referenced:
                    yield self.finding(
                        "warning",
                        rel,
                        None,
                        "",
                        f"not referenced by manifest.yaml: never deployed; {_consequence(rel)}",
                    )
