"""CfCT's parameter helpers and SSM parameter names."""

from __future__ import annotations

import pytest

from cfct_build.validate.helpers import items, keyword, keyword_problem, ssm_name_problem


def test_items_split_like_cfct() -> None:
    assert (items("a"), items("a, b ,c"), items("$[x],")) == (["a"], ["a", "b", "c"], ["$[x]", ""])


def test_keyword_only_for_whole_values() -> None:
    assert (keyword("$[alfred_genkeypair]"), keyword("x$[a]"), keyword("$[a")) == (
        "alfred_genkeypair",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("kw", "problem"),
    [
        ("alfred_ssm_/a/b", None),
        ("alfred_ssm_name", None),
        ("alfred_genkeypair", None),
        ("alfred_genpass_12", None),
        ("alfred_genpass_", None),
        ("alfred_genaz_3", None),
        ("alfred_ssm_", "the SSM parameter name is empty"),
        ("alfred_ssm_a/b", "'a/b' is not a valid SSM parameter name: a hierarchical name starts with /"),
        ("alfred_genpass_x", "$[alfred_genpass_x] is not a CfCT helper (alfred_ssm_/name, alfred_genkeypair, alfred_genpass_N, alfred_genaz_N): CfCT would pass the literal text 'alfred_genpass_x'"),
        ("alfred_genkeypair2", "$[alfred_genkeypair2] is not a CfCT helper (alfred_ssm_/name, alfred_genkeypair, alfred_genpass_N, alfred_genaz_N): CfCT would pass the literal text 'alfred_genkeypair2'"),
        ("output_KeyArn", "$[output_KeyArn] is valid only as an export_outputs value, not as a parameter value"),
    ],
)  # fmt: skip
def test_keyword_problem(kw: str, problem: str | None) -> None:
    assert keyword_problem(kw) == problem


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("/cfct-build/log-archive/key-arn", None),
        ("plain_name.v1", None),
        ("", "the SSM parameter name is empty"),
        ("/a b", "'/a b' is not a valid SSM parameter name (letters, digits, and _ . - /)"),
        ("a/b", "'a/b' is not a valid SSM parameter name: a hierarchical name starts with /"),
        ("/a//b", "'/a//b' is not a valid SSM parameter name: empty path segment"),
        (
            "/aws/x",
            "'/aws/x' is not a valid SSM parameter name: names may not begin with aws or ssm",
        ),
        (
            "SSMthing",
            "'SSMthing' is not a valid SSM parameter name: names may not begin with aws or ssm",
        ),
        ("/" + "a" * 1011, "the SSM parameter name has 1012 characters, at most 1011 are allowed"),
    ],
)
def test_ssm_name_problem(name: str, problem: str | None) -> None:
    assert ssm_name_problem(name) == problem
