"""package.py: the package in memory, drift against a directory, atomic writes, the zip.

Most tests use small hand-made `Package` objects, so they state exactly which files exist; one
checks the example settings' package.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from cfct_build import package
from cfct_build.config import Settings
from cfct_build.manifest import Manifest
from cfct_build.package import (
    Drift,
    Package,
    build_package,
    drift,
    existing_files,
    write_package,
    write_zip,
    zip_bytes,
)

FILES = {
    "manifest.yaml": "---\nregion: us-east-1\n",
    "policies/p-1.json": '{"Version":"2012-10-17"}\n',
    "templates/a.template": '{\n  "Resources": {}\n}\n',
    "templates/b.template": "{}\n",
}


def pkg(files: dict[str, str] = FILES) -> Package:
    return Package(manifest=Manifest(region="us-east-1"), files=files)


def tree(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_example_package_files(settings: Settings) -> None:
    p = build_package(settings)
    assert list(p.files) == [
        "manifest.yaml",
        "policies/cfct-build-log-archive-guardrails-1.json",
        "templates/account-baseline.template",
        "templates/log-archive-bucket.template",
        "templates/log-archive-key.template",
        "templates/log-archive-query.template",
        "templates/log-archive-replica.template",
        "templates/org-trail.template",
        "templates/tamper-alerts.template",
    ]
    assert [r.resource_file for r in p.manifest.resources] == [
        "policies/cfct-build-log-archive-guardrails-1.json",
        "templates/log-archive-key.template",
        "templates/log-archive-replica.template",
        "templates/log-archive-bucket.template",
        "templates/org-trail.template",
        "templates/tamper-alerts.template",
        "templates/account-baseline.template",
        "templates/log-archive-query.template",
    ]
    assert build_package(settings) == p  # a pure function of the settings


def test_as_bytes_is_utf8() -> None:
    assert pkg({"manifest.yaml": "name: Équipe\n"}).as_bytes() == {
        "manifest.yaml": "name: Équipe\n".encode()
    }


# --------------------------------------------------------------------------- existing, drift


def test_existing_files_reads_only_what_cfct_build_owns(tmp_path: Path) -> None:
    (tmp_path / "templates" / "nested").mkdir(parents=True)
    (tmp_path / "templates" / "nested" / "x.template").write_bytes(b"x")
    (tmp_path / "parameters").mkdir()
    (tmp_path / "parameters" / "p.json").write_bytes(b"p")
    (tmp_path / "manifest.yaml").write_bytes(b"m")
    (tmp_path / "README.md").write_bytes(b"r")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "y").write_bytes(b"y")
    assert existing_files(tmp_path) == {
        "manifest.yaml": b"m",
        "templates/nested/x.template": b"x",
        "parameters/p.json": b"p",
    }
    assert existing_files(tmp_path / "absent") == {}


def test_drift_names_changed_missing_and_extra_files(tmp_path: Path) -> None:
    write_package(pkg(), tmp_path)
    (tmp_path / "templates/a.template").write_text("{}\n")
    (tmp_path / "policies/p-1.json").unlink()
    (tmp_path / "templates/z.template").write_text("{}\n")
    (tmp_path / "parameters").mkdir()
    (tmp_path / "parameters/old.json").write_text("[]\n")
    (tmp_path / "notes.txt").write_text("not ours\n")
    d = drift(pkg(), tmp_path)
    assert d == Drift(
        changed=["templates/a.template"],
        missing=["policies/p-1.json"],
        extra=["parameters/old.json", "templates/z.template"],
    )
    assert d.stale == [
        "parameters/old.json",
        "policies/p-1.json",
        "templates/a.template",
        "templates/z.template",
    ]


def test_no_drift_after_a_write(tmp_path: Path) -> None:
    write_package(pkg(), tmp_path)
    assert drift(pkg(), tmp_path) == Drift(changed=[], missing=[], extra=[])


# --------------------------------------------------------------------------- write


def test_write_creates_the_files_with_mode_644(tmp_path: Path) -> None:
    out = tmp_path / "new" / "dir"
    d = write_package(pkg(), out)
    assert d == Drift(changed=[], missing=sorted(FILES), extra=[])
    assert tree(out) == {k: v.encode() for k, v in FILES.items()}
    assert {p.stat().st_mode & 0o777 for p in out.rglob("*") if p.is_file()} == {0o644}


def test_write_replaces_changed_removes_extra_and_keeps_the_rest(tmp_path: Path) -> None:
    write_package(pkg(), tmp_path)
    (tmp_path / "templates/a.template").write_text("old\n")
    (tmp_path / "templates/z.template").write_text("old\n")
    (tmp_path / "notes.txt").write_text("not ours\n")
    untouched = (tmp_path / "templates/b.template").stat().st_ino
    d = write_package(pkg(), tmp_path)
    assert d == Drift(changed=["templates/a.template"], missing=[], extra=["templates/z.template"])
    assert tree(tmp_path) == {
        **{k: v.encode() for k, v in FILES.items()},
        "notes.txt": b"not ours\n",
    }
    assert (tmp_path / "templates/b.template").stat().st_ino == untouched


def test_write_is_atomic_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while replacing a file leaves the old file whole and no temporary file."""
    write_package(pkg(), tmp_path)
    (tmp_path / "templates/a.template").write_text("old a\n")
    (tmp_path / "templates/b.template").write_text("old b\n")
    replaced: list[str] = []
    real_replace = os.replace

    def replace_once(src: str, dst: str | os.PathLike[str]) -> None:
        if replaced:
            raise OSError(28, "No space left on device")
        replaced.append(Path(dst).name)
        real_replace(src, dst)

    monkeypatch.setattr(package.os, "replace", replace_once)
    with pytest.raises(OSError, match="No space left on device"):
        write_package(pkg(), tmp_path)
    assert replaced == ["a.template"]
    assert tree(tmp_path) == {
        **{k: v.encode() for k, v in FILES.items()},
        "templates/b.template": b"old b\n",
    }


# --------------------------------------------------------------------------- zip


def test_zip_is_byte_deterministic_with_manifest_at_the_root() -> None:
    files = {k: v.encode() for k, v in reversed(FILES.items())}
    data = zip_bytes(files)
    assert zip_bytes(dict(sorted(files.items()))) == data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert [
            (i.filename, i.date_time, i.create_system, i.external_attr >> 16, i.compress_type)
            for i in zf.infolist()
        ] == [
            (name, (1980, 1, 1, 0, 0, 0), 3, 0o644, zipfile.ZIP_DEFLATED) for name in sorted(FILES)
        ]
        assert {n: zf.read(n) for n in zf.namelist()} == files
        assert zf.testzip() is None


def test_write_zip_to_a_file_or_a_directory(tmp_path: Path) -> None:
    files = {k: v.encode() for k, v in FILES.items()}
    target = write_zip(files, tmp_path / "dist" / "out.zip")
    assert target == tmp_path / "dist" / "out.zip"
    assert target.read_bytes() == zip_bytes(files)
    assert target.stat().st_mode & 0o777 == 0o644
    into_dir = write_zip(files, tmp_path / "dist")
    assert into_dir == tmp_path / "dist" / "custom-control-tower-configuration.zip"
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == [
        "custom-control-tower-configuration.zip",
        "out.zip",
    ]


def test_write_zip_failure_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(package.os, "replace", fail)
    with pytest.raises(OSError, match="No space left on device"):
        write_zip({"manifest.yaml": b"m"}, tmp_path / "out.zip")
    assert list(tmp_path.iterdir()) == []


def test_zip_bytes_do_not_depend_on_the_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    files = {k: v.encode() for k, v in FILES.items()}
    on_unix = zip_bytes(files)
    monkeypatch.setattr(zipfile.sys, "platform", "win32")  # ZipInfo's default system: MS-DOS
    assert zip_bytes(files) == on_unix
