"""Any package, however broken, yields findings: never a traceback, never an internal error."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfct_build.validate import Finding, validate_files

COMPLETE = Path(__file__).resolve().parent.parent / "fixtures" / "good" / "complete"
FILES = {
    p.relative_to(COMPLETE).as_posix(): p.read_bytes() for p in COMPLETE.rglob("*") if p.is_file()
}
LINES = FILES["manifest.yaml"].decode().splitlines(keepends=True)
SNIPPETS = [
    "  - ", "- name: x\n", "resource_file: ", ": ", "{", "}", "[", "]", "'", '"', "&a ", "*a", "<<: *a\n",
    "!Ref ", "0o17", "012", "null", "~", "yes", "$[", "$[alfred_ssm_", "$[output_", ",", "#", "\t", "\n",
    "  ", "Root:", "::", "stack_set", "scp", "parameters:\n", "export_outputs:\n", "_file: x\n",
]  # fmt: skip


@st.composite
def mutated_manifest(draw: st.DrawFn) -> bytes:
    lines = list(LINES)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        i = draw(st.integers(min_value=0, max_value=max(len(lines) - 1, 0)))
        action = draw(st.sampled_from(["delete", "insert", "splice", "duplicate"]))
        if action == "delete" and lines:
            del lines[i]
        elif action == "insert":
            lines.insert(i, draw(st.sampled_from(SNIPPETS)))
        elif action == "duplicate" and lines:
            lines.insert(i, lines[i])
        elif lines:
            line = lines[i]
            at = draw(st.integers(min_value=0, max_value=len(line)))
            lines[i] = line[:at] + draw(st.sampled_from(SNIPPETS)) + line[at:]
    return "".join(lines).encode()


def _no_internal_errors(files: dict[str, bytes]) -> None:
    found = validate_files(files, lint=False)
    assert [f for f in found if "internal error" in f.message] == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_manifest())
def test_mutated_manifests(manifest: bytes) -> None:
    _no_internal_errors({**FILES, "manifest.yaml": manifest})


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(sorted(FILES)))
def test_arbitrary_bytes_in_any_file(data: bytes, rel: str) -> None:
    _no_internal_errors({**FILES, rel: data})


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.sampled_from(sorted(FILES)))
def test_arbitrary_text_in_any_file(text: str, rel: str) -> None:
    _no_internal_errors({**FILES, rel: text.encode()})


def test_deeply_nested_files_are_findings() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    files = {
        **FILES,
        "templates/producer.template": deep,
        "templates/consumer.template": b'{"a":' + deep + b"}",
        "parameters/consumer.json": deep,
    }
    assert [f for f in validate_files(files, lint=True) if f.severity == "error"] == [
        Finding("parameters/consumer.json", None, "CFCT-P005", "error", "", "the document is nested too deeply to read: CfCT's build JSON-checks it"),
        Finding("templates/consumer.template", None, "CFCT-T001", "error", "", "the document is nested too deeply to read"),
        Finding("templates/producer.template", None, "CFCT-T001", "error", "", "the document is nested too deeply to read"),
    ]  # fmt: skip
