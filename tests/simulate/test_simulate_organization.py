"""The organization `simulate` builds when no snapshot is given, shaped from the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cfct_build.config import load_settings
from cfct_build.simulate.organization import default_org

EXAMPLE = Path(__file__).resolve().parents[2] / "cfct-build.yaml"


def test_the_default_org_is_shaped_from_the_settings() -> None:
    def ou(n: int, name: str, parent: str = "r-0000") -> dict[str, Any]:
        return {
            "id": f"ou-0000-0000000{n}",
            "name": name,
            "parent": parent,
            "scps": ["FullAWSAccess"],
        }

    def account(account_id: str, name: str, parent: str, enrolled: bool = True) -> dict[str, Any]:
        return {
            "id": account_id,
            "name": name,
            "email": f"aws+{account_id}@example.com",
            "parent": parent,
            "state": "ACTIVE",
            "status": "ACTIVE",
            "enrolled": enrolled,
        }

    assert default_org(load_settings(EXAMPLE)).to_dict() == {
        "version": 1,
        "organization_id": "o-a1b2c3d4e5",
        "management_account": "111111111111",
        "home_region": "us-east-1",
        "root": {"id": "r-0000", "scps": ["FullAWSAccess"]},
        "organizational_units": [
            ou(1, "Security"),
            ou(2, "Infrastructure"),
            ou(3, "Workloads"),
            ou(4, "Prod", "ou-0000-00000003"),
            ou(5, "NonProd", "ou-0000-00000003"),
            ou(6, "Sandbox"),
        ],
        "accounts": [
            account("100000000001", "workload-infrastructure", "ou-0000-00000002"),
            account("100000000002", "workload-workloads", "ou-0000-00000003"),
            account("100000000003", "workload-workloads-prod", "ou-0000-00000004"),
            account("100000000004", "workload-workloads-nonprod", "ou-0000-00000005"),
            account("100000000005", "workload-sandbox", "ou-0000-00000006"),
            account("111111111111", "Management", "r-0000", enrolled=False),
            account("222222222222", "Log Archive", "ou-0000-00000001"),
            account("333333333333", "Audit", "ou-0000-00000001"),
        ],
    }
