"""Pytest fixtures for the emulator: dummy credentials, moto in-process, the extension active.

Import them into a conftest.py (`from emulator.fixtures import emulated_aws`) to use them;
`emulated_aws_context` gives the same environment to fixtures of a wider scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from moto import mock_aws

from emulator import moto_cfn_extension

DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
UNSET = ("AWS_PROFILE", "AWS_ENDPOINT_URL", "MOTO_ACCOUNT_ID", "AWS_ROLE_ARN")


def use_dummy_credentials(monkeypatch: pytest.MonkeyPatch, scratch: Path) -> None:
    """Dummy credentials only: no real AWS configuration can leak into a test."""
    for name, value in DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(scratch / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(scratch / "no-aws-credentials"))


@contextmanager
def emulated_aws_context(monkeypatch: pytest.MonkeyPatch, scratch: Path) -> Iterator[None]:
    """Dummy credentials, moto in-process (`mock_aws`) and the CloudFormation extension."""
    use_dummy_credentials(monkeypatch, scratch)
    with mock_aws(), moto_cfn_extension.activate():
        yield


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    use_dummy_credentials(monkeypatch, tmp_path)


@pytest.fixture
def emulated_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    with emulated_aws_context(monkeypatch, tmp_path):
        yield
