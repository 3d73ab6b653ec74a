"""`cfct-build prove`: exit codes and output, text and JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cfct_build import cli
from cfct_build.prove import policies

MINIMAL = Path(__file__).resolve().parent.parent / "fixtures" / "settings" / "minimal.yaml"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_minimal_settings_prove_clean_with_skip_notes() -> None:
    code, out, err = run("prove", "-s", str(MINIMAL), "--format", "brief")
    assert (code, err) == (0, "")
    assert out.splitlines()[-8:] == [
        "skipped: wl-*-trail, wl-change-selectors, wl-leave-organization: "
        "organization.organizational_units is empty, so no guardrail SCP is attached",
        "skipped: scp-*, sse-scp-*: no organizational_units, so no guardrail SCP applies",
        "skipped: *-stacksets-exec-role, *-exempt-role, scp-other-role: no organizational_units, "
        "so no guardrail SCP applies",
        "skipped: key-admin-*: key.admin_roles is empty",
        "skipped: exempt-*: no exact exempt principal in the log-archive account",
        "skipped: reader-*: key.reader_roles is empty",
        "skipped: query-reader-*: no key.reader_roles in the audit account, so nobody can run "
        "the named queries",
        "prove: all 106 cases evaluate as expected",
    ]
    assert out.splitlines()[:3] == [
        "CloudTrail (cloudtrail.amazonaws.com)",
        "  ok   ct-acl-check                                  s3:GetBucketAcl                      "
        "allow  bucket policy:CloudTrailAclCheck",
        "  ok   ct-write-member-log                           s3:PutObject                         "
        "allow  bucket policy:CloudTrailWriteOrganizationLogs",
    ]
    _, wide, _ = run("prove", "-s", str(MINIMAL))
    assert wide.splitlines()[-8:] == out.splitlines()[-8:]
    header = wide.splitlines()[0].split()
    assert header == [
        "ID", "PRINCIPAL", "ACTION", "RESOURCE", "CONTEXT", "LAYERS", "EXPECTED", "EVALUATED",
        "DECIDED", "BY",
    ]  # fmt: skip


def test_json_format_has_every_column() -> None:
    code, out, _ = run("prove", "-s", str(MINIMAL), "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["summary"] == {"cases": 106, "as_expected": 106, "differ": 0}
    assert doc["removed_statements"] == []
    first = doc["cases"][0]
    assert first == {
        "id": "ct-acl-check",
        "principal": "cloudtrail.amazonaws.com",
        "principal_label": "CloudTrail",
        "action": "s3:GetBucketAcl",
        "resource": "arn:aws:s3:::cfct-build-cloudtrail-012345678902-eu-central-1",
        "context": {
            "aws:SourceAccount": "012345678901",
            "aws:SourceArn": "arn:aws:cloudtrail:eu-central-1:012345678901:trail/"
            "cfct-build-org-data-events",
        },
        "layers": "all",
        "expected": "allow",
        "evaluated": "allow",
        "decided_by": ["bucket policy:CloudTrailAclCheck"],
        "note": "",
        "widened_by": None,
        "ok": True,
    }
    widened = next(c for c in doc["cases"] if c["id"] == "bp-widened-outside-read-log")
    assert (widened["note"], widened["widened_by"]) == (
        "bucket policy widened: s3:GetObject for an outside account",
        {
            "Sid": "WidenedOutsideAccountRead",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::cfct-build-cloudtrail-012345678902-eu-central-1/*",
        },
    )


def test_a_case_that_differs_exits_1_and_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    real = policies.generated

    def without_tls(s):  # type: ignore[no-untyped-def]
        return real(s).without(frozenset({"DenyInsecureTransport"}))

    monkeypatch.setattr("cfct_build.prove.generated", without_tls)
    code, out, _ = run("prove", "-s", str(MINIMAL), "--format", "brief")
    assert code == 1
    assert out.splitlines()[-1] == (
        "prove: 2 of 106 cases differ from expectation: ct-write-plain-http, bp-plain-http"
    )
    row = next(line for line in out.splitlines() if " ct-write-plain-http " in line)
    assert row == (
        "  FAIL ct-write-plain-http                           s3:PutObject                         "
        "allow (expected deny)  bucket policy:CloudTrailWriteOrganizationLogs"
    )


def test_bad_settings_exit_2_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("organization: {}\n")
    code, out, err = run("prove", "-s", str(bad))
    assert (code, out) == (2, "")
    assert err.startswith("cfct-build prove: error:\n")
    assert "Traceback" not in err
