"""Every check, in report order. To add a check: a new module with one Check subclass, listed here."""

from __future__ import annotations

from cfct_build.validate.check import Check
from cfct_build.validate.checks.cfn_lint import CfnLint
from cfct_build.validate.checks.manifest_accounts import ManifestAccounts
from cfct_build.validate.checks.manifest_duplicate_keys import ManifestDuplicateKeys
from cfct_build.validate.checks.manifest_empty_targets import ManifestEmptyTargets
from cfct_build.validate.checks.manifest_export_outputs import ManifestExportOutputs
from cfct_build.validate.checks.manifest_file_lines import ManifestFileLines
from cfct_build.validate.checks.manifest_helpers import ManifestHelpers
from cfct_build.validate.checks.manifest_home_region import ManifestHomeRegion
from cfct_build.validate.checks.manifest_name_first import ManifestNameFirst
from cfct_build.validate.checks.manifest_name_syntax import ManifestNameSyntax
from cfct_build.validate.checks.manifest_name_unique import ManifestNameUnique
from cfct_build.validate.checks.manifest_ous import ManifestOus
from cfct_build.validate.checks.manifest_parameter_values import ManifestParameterValues
from cfct_build.validate.checks.manifest_parameters_exclusive import ManifestParametersExclusive
from cfct_build.validate.checks.manifest_regions import ManifestRegions
from cfct_build.validate.checks.manifest_schema import ManifestSchema
from cfct_build.validate.checks.manifest_ssm_order import ManifestSsmOrder
from cfct_build.validate.checks.manifest_stack_set_deletion import ManifestStackSetDeletion
from cfct_build.validate.checks.manifest_stack_set_only import ManifestStackSetOnly
from cfct_build.validate.checks.manifest_version import ManifestVersion
from cfct_build.validate.checks.manifest_yaml import ManifestYaml
from cfct_build.validate.checks.package_manifest import PackageManifest
from cfct_build.validate.checks.package_parameter_files import PackageParameterFiles
from cfct_build.validate.checks.package_references import PackageReferences
from cfct_build.validate.checks.package_reserved_names import PackageReservedNames
from cfct_build.validate.checks.package_unreferenced import PackageUnreferenced
from cfct_build.validate.checks.policy_actions import PolicyActions
from cfct_build.validate.checks.policy_conditions import PolicyConditions
from cfct_build.validate.checks.policy_json import PolicyJson
from cfct_build.validate.checks.policy_size import PolicySize
from cfct_build.validate.checks.policy_whitespace import PolicyWhitespace
from cfct_build.validate.checks.scp_budget import ScpBudget
from cfct_build.validate.checks.scp_ct_exemption import ScpCtExemption
from cfct_build.validate.checks.scp_principal import ScpPrincipal
from cfct_build.validate.checks.template_parameters import TemplateParameters
from cfct_build.validate.checks.template_parse import TemplateParse
from cfct_build.validate.checks.template_size import TemplateSize
from cfct_build.validate.checks.template_suppressions import TemplateSuppressions

CHECKS: tuple[Check, ...] = (
    PackageManifest(),
    PackageReservedNames(),
    PackageReferences(),
    PackageUnreferenced(),
    PackageParameterFiles(),
    ManifestYaml(),
    ManifestDuplicateKeys(),
    ManifestSchema(),
    ManifestVersion(),
    ManifestStackSetDeletion(),
    ManifestHomeRegion(),
    ManifestNameFirst(),
    ManifestNameSyntax(),
    ManifestNameUnique(),
    ManifestFileLines(),
    ManifestAccounts(),
    ManifestStackSetOnly(),
    ManifestParametersExclusive(),
    ManifestParameterValues(),
    ManifestHelpers(),
    ManifestExportOutputs(),
    ManifestSsmOrder(),
    ManifestOus(),
    ManifestRegions(),
    ManifestEmptyTargets(),
    TemplateParse(),
    TemplateSize(),
    TemplateParameters(),
    TemplateSuppressions(),
    PolicyJson(),
    PolicySize(),
    PolicyWhitespace(),
    PolicyActions(),
    PolicyConditions(),
    ScpPrincipal(),
    ScpCtExemption(),
    ScpBudget(),
    CfnLint(),
)
