"""The shape of a check: an id, a short description, and `validate()` yielding located findings.

One check per module under `validate/checks/`, registered in `checks/__init__.py`. Ids:
CFCT-Mnnn manifest, CFCT-Pnnn package layout and files, CFCT-Tnnn templates, CFCT-Snnn
policies (SCPs/RCPs); `CFN-<rule>` are cfn-lint's own findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from cfct_build.validate.context import Context, Problem
from cfct_build.validate.findings import Finding, Severity
from cfct_build.validate.source import MANIFEST
from cfct_build.validate.yamlnodes import YNode


class Check:
    id: ClassVar[str]
    shortdesc: ClassVar[str]
    description: ClassVar[str]  # the CfCT rule it enforces and why
    needs_lint: ClassVar[bool] = False  # runs only when cfn-lint is requested

    def validate(self, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(
        self, severity: Severity, file: str, line: int | None, path: str, message: str
    ) -> Finding:
        return Finding(
            file=file, line=line, id=self.id, severity=severity, path=path, message=message
        )

    def unreadable(self, rel: str, problem: Problem, why: str = "") -> Finding:
        """An error where a file does not parse: its problem, then `: why` when given."""
        message = f"{problem.message}: {why}" if why else problem.message
        return self.finding("error", rel, problem.line, "", message)

    def at(
        self, severity: Severity, node: YNode, message: str, *, path: str | None = None
    ) -> Finding:
        """A finding located at a manifest node."""
        return self.finding(
            severity, MANIFEST, node.line, node.where if path is None else path, message
        )

    def at_key(self, severity: Severity, mapping: YNode, key: str, message: str) -> Finding:
        """A finding about the value of `key`, located at the key's line."""
        key_node = mapping.key_node(key)
        line = key_node.line if key_node is not None else mapping.line
        return self.finding(
            severity, MANIFEST, line, ".".join(map(str, (*mapping.path, key))), message
        )
