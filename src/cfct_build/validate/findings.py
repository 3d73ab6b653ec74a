"""Findings: what a validator check reports, located and comparable."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, order=True)
class Finding:
    file: str  # package-relative path ("" for the package itself)
    line: int | None  # 1-based, where known
    id: str  # e.g. "CFCT-M003"
    severity: Severity
    path: str  # key path inside the file, e.g. "resources.0.name"
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = self.file or "(package)"
        if self.line is not None:
            where += f":{self.line}"
        key = f" {self.path}:" if self.path else ""
        return f"{where}: {self.severity} {self.id}:{key} {self.message}"
