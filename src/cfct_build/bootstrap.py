"""`cfct-build bootstrap`: the management-account prerequisite, printed or deployed.

Prints the AWSControlTowerExecution template (components/bootstrap.py) and the one AWS CLI
command that deploys it with management-account credentials; `--write FILE` also saves it;
`--apply` deploys it with boto3 after checking that the credentials belong to the management
account. AWS failures become one clear line and exit code 1, never a traceback.
"""

from __future__ import annotations

import json
import os
import shlex
import tempfile
from pathlib import Path
from typing import Any, TextIO

from cfct_build import naming, render
from cfct_build.components import bootstrap as component
from cfct_build.config import Settings

CAPABILITIES = ["CAPABILITY_NAMED_IAM"]
WAIT = {"Delay": 5, "MaxAttempts": 120}  # up to 10 minutes; an IAM role takes seconds
PROG = "cfct-build bootstrap"


class BootstrapError(Exception):
    """A deployment that cannot go on; the message is one line for the user."""


def template_text(s: Settings) -> str:
    return render.template_json(component.build(s))


def deploy_command(s: Settings, template_file: str, profile: str | None = None) -> str:
    """The AWS CLI command that deploys the template (management-account credentials)."""
    argv = [
        "aws",
        "cloudformation",
        "deploy",
        "--stack-name",
        naming.BOOTSTRAP_STACK,
        "--template-file",
        template_file,
        "--capabilities",
        *CAPABILITIES,
        "--region",
        s.organization.home_region,
    ]
    if profile:
        argv += ["--profile", profile]
    return shlex.join(argv)


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, then rename: never a half-written file."""
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a template is not a secret
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _same_template(deployed: Any, text: str) -> bool:
    """boto3 returns a JSON TemplateBody already parsed; compare data, not bytes."""
    if isinstance(deployed, str):
        try:
            deployed = json.loads(deployed)
        except ValueError:
            return False
    return bool(deployed == json.loads(text))


def deploy_stack(session: Any, s: Settings, text: str, out: TextIO) -> str:
    """Create or update the bootstrap stack with a boto3 Session; return the role ARN.

    Raises BootstrapError (wrong account, failed stack) or botocore errors (the caller turns
    them into messages)."""
    from botocore.exceptions import ClientError, WaiterError

    region = s.organization.home_region
    management = s.organization.management_account
    caller = session.client("sts", region_name=region).get_caller_identity()
    if caller["Account"] != management:
        raise BootstrapError(
            f"refusing to deploy: these credentials belong to account {caller['Account']} "
            f"({caller['Arn']}), not to the management account {management} "
            "(organization.management_account); use management-account credentials"
        )
    cfn = session.client("cloudformation", region_name=region)
    stack = naming.BOOTSTRAP_STACK
    try:
        stacks = cfn.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as exc:
        if "does not exist" not in str(exc):
            raise
        stacks = []
    if stacks and stacks[0]["StackStatus"] == "ROLLBACK_COMPLETE":
        raise BootstrapError(
            f"stack {stack} is in ROLLBACK_COMPLETE (its creation failed) and cannot be updated; "
            f"delete it (aws cloudformation delete-stack --stack-name {stack} --region {region}) "
            "and run again"
        )
    if not stacks:
        iam = session.client("iam", region_name=region)
        try:
            existing = iam.get_role(RoleName=naming.CT_EXECUTION_ROLE)["Role"]["Arn"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NoSuchEntity":
                raise
        else:
            raise BootstrapError(
                f"role {existing} already exists outside stack {stack}; if it trusts "
                f"role/{naming.CT_STACKSET_ROLE_PATH} CfCT can use it as it is, otherwise delete "
                "it and run again"
            )
        print(f"{stack}: creating in account {management}, {region} ...", file=out)
        cfn.create_stack(
            StackName=stack,
            TemplateBody=text,
            Capabilities=CAPABILITIES,
            EnableTerminationProtection=True,
        )
        waiter, done = "stack_create_complete", "created"
    else:
        body = cfn.get_template(StackName=stack)["TemplateBody"]
        if _same_template(body, text) and stacks[0]["StackStatus"].endswith("_COMPLETE"):
            print(f"{stack}: up to date in account {management}, {region}; nothing to do", file=out)
            return _role_arn(cfn, stack)
        print(f"{stack}: updating in account {management}, {region} ...", file=out)
        try:
            cfn.update_stack(StackName=stack, TemplateBody=text, Capabilities=CAPABILITIES)
        except ClientError as exc:
            if "No updates are to be performed" not in str(exc):
                raise
            print(f"{stack}: up to date; nothing to do", file=out)
            return _role_arn(cfn, stack)
        waiter, done = "stack_update_complete", "updated"
    try:
        cfn.get_waiter(waiter).wait(StackName=stack, WaiterConfig=WAIT)
    except WaiterError as exc:
        last = (exc.last_response or {}).get("Stacks") or [{}]
        status = last[0].get("StackStatus", "unknown")
        reason = last[0].get("StackStatusReason", str(exc))
        raise BootstrapError(f"stack {stack} ended in {status}: {reason}") from None
    arn = _role_arn(cfn, stack)
    print(f"{stack}: {done}; {arn} now trusts role/{naming.CT_STACKSET_ROLE_PATH}", file=out)
    return arn


def _role_arn(cfn: Any, stack: str) -> str:
    outputs = cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs") or []
    return next((str(o["OutputValue"]) for o in outputs if o["OutputKey"] == "RoleArn"), "?")


def _session(profile: str | None) -> Any:
    import boto3

    return boto3.Session(profile_name=profile)


def run(
    settings: Settings,
    *,
    write: str | None,
    apply: bool,
    profile: str | None,
    out: TextIO,
    err: TextIO,
) -> int:
    text = template_text(settings)
    template_file = write or naming.TEMPLATE_BOOTSTRAP
    if write:
        try:
            write_atomically(Path(write), text)
        except OSError as exc:
            print(f"{PROG}: cannot write {write}: {exc.strerror or exc}", file=err)
            return 1
    if apply:
        return _apply(settings, text, profile, out, err)
    out.write(text)
    management = settings.organization.management_account
    if write:
        print(
            f"# Wrote {write}. Deploy it with credentials of the management account {management}:",
            file=err,
        )
    else:
        print(
            f"# Save the template (printed on stdout) as {template_file}, or use --write FILE; "
            f"then deploy it with credentials of the management account {management}:",
            file=err,
        )
    print(deploy_command(settings, template_file, profile), file=err)
    return 0


def _apply(settings: Settings, text: str, profile: str | None, out: TextIO, err: TextIO) -> int:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        deploy_stack(_session(profile), settings, text, out)
    except BootstrapError as exc:
        print(f"{PROG}: {exc}", file=err)
        return 1
    except NoCredentialsError:
        print(
            f"{PROG}: no AWS credentials found; use --profile or set AWS_PROFILE to a profile of "
            f"the management account {settings.organization.management_account}",
            file=err,
        )
        return 1
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = error.get("Code", "Error")
        message = " ".join(str(error.get("Message", exc)).split())
        print(f"{PROG}: AWS error {code} in {exc.operation_name}: {message}", file=err)
        return 1
    except BotoCoreError as exc:
        print(f"{PROG}: {' '.join(str(exc).split())}", file=err)
        return 1
    return 0
