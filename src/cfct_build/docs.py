"""Reference text generated from the code, so README.md cannot drift from it.

`settings_reference()` renders the settings JSON Schema as a Markdown table and
`commands_reference()` renders each sub-command's `--help`. tests/test_docs.py checks that the
README holds exactly these blocks; `python -m cfct_build.docs README.md` rewrites them.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

START = "<!-- generated:{name}:start -->"
END = "<!-- generated:{name}:end -->"


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _type(schema: dict[str, Any], node: dict[str, Any]) -> str:
    node = _resolve(schema, node)
    if "enum" in node:
        return " \\| ".join(f"`{json.dumps(v)}`" for v in node["enum"])
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if "anyOf" in node:
        return " or ".join(_type(schema, n) for n in node["anyOf"])
    t = node.get("type", "object")
    if t == "array":
        return f"list of {_type(schema, node.get('items', {}))}"
    if t == "object" and "additionalProperties" in node and not node.get("properties"):
        return f"map of {_type(schema, node['additionalProperties'])}"
    return {"string": "string", "integer": "integer", "boolean": "bool", "null": "null"}.get(
        t, "mapping"
    )


def _rows(
    schema: dict[str, Any], node: dict[str, Any], prefix: str, required: bool
) -> list[tuple[str, str, str, str]]:
    node = _resolve(schema, node)
    rows: list[tuple[str, str, str, str]] = []
    props = node.get("properties", {})
    req = set(node.get("required", []))
    for name, sub in props.items():
        path = f"{prefix}{name}"
        target = _resolve(schema, sub)
        items = _resolve(schema, target.get("items", {})) if target.get("type") == "array" else {}
        desc = sub.get("description") or target.get("description") or ""
        desc = re.sub(r"\s+", " ", desc).strip().replace("|", "\\|")
        default = (
            "required"
            if name in req
            else (f"`{json.dumps(sub['default'])}`" if "default" in sub else "")
        )
        if target.get("properties"):
            rows.append((path, "mapping", default, desc))
            rows += _rows(schema, target, path + ".", name in req)
        elif items.get("properties"):
            rows.append((path, "list of mappings", default, desc))
            rows += _rows(schema, items, path + "[].", True)
        else:
            rows.append((path, _type(schema, sub), default, desc))
    return rows


def settings_reference() -> str:
    from cfct_build.config import json_schema

    schema = json_schema()
    lines = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    for path, typ, default, desc in _rows(schema, schema, "", True):
        lines.append(f"| `{path}` | {typ} | {default} | {desc} |")
    return "\n".join(lines) + "\n"


def _fixed_width(prog: str) -> argparse.HelpFormatter:
    return argparse.HelpFormatter(prog, width=96, max_help_position=30)


def commands_reference() -> str:
    from cfct_build.cli import _parser

    parser = _parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    blocks = []
    for name, p in sub.choices.items():  # type: ignore[union-attr]
        p.prog = f"cfct-build {name}"
        p.formatter_class = _fixed_width  # independent of the terminal
        text = p.format_help().rstrip()
        blocks.append(f"#### `cfct-build {name}`\n\n```text\n{text}\n```\n")
    return "\n".join(blocks)


def profile_reference() -> str:
    from cfct_build.workload import profile_reference

    return profile_reference()


GENERATORS = {
    "settings": settings_reference,
    "commands": commands_reference,
    "profile": profile_reference,
}


def block(name: str) -> str:
    return f"{START.format(name=name)}\n{GENERATORS[name]()}{END.format(name=name)}"


def current_block(readme: str, name: str) -> str | None:
    start, end = START.format(name=name), END.format(name=name)
    i, j = readme.find(start), readme.find(end)
    if i < 0 or j < 0:
        return None
    return readme[i : j + len(end)]


def update(readme: str) -> str:
    for name in GENERATORS:
        old = current_block(readme, name)
        if old is not None:
            readme = readme.replace(old, block(name))
    return readme


if __name__ == "__main__":  # python -m cfct_build.docs README.md
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(update(path.read_text()))
