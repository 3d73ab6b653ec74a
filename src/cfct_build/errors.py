"""Errors the CLI maps to exit codes. Every user-facing error is located."""

from __future__ import annotations

from dataclasses import dataclass


class CfctBuildError(Exception):
    """Base class: a clear message for the user, never a traceback."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file."""

    file: str
    path: str  # dotted key path, e.g. "bucket.object_lock.retention_days" ("" for the document)
    message: str  # what was wrong and what was expected
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = self.path or "(document)"
        return f"{where}: {key}: {self.message}"


class SettingsError(CfctBuildError):
    """The settings file is unreadable or invalid. Exit code 2; nothing is written."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UsageError(CfctBuildError):
    exit_code = 2
