"""CfCT's grep pipeline, emulated line by line."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from cfct_build.validate.checks.manifest_file_lines import grep_words

CASES = [
    ("    resource_file: templates/a.template", ["templates/a.template"]),
    ("    resource_file:    templates/a.template   # comment", ["templates/a.template"]),
    ("    resource_file: templates/a.template\r", ["templates/a.template"]),
    ('    resource_file: "templates/a.template"', ['"templates/a.template"']),
    ("  - resource_file: templates/a.template", ["resource_file:"]),
    ("resource_file: templates/a.template", []),
    ("resource_file:templates/a.template", ["resource_file:templates/a.template"]),
    ("    resource_file:\ttemplates/a.template", []),
    ("    parameter_file: parameters/my file.json", ["parameters/my"]),
    ("    description: the resource_file: line", ["the"]),
    ("    # resource_file: commented", None),
    ("\t# resource_file: tab before the comment", ["tab"]),
    ("    name: no file key here", None),
]


@pytest.mark.parametrize(("line", "words"), CASES)
def test_grep_words(line: str, words: list[str] | None) -> None:
    assert grep_words(line) == words


CFCT_PIPELINE = "grep '_file:' | grep -v '^ *#' | tr -s ' ' | tr -d '\\r' | cut -d ' ' -f 3"


@pytest.mark.skipif(
    shutil.which("bash") is None or shutil.which("cut") is None, reason="needs bash and coreutils"
)
@pytest.mark.parametrize("line", [case[0] for case in CASES])
def test_grep_words_match_the_real_pipeline(line: str) -> None:
    """The emulation agrees with run-validation.sh's pipeline, then shell word splitting."""
    run = subprocess.run(
        ["bash", "-c", f'for w in $({CFCT_PIPELINE}); do echo "$w"; done'],
        input=line + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    words = grep_words(line)
    assert run.stdout.splitlines() == (words or [])
