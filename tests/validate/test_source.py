"""Package sources: mappings, directories and zips."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cfct_build.validate.source import DirSource, MappingSource, normalize, zip_files


@pytest.mark.parametrize(
    ("ref", "norm"),
    [
        ("templates/a.template", "templates/a.template"),
        ("./templates//a.template", "templates/a.template"),
        ("templates/../policies/p.json", "policies/p.json"),
        ("../a.template", None),
        ("templates/../../a", None),
        ("/etc/passwd", None),
        ("templates\\a.template", None),
        (".", None),
        ("", None),
    ],
)
def test_normalize(ref: str, norm: str | None) -> None:
    assert normalize(ref) == norm


def test_mapping_source() -> None:
    src = MappingSource(
        {"manifest.yaml": b"m", "templates/a.template": b"t", "templates/.keep": b"", "x/y/z": b""}
    )
    assert src.root_names() == ["manifest.yaml", "templates/", "x/"]
    assert src.listing("templates") == ["templates/a.template"]
    assert (src.read("templates/a.template"), src.read("nope")) == (b"t", None)


def test_dir_source(tmp_path: Path) -> None:
    (tmp_path / "templates" / "sub").mkdir(parents=True)
    (tmp_path / "templates" / "sub" / "b.template").write_bytes(b"b")
    (tmp_path / "templates" / ".hidden").write_bytes(b"")
    (tmp_path / "manifest.yaml").write_bytes(b"m")
    src = DirSource(tmp_path)
    assert src.root_names() == ["manifest.yaml", "templates/"]
    assert (src.listing("templates"), src.listing("policies")) == (["templates/sub/b.template"], [])
    assert (src.read("manifest.yaml"), src.read("templates"), src.read("missing")) == (
        b"m",
        None,
        None,
    )


def test_zip_files_root_or_folder(tmp_path: Path) -> None:
    target = tmp_path / "p.zip"
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("custom-control-tower-configuration/", b"")
        zf.writestr("custom-control-tower-configuration/manifest.yaml", b"m")
        zf.writestr("custom-control-tower-configuration/templates/a.template", b"t")
        zf.writestr("other.txt", b"o")
    assert zip_files(target) == {"manifest.yaml": b"m", "templates/a.template": b"t"}
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("manifest.yaml", b"m")
        zf.writestr("custom-control-tower-configuration/manifest.yaml", b"other")
    assert zip_files(target) == {
        "manifest.yaml": b"m",
        "custom-control-tower-configuration/manifest.yaml": b"other",
    }
