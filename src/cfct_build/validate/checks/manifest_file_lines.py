"""CFCT-M010: CfCT's build can grep every file reference out of the manifest.

run-validation.sh lists the files to check with

    grep '_file:' < manifest.yaml | grep -v '^ *#' | tr -s ' ' | tr -d '\\r' | cut -d ' ' -f 3

so `resource_file:` and `parameter_file:` must be block-style keys with a plain value on the
same line, and no other line may contain `_file:` unless what that pipeline extracts from it
is an existing file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding
from cfct_build.validate.source import MANIFEST, normalize

FILE_KEYS = ("resource_file", "parameter_file")
COMMENT_LINE = re.compile(r"^ *#")
SPACES = re.compile(r" +")
GREP_PIPELINE = "grep '_file:' | tr -s ' ' | cut -d ' ' -f 3"


def grep_words(line: str) -> list[str] | None:
    """The file names CfCT's build pipeline reads from one manifest line (None: not selected)."""
    if "_file:" not in line or COMMENT_LINE.match(line):
        return None
    squeezed = SPACES.sub(" ", line).replace("\r", "")
    if " " not in squeezed:
        field = squeezed  # cut prints lines without a delimiter whole
    else:
        parts = squeezed.split(" ")
        field = parts[2] if len(parts) > 2 else ""
    return field.split()  # the shell splits the unquoted list on whitespace


class ManifestFileLines(Check):
    id = "CFCT-M010"
    shortdesc = "resource_file/parameter_file lines are readable by CfCT's grep"
    description = (
        "CfCT's build extracts file names with grep '_file:' and cut -d ' ' -f 3: quoted, "
        "flow-style, multi-line or space-containing values, and other lines containing "
        "'_file:', make it look for files that do not exist and fail."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        text = ctx.manifest_text
        if ctx.manifest is None or text is None:
            return
        lines = text.split("\n")
        key_lines: set[int] = set()
        for res in ctx.resources:
            for key_node, value in res.node.entries:
                if key_node.value not in FILE_KEYS:
                    continue
                key_lines.add(key_node.line)
                if value.text is None:
                    continue  # not a string: CFCT-M003
                problem = self._problem(
                    res.node.flow,
                    key_node.value,
                    key_node.line,
                    value.style,
                    value.line,
                    value.text,
                    lines,
                )
                if problem:
                    yield self.at("error", value, problem)
        for number, line in enumerate(lines, start=1):
            words = grep_words(line)
            if words is None or number in key_lines:
                continue
            for word in words:
                if word.startswith(("s3", "http")):
                    continue
                rel = normalize(word)
                if rel is not None and ctx.source.read(rel) is not None:
                    continue
                yield self.finding(
                    "error",
                    MANIFEST,
                    number,
                    "",
                    f"this line contains '_file:', so CfCT's build ({GREP_PIPELINE}) looks for a "
                    f"file named {word!r} and fails: keep '_file:' out of other values and comments",
                )

    @staticmethod
    def _problem(
        flow: bool,
        key: str,
        key_line: int,
        style: str | None,
        line: int,
        value: str,
        lines: list[str],
    ) -> str | None:
        if flow:
            return (
                f"the resource is written in flow style ({{...}}): CfCT's build greps '{key}:' "
                "lines, so write the resource as a block mapping, one key per line"
            )
        if style in ("'", '"'):
            return (
                f"{key} is quoted: CfCT's build reads the file name from the raw line with "
                f"{GREP_PIPELINE}, quotes included; write it unquoted: {key}: {value}"
            )
        if style in ("|", ">") or line != key_line:
            return (
                f"{key} must be a plain value on the same line as the key: CfCT's build reads "
                f"the file name from the '{key}:' line; write {key}: {value}"
            )
        words = grep_words(lines[key_line - 1]) or []
        if words != [value]:
            return (
                f"CfCT's build ({GREP_PIPELINE}) reads {' '.join(words)!r} from this line "
                f"instead of {value!r}: write '{key}: {value}' on a line of its own, after name, "
                "with no spaces in the file name"
            )
        return None
