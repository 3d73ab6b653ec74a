"""Our manifest schema against CfCT's own: pykwalify 1.8.0 (the version CfCT's build installs)
with CfCT's manifest-v2.schema.yaml must reject exactly the manifests our schema-level checks
reject (CFCT-M001..M005), apart from the documented YAML 1.1/1.2 differences below.

Needs ../shared (CfCT's schema) and pykwalify (skipped where either is missing).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from cfct_build.validate import validate_files

SCHEMA = "anchors/cfct/source/src/cfct/validation/manifest-v2.schema.yaml"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCHEMA_LEVEL = {"CFCT-M001", "CFCT-M002", "CFCT-M003", "CFCT-M004", "CFCT-M005"}

BASE = """region: us-east-1
version: 2021-03-15
resources:
  - name: a
    resource_file: templates/a.template
    deploy_method: stack_set
    deployment_targets:
      organizational_units: [X]
"""
TARGETS = "    deployment_targets:\n      organizational_units: [X]\n"
VARIANTS = {
    "base": BASE,
    "quoted version": BASE.replace("version: 2021-03-15", "version: '2021-03-15'"),
    "v1 version": BASE.replace("2021-03-15", "2020-01-01"),
    "bool yes": BASE + "enable_stack_set_deletion: yes\n",
    "bool true": BASE + "enable_stack_set_deletion: true\n",
    "bool null": BASE + "enable_stack_set_deletion:\n",
    "bool quoted": BASE + "enable_stack_set_deletion: 'true'\n",
    "null OU item": BASE.replace("[X]", "[X, null]"),
    "int OU item": BASE.replace("[X]", "[5]"),
    "null description": BASE.replace("    deploy_method", "    description:\n    deploy_method"),
    "int parameter value": BASE
    + "    parameters:\n      - parameter_key: A\n        parameter_value: 5\n",
    "null parameter value": BASE
    + "    parameters:\n      - parameter_key: A\n        parameter_value:\n",
    "missing parameter value": BASE + "    parameters:\n      - parameter_key: A\n",
    "duplicate key": BASE + "region: eu-west-1\n",
    "null targets": BASE.replace(TARGETS, "    deployment_targets:\n"),
    "empty targets": BASE.replace(TARGETS, "    deployment_targets: {}\n"),
    "missing targets": BASE.replace(TARGETS, ""),
    "unknown target key": BASE.replace(TARGETS, "    deployment_targets:\n      ous: [X]\n"),
    "null resources": "region: us-east-1\nversion: 2021-03-15\nresources:\n",
    "no resources": "region: us-east-1\nversion: 2021-03-15\n",
    "null resource": "region: us-east-1\nversion: 2021-03-15\nresources:\n  -\n",
    "duplicate regions": BASE + "    regions: [a, a]\n",
    "null regions": BASE + "    regions:\n",
    "int name": BASE.replace("name: a", "name: 5"),
    "YAML 1.2 octal name": BASE.replace("name: a", "name: 0o17"),
    "YAML 1.2 float name": BASE.replace("name: a", "name: 1e3"),
    "octal-looking region": BASE.replace("region: us-east-1", "region: 0755"),
    "any accounts": BASE.replace(
        "organizational_units: [X]", "accounts: [123456789012, null, {a: 1}]"
    ),
    "unknown resource key": BASE + "    foo: 1\n",
    "unknown top key": BASE + "foo: 1\n",
    "bad deploy method": BASE.replace("stack_set", "stackset"),
    "null export value": BASE + "    export_outputs:\n      - name: /x\n        value:\n",
    "null region": BASE.replace("region: us-east-1", "region:"),
    "missing region": BASE.replace("region: us-east-1\n", ""),
    "list document": "- a\n",
    "bad yaml": BASE + "  - name: [\n",
}
# Where YAML 1.1 (PyYAML: CfCT's deployer and our checks) and YAML 1.2 (ruamel.yaml under
# pykwalify) read a scalar differently, our checks are stricter: (pykwalify accepts, we reject).
DIVERGENT = {
    "yes as a name": BASE.replace("name: a", "name: yes"),
    "sexagesimal name": BASE.replace("name: a", "name: 12:30"),
}


def _pykwalify_accepts(shared_dir: Path, tmp_path: Path, text: str) -> bool:
    core_mod = pytest.importorskip("pykwalify.core")
    data = tmp_path / "manifest.yaml"
    data.write_text(text)
    logging.getLogger("pykwalify").setLevel(logging.CRITICAL)
    try:
        core = core_mod.Core(source_file=str(data), schema_files=[str(shared_dir / SCHEMA)])
        core.validate(raise_exception=False)
    except Exception:  # ruamel.yaml parse errors, duplicate keys, empty documents
        return False
    return not core.validation_errors


def _we_accept(text: str) -> bool:
    found = validate_files({"manifest.yaml": text.encode()}, lint=False)
    return not any(f.id in SCHEMA_LEVEL and f.severity == "error" for f in found)


def _fixture_manifests() -> dict[str, str]:
    return {p.parent.name: p.read_text() for p in sorted(FIXTURES.glob("*/*/manifest.yaml"))}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_verdicts_agree(name: str, shared_dir: Path, tmp_path: Path) -> None:
    text = VARIANTS[name]
    assert _we_accept(text) == _pykwalify_accepts(shared_dir, tmp_path, text)


@pytest.mark.parametrize("name", sorted(_fixture_manifests()))
def test_fixture_verdicts_agree(name: str, shared_dir: Path, tmp_path: Path) -> None:
    text = _fixture_manifests()[name]
    assert _we_accept(text) == _pykwalify_accepts(shared_dir, tmp_path, text)


@pytest.mark.parametrize("name", sorted(DIVERGENT))
def test_documented_divergences(name: str, shared_dir: Path, tmp_path: Path) -> None:
    text = DIVERGENT[name]
    assert (_pykwalify_accepts(shared_dir, tmp_path, text), _we_accept(text)) == (True, False)
