"""The CfCT package: built in memory from settings, then written, checked or zipped.

Only this module and cli.py touch the filesystem. cfct-build owns `manifest.yaml` and the
folders `templates/`, `policies/` and `parameters/` of the output directory: a build removes
files there that the settings no longer produce, and `--check` reports them as stale.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cfct_build import naming, scps
from cfct_build.components import stack_set_components
from cfct_build.config import Settings
from cfct_build.manifest import Manifest, render_manifest

MANIFEST = "manifest.yaml"
OWNED_DIRS = ("templates", "policies", "parameters")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed: the zip is byte-deterministic too


@dataclass(frozen=True)
class Package:
    manifest: Manifest
    files: Mapping[str, str]  # relative path -> text; includes manifest.yaml

    def as_bytes(self) -> dict[str, bytes]:
        return {path: text.encode("utf-8") for path, text in self.files.items()}


def build_package(s: Settings) -> Package:
    """The whole package as a pure function of the settings."""
    components = stack_set_components(s)
    # SCPs first: CfCT applies every SCP before any StackSet, so the manifest reads in the
    # order it runs (and no SCP consumes a StackSet output).
    guardrails = scps.policies(s)
    manifest = Manifest(
        region=s.organization.home_region,
        resources=tuple(scps.resource(s, p) for p in guardrails)
        + tuple(c.resource for c in components),
    )
    files = {c.resource.resource_file: c.text for c in components}
    files.update({p.resource_file: p.text for p in guardrails})
    files[MANIFEST] = render_manifest(manifest)
    return Package(manifest=manifest, files=dict(sorted(files.items())))


def existing_files(out: Path) -> dict[str, bytes]:
    """The package files currently in `out` (manifest.yaml and the owned folders)."""
    found: dict[str, bytes] = {}
    if (out / MANIFEST).is_file():
        found[MANIFEST] = (out / MANIFEST).read_bytes()
    for folder in OWNED_DIRS:
        base = out / folder
        if base.is_dir():
            for p in sorted(base.rglob("*")):
                if p.is_file():
                    found[p.relative_to(out).as_posix()] = p.read_bytes()
    return found


@dataclass(frozen=True)
class Drift:
    changed: list[str]  # differ from a fresh build
    missing: list[str]  # a fresh build writes them; absent
    extra: list[str]  # present in owned folders; a fresh build does not write them

    @property
    def stale(self) -> list[str]:
        return sorted(self.changed + self.missing + self.extra)


def drift(pkg: Package, out: Path) -> Drift:
    want = pkg.as_bytes()
    have = existing_files(out)
    return Drift(
        changed=sorted(p for p in want if p in have and have[p] != want[p]),
        missing=sorted(p for p in want if p not in have),
        extra=sorted(p for p in have if p not in want),
    )


def write_package(pkg: Package, out: Path) -> Drift:
    """Write the package into `out`; return what changed. Files are replaced atomically."""
    d = drift(pkg, out)
    out.mkdir(parents=True, exist_ok=True)
    want = pkg.as_bytes()
    for rel in d.changed + d.missing:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".cfct-build-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(want[rel])
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    for rel in d.extra:
        (out / rel).unlink()
    return d


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """A byte-deterministic zip with manifest.yaml at its root."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel in sorted(files):
            info = zipfile.ZipInfo(rel, date_time=ZIP_DATE)
            info.create_system = 3  # Unix, also on Windows (where ZipInfo defaults to 0)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, files[rel])
    return buf.getvalue()


def write_zip(files: Mapping[str, bytes], target: Path) -> Path:
    if target.is_dir():
        target = target / naming.PACKAGE_ZIP
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".cfct-build-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(zip_bytes(files))
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
