"""Management-account prerequisite: the AWSControlTowerExecution role CfCT's StackSets need there.

CfCT deploys every StackSet self-managed: AWSControlTowerStackSetRole in the management account
assumes AWSControlTowerExecution in each target account. Control Tower creates that role in
every enrolled account, but not in the management account, so the organization trail's stack
instance fails there until the customer creates it. This template does, once, by hand
(`cfct-build bootstrap`): it is not part of the CfCT package.
"""

from __future__ import annotations

from awacs.aws import Action, Allow, PolicyDocument, Principal, Statement
from troposphere import GetAtt, Output, Sub, Template
from troposphere.iam import Role

from cfct_build import naming
from cfct_build.components._common import TEMPLATE_FORMAT_VERSION, cfn_nag_suppress, retain, tags
from cfct_build.config import Settings

COMPONENT = "management-execution-role"
ROLE = "ControlTowerExecutionRole"
ADMINISTRATOR_ACCESS = "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"

ROLE_DESCRIPTION = (
    "Lets CfCT StackSets (AWSControlTowerStackSetRole) deploy into the management account. "
    "AdministratorAccess is what Control Tower gives this role in every member account: "
    "StackSet templates create IAM, CloudTrail, KMS and other resources, so a narrower policy "
    "would break later packages. Only AWSControlTowerStackSetRole of this account may assume it."
)


def stackset_role_arn(s: Settings) -> Sub:
    return Sub(
        f"arn:${{AWS::Partition}}:iam::{s.organization.management_account}:role/"
        f"{naming.CT_STACKSET_ROLE_PATH}"
    )


def trust_policy(s: Settings) -> PolicyDocument:
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="ControlTowerStackSetRoleOnly",
                Effect=Allow,
                Principal=Principal("AWS", [stackset_role_arn(s)]),
                Action=[Action("sts", "AssumeRole")],
            )
        ],
    )


def build(s: Settings) -> Template:
    t = Template(
        Description=(
            "cfct-build: AWSControlTowerExecution role in the management account, so CfCT "
            "StackSets can deploy there (deploy once with management-account credentials)."
        )
    )
    t.set_version(TEMPLATE_FORMAT_VERSION)
    role = t.add_resource(
        retain(
            Role(
                ROLE,
                RoleName=naming.CT_EXECUTION_ROLE,
                Description=ROLE_DESCRIPTION,
                AssumeRolePolicyDocument=trust_policy(s),
                ManagedPolicyArns=[Sub(ADMINISTRATOR_ACCESS)],
                Tags=tags(COMPONENT),
                Metadata=cfn_nag_suppress(
                    (
                        "W28",
                        "CfCT and Control Tower find the role by this exact name; it must not be "
                        "renamed or replaced.",
                    ),
                    (
                        "W43",
                        "Same policy Control Tower attaches to AWSControlTowerExecution in member "
                        "accounts; StackSets deploy arbitrary customizations through it. Only "
                        "AWSControlTowerStackSetRole may assume it.",
                    ),
                ),
            )
        )
    )
    t.add_output(
        Output("RoleArn", Description="ARN of AWSControlTowerExecution", Value=GetAtt(role, "Arn"))
    )
    return t
