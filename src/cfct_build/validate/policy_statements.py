"""The statements of the package's SCP and RCP files, located, for the guardrail checks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cfct_build.validate.context import Context, JsonDoc
from cfct_build.validate.yamlnodes import PathPart


@dataclass(frozen=True)
class PolicyStatement:
    rel: str  # the policy file
    method: str  # "scp" or "rcp"
    doc: JsonDoc
    base: tuple[PathPart, ...]  # ("Statement", i), or ("Statement",) for a lone statement
    data: dict[str, Any]

    def line(self, *parts: PathPart) -> int | None:
        return self.doc.line((*self.base, *parts)) or self.doc.line(self.base)

    def path(self, *parts: PathPart) -> str:
        return ".".join(str(p) for p in (*self.base, *parts))

    @property
    def sid(self) -> str:
        sid = self.data.get("Sid")
        return f"statement {sid!r}" if isinstance(sid, str) else f"statement {self.path()}"

    def strings(self, key: str) -> list[tuple[tuple[PathPart, ...], str]]:
        """(path parts, value) of a string-or-list element such as Action; non-strings skipped."""
        value = self.data.get(key)
        if isinstance(value, str):
            return [((key,), value)]
        if isinstance(value, list):
            return [((key, i), v) for i, v in enumerate(value) if isinstance(v, str)]
        return []


def methods(ctx: Context) -> dict[str, str]:
    """Policy file -> deploy_method of the resource that references it."""
    out: dict[str, str] = {}
    for ref in ctx.refs:
        method = ref.res.deploy_method
        if ref.key == "resource_file" and ref.local and method in ("scp", "rcp"):
            out.setdefault(ref.local, method)
    return out


def policy_statements(ctx: Context) -> Iterator[PolicyStatement]:
    """Every statement (a JSON object) of every readable policy file, in file order."""
    by_file = methods(ctx)
    for rel in ctx.policy_files:
        doc = ctx.json(rel)
        if doc is None or doc.problem is not None or not isinstance(doc.data, dict):
            continue  # CFCT-S001
        statements = doc.data.get("Statement")
        if isinstance(statements, dict):
            yield PolicyStatement(rel, by_file.get(rel, "scp"), doc, ("Statement",), statements)
        elif isinstance(statements, list):
            for i, st in enumerate(statements):
                if isinstance(st, dict):
                    yield PolicyStatement(rel, by_file.get(rel, "scp"), doc, ("Statement", i), st)
