"""The emulated AWS cloud: moto in process, dummy credentials, clients per account.

This is the only module of `simulate` that imports moto, and it imports it lazily: moto is
the optional extra `cfct-build[simulate]`, and every other command works without it.

`emulated_aws()` runs a block against moto with dummy credentials and with every setting
that could send a request elsewhere (profiles, `AWS_ENDPOINT_URL*`, config files, container
or web-identity credentials) removed from the environment for the duration of the block, so a
simulation can never reach a real AWS account. The environment is restored afterwards. When
moto is already active (the test suite's `emulated_aws` fixture), the block joins it and the
emulated state outlives the block, so tests can read it back.

`Accounts` gives boto3 clients that act as a given account, the way CfCT's StackSets do: with
the credentials of the `AWSControlTowerExecution` role assumed in that account (moto maps
assumed-role credentials to the role's account).

Two moto internals are used, both while building the emulated organization: moto gives every
new account, organization, root and OU a random ID, and the simulation must reproduce the IDs
of the settings or snapshot (the manifest names accounts by ID): `fixed_ids` replaces the ID
functions of `moto.organizations.utils` for the duration of one call. And moto creates every
account ACTIVE (the management account named `master`), with no API to suspend one but
`CloseAccount`: `set_account_details` sets the snapshot's name, email, `State` and `Status` on
moto's account object.
"""

from __future__ import annotations

import importlib
import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from types import ModuleType
from typing import Any
from unittest import mock

from cfct_build import naming
from cfct_build.errors import CfctBuildError

EXTRA = "simulate"
SESSION_NAME = "cfct-build-simulate"

DUMMY_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
# Removed for the duration of a simulation: each could route a request away from moto.
UNSAFE_PREFIXES = ("AWS_ENDPOINT_URL",)
UNSAFE_NAMES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_CA_BUNDLE",
    "MOTO_ACCOUNT_ID",
)


class MissingExtraError(CfctBuildError):
    """moto (the optional extra `simulate`) is not installed."""


class SimulationError(CfctBuildError):
    """The emulated pipeline failed: a stack instance, an SCP call, a missing parameter."""


def moto() -> ModuleType:
    """The moto package, or a clear error naming the extra that provides it."""
    try:
        return importlib.import_module("moto")
    except ImportError:
        raise MissingExtraError(
            "cfct-build simulate needs the AWS emulator moto, which is not installed.\n"
            f"Install the optional extra: pip install 'cfct-build[{EXTRA}]'"
        ) from None


def moto_version() -> str:
    return str(getattr(moto(), "__version__", "unknown"))


@contextmanager
def _safe_environment() -> Iterator[None]:
    saved = dict(os.environ)
    try:
        for name in list(os.environ):
            if name in UNSAFE_NAMES or name.startswith(UNSAFE_PREFIXES):
                del os.environ[name]
        os.environ.update(DUMMY_ENVIRONMENT)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def emulated_aws() -> Iterator[None]:
    """moto in process, dummy credentials only, for the duration of the block."""
    mock_aws = moto().mock_aws
    with _safe_environment(), mock_aws():
        yield


_ID_FUNCTIONS = {
    "account_id": "make_random_account_id",
    "org_id": "make_random_org_id",
    "root_id": "make_random_root_id",
    "ou_id": "make_random_ou_id",
}


@contextmanager
def fixed_ids(**ids: str) -> Iterator[None]:
    """The next account, organization, root or OU moto creates gets this ID, not a random one.

    Keywords: `account_id`, `org_id`, `root_id`, `ou_id`.
    """
    utils = importlib.import_module("moto.organizations.utils")
    with ExitStack() as stack:
        for key, value in ids.items():
            stack.enter_context(
                mock.patch.object(utils, _ID_FUNCTIONS[key], lambda *_args, v=value: v)
            )
        yield


def seed(value: int) -> None:
    """Seed moto's random IDs (moto's documented way to make its identifiers deterministic)."""
    importlib.import_module("moto.moto_api._internal").mock_random.seed(value)


def set_account_details(
    management_account: str,
    account_id: str,
    partition: str,
    *,
    name: str,
    email: str,
    state: str,
    status: str | None,
) -> None:
    """Give an emulated account the snapshot's name, email and lifecycle (moto creates every
    account ACTIVE, and the management account as `master`). `status` None: Organizations no
    longer returns the retired `Status` field for it."""
    models = importlib.import_module("moto.organizations.models")
    backend = models.organizations_backends[management_account][partition]
    account = backend.get_account_by_id(account_id)
    account.name = name
    account.email = email
    account.state = state
    account.status = status


@contextmanager
def quiet() -> Iterator[None]:
    """moto warns (and logs) for every resource type it skips; the report lists them instead."""
    logger = logging.getLogger("moto")
    level = logger.level
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"moto\.cloudformation\.parsing")
        logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            logger.setLevel(level)


class AccountSession:
    """What a boto3 Session is to `org.read_live`: `client(service, region_name, config)`, with
    one account's assumed-role credentials, on the shared session (one copy of each service
    model: a boto3 Session per account would load and parse every model again)."""

    def __init__(self, base: Any, credentials: dict[str, str]) -> None:
        self._base = base
        self._credentials = credentials

    def client(self, service: str, region_name: str | None = None, config: Any = None) -> Any:
        return self._base.client(
            service,
            region_name=region_name,
            config=config,
            aws_access_key_id=self._credentials["AccessKeyId"],
            aws_secret_access_key=self._credentials["SecretAccessKey"],
            aws_session_token=self._credentials["SessionToken"],
        )


class Accounts:
    """boto3 clients acting as `AWSControlTowerExecution` in each account, cached.

    Credentials and clients are cached and every client comes from one boto3 Session: creating
    sessions and clients is what costs time in a simulation.
    """

    def __init__(self, partition: str = "aws") -> None:
        self.partition = partition
        boto3 = importlib.import_module("boto3")
        self._base = boto3.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            aws_session_token="testing",
        )
        self._sessions: dict[str, AccountSession] = {}
        self._clients: dict[tuple[str, str, str], Any] = {}

    def session(self, account: str, region: str) -> AccountSession:
        if account not in self._sessions:
            sts = self._base.client("sts", region_name=region)
            credentials = sts.assume_role(
                RoleArn=f"arn:{self.partition}:iam::{account}:role/{naming.CT_EXECUTION_ROLE}",
                RoleSessionName=SESSION_NAME,
            )["Credentials"]
            self._sessions[account] = AccountSession(self._base, credentials)
        return self._sessions[account]

    def client(self, account: str, region: str, service: str) -> Any:
        key = (account, region, service)
        if key not in self._clients:
            self._clients[key] = self.session(account, region).client(service, region)
        return self._clients[key]
