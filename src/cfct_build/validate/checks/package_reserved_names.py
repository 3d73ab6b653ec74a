"""CFCT-P002: no file or folder at the package root is named like CfCT's build scripts."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding

# What CfCT v2.8.4's CodeBuild projects put into the package root before running: the unzipped
# custom-control-tower-scripts.zip (the cfct package and its pip dependencies, their
# requirements.txt, the Lambda handler modules, codebuild_scripts/ and, copied from it, the
# stage scripts) and the folders/files its merge step creates.
RESERVED = frozenset(
    {
        # packages and modules installed into the scripts zip
        "cfct/",
        "boto3/",
        "botocore/",
        "s3transfer/",
        "jmespath/",
        "yaml/",
        "_yaml/",
        "yorm/",
        "simplejson/",
        "parse.py",
        "jinja2/",
        "markupsafe/",
        "requests/",
        "urllib3/",
        "idna/",
        "certifi/",
        "charset_normalizer/",
        "dateutil/",
        "six.py",
        "markdown_to_json/",
        "bin/",
        "requirements.txt",
        # Lambda handlers copied to the zip root
        "__init__.py",
        "config_deployer.py",
        "lifecycle_event_handler.py",
        "state_machine_router.py",
        # build scripts (codebuild_scripts/ and `cp codebuild_scripts/* .`)
        "codebuild_scripts/",
        "execute_stage_scripts.sh",
        "find_replace.py",
        "install_stage_dependencies.sh",
        "merge_baseline_template_parameter.py",
        "merge_directories.sh",
        "merge_manifest.py",
        "run-validation.sh",
        "state_machine_trigger.py",
        "custom-control-tower-scripts.zip",
        # created by merge_directories.sh
        "original/",
        "add-on-manifests/",
        "merge_report.txt",
    }
)


class PackageReservedNames(Check):
    id = "CFCT-P002"
    shortdesc = "no root entry named like CfCT's build scripts"
    description = (
        "CfCT's CodeBuild projects unzip their own scripts and Python dependencies into the "
        "package root (unzip -o, overwriting) and copy the stage scripts there: a package file "
        "or folder with one of those names is overwritten or breaks the build."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for name in ctx.source.root_names():
            if name in RESERVED:
                yield self.finding(
                    "error",
                    name,
                    None,
                    "",
                    f"{name} at the package root clashes with CfCT's build, which unzips its own "
                    "scripts and Python packages there (overwriting): rename or move it",
                )
