"""CfCT's parameter helpers (`$[alfred_...]`, `$[output_...]`) and SSM parameter names."""

from __future__ import annotations

import re

SSM_PREFIX = "alfred_ssm_"
OUTPUT_PREFIX = "output_"
SSM_NAME = re.compile(r"^[A-Za-z0-9_.\-/]+$")
SSM_NAME_MAX = 1011
GENPASS = re.compile(r"^alfred_genpass_[0-9]*$")
GENAZ = re.compile(r"^alfred_genaz_[0-9]*$")


def items(value: str) -> list[str]:
    """CfCT splits a value containing a comma into a list of stripped items."""
    return [x.strip() for x in value.split(",")] if "," in value else [value]


def keyword(item: str) -> str | None:
    """The helper keyword when the item is a whole `$[...]` expression, else None."""
    return item[2:-1] if item.startswith("$[") and item.endswith("]") else None


def ssm_name_problem(name: str) -> str | None:
    """Why `name` cannot be an SSM parameter name, or None."""
    if not name:
        return "the SSM parameter name is empty"
    if len(name) > SSM_NAME_MAX:
        return (
            f"the SSM parameter name has {len(name)} characters, at most {SSM_NAME_MAX} are allowed"
        )
    if not SSM_NAME.match(name):
        return f"{name!r} is not a valid SSM parameter name (letters, digits, and _ . - /)"
    if "/" in name and not name.startswith("/"):
        return f"{name!r} is not a valid SSM parameter name: a hierarchical name starts with /"
    if "//" in name:
        return f"{name!r} is not a valid SSM parameter name: empty path segment"
    if name.lstrip("/").lower().startswith(("aws", "ssm")):
        return f"{name!r} is not a valid SSM parameter name: names may not begin with aws or ssm"
    return None


def keyword_problem(kw: str) -> str | None:
    """Why a `$[kw]` parameter value is not a helper CfCT expands, or None."""
    if kw.startswith(SSM_PREFIX):
        return ssm_name_problem(kw[len(SSM_PREFIX) :])
    if kw == "alfred_genkeypair" or GENPASS.match(kw) or GENAZ.match(kw):
        return None
    if kw.startswith(OUTPUT_PREFIX):
        return f"$[{kw}] is valid only as an export_outputs value, not as a parameter value"
    return (
        f"$[{kw}] is not a CfCT helper (alfred_ssm_/name, alfred_genkeypair, alfred_genpass_N, "
        f"alfred_genaz_N): CfCT would pass the literal text {kw!r}"
    )
