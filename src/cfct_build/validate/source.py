"""Where a package's bytes come from: an in-memory mapping, a directory, or a zip file.

A directory may hold more than the package (the repository root holds src/, tests/, ...):
only manifest.yaml, the folders CfCT reads (templates/, policies/, parameters/) and the files
the manifest references are read; the other root entries are only listed, by name, for the
reserved-name check.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Mapping
from pathlib import Path

MANIFEST = "manifest.yaml"
PACKAGE_FOLDERS = ("templates", "policies", "parameters")


def normalize(ref: str) -> str | None:
    """A package-relative POSIX path, or None when `ref` leaves the package."""
    if not ref or ref.startswith("/") or "\\" in ref:
        return None
    norm = posixpath.normpath(ref)
    if norm == ".." or norm.startswith("../") or norm == ".":
        return None
    return norm


def _visible(rel: str) -> bool:
    return not any(part.startswith(".") for part in rel.split("/"))


class PackageSource:
    """Read-only access to a package's files by package-relative POSIX path."""

    def root_names(self) -> list[str]:
        """Names at the package root; directories end with '/'."""
        raise NotImplementedError

    def listing(self, folder: str) -> list[str]:
        """Sorted relative paths of the (non-hidden) files below `folder`."""
        raise NotImplementedError

    def read(self, rel: str) -> bytes | None:
        raise NotImplementedError


class MappingSource(PackageSource):
    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.files = {posixpath.normpath(k): v for k, v in files.items()}

    def root_names(self) -> list[str]:
        names = {p.split("/", 1)[0] + ("/" if "/" in p else "") for p in self.files}
        return sorted(names)

    def listing(self, folder: str) -> list[str]:
        prefix = folder + "/"
        return sorted(p for p in self.files if p.startswith(prefix) and _visible(p))

    def read(self, rel: str) -> bytes | None:
        return self.files.get(rel)


class DirSource(PackageSource):
    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, bytes | None] = {}

    def root_names(self) -> list[str]:
        return sorted(p.name + ("/" if p.is_dir() else "") for p in self.root.iterdir())

    def listing(self, folder: str) -> list[str]:
        base = self.root / folder
        if not base.is_dir():
            return []
        found = (p.relative_to(self.root).as_posix() for p in base.rglob("*") if p.is_file())
        return sorted(p for p in found if _visible(p))

    def read(self, rel: str) -> bytes | None:
        if rel not in self._cache:
            path = self.root / rel
            self._cache[rel] = path.read_bytes() if path.is_file() else None
        return self._cache[rel]


ZIP_FOLDER = "custom-control-tower-configuration/"


def zip_files(path: Path) -> dict[str, bytes]:
    """The files of a package zip (directories skipped).

    Like CfCT's build, accept the package inside a custom-control-tower-configuration/ folder
    when the zip has no manifest.yaml at its root.
    """
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zf:
        files = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
    if MANIFEST not in files and ZIP_FOLDER + MANIFEST in files:
        files = {k[len(ZIP_FOLDER) :]: v for k, v in files.items() if k.startswith(ZIP_FOLDER)}
    return files
