"""Find the official cfn-guard 3.x binary.

It ships inside the PyPI wheel `cdklabs-cdk-validator-cfnguard` (pinned by version and hash in
requirements-guard.lock), packed in the wheel's jsii tarball for Linux and macOS, x86_64 and
aarch64. cfct-build never imports that package (its aws-cdk-lib/jsii dependencies are not
installed): it extracts the one binary for this platform, once, into a cache directory.

`CFCT_BUILD_CFN_GUARD=/path/to/cfn-guard` uses another binary (it must be 3.x).
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path

from cfct_build.errors import CfctBuildError

DISTRIBUTION = "cdklabs.cdk-validator-cfnguard"
ENV_BINARY = "CFCT_BUILD_CFN_GUARD"
INSTALL_HINT = (
    "install the pinned wheel: .venv/bin/pip install --no-deps --require-hashes "
    "-r requirements-guard.lock (python3 dev.py does it)"
)
OS_DIRS = {"Linux": "ubuntu", "Darwin": "macos"}
ARCH_DIRS = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


class GuardUnavailable(CfctBuildError):
    """No usable cfn-guard 3.x binary (exit code 2: a set-up problem, not a finding)."""

    exit_code = 2


def _member() -> str:
    system, machine = platform.system(), platform.machine().lower()
    if system not in OS_DIRS or machine not in ARCH_DIRS:
        raise GuardUnavailable(
            f"the cfn-guard wheel has no binary for {system}/{machine}; set {ENV_BINARY} to a "
            "cfn-guard 3.x binary"
        )
    return f"package/bin/{OS_DIRS[system]}/{ARCH_DIRS[machine]}/cfn-guard"


def _tarball() -> tuple[Path, str]:
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise GuardUnavailable(f"cfn-guard is not installed: {INSTALL_HINT}") from None
    for entry in dist.files or []:
        if entry.name.endswith(".jsii.tgz"):
            return Path(str(dist.locate_file(entry))), dist.version
    raise GuardUnavailable(f"{DISTRIBUTION} {dist.version} holds no jsii tarball: {INSTALL_HINT}")


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cfct-build"


def locate() -> Path:
    """The cfn-guard binary to run (extracted on first use)."""
    override = os.environ.get(ENV_BINARY)
    if override:
        path = Path(override)
        if not path.is_file():
            raise GuardUnavailable(f"{ENV_BINARY}={override}: no such file")
        return path
    tarball, version = _tarball()
    member = _member()
    target = _cache_dir() / f"cfn-guard-{version}" / member.replace("/", "_")
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball, "r:gz") as archive:
        try:
            source = archive.extractfile(member)
        except KeyError:
            source = None
        if source is None:
            raise GuardUnavailable(f"{tarball.name} has no {member}: {INSTALL_HINT}")
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as out:
            out.write(source.read())
    os.chmod(tmp, 0o755)
    os.replace(tmp, target)  # atomic: a concurrent run sees the whole file or none
    return target


def version(binary: Path) -> str:
    """`cfn-guard --version` -> "3.1.1"; refuses anything but 3.x."""
    try:
        run = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except OSError as exc:
        raise GuardUnavailable(f"cannot run {binary}: {exc.strerror or exc}") from None
    found = re.search(r"(\d+)\.(\d+)\.(\d+)", run.stdout)
    if run.returncode != 0 or found is None:
        raise GuardUnavailable(f"{binary} --version failed: {run.stderr.strip() or run.stdout}")
    if found.group(1) != "3":
        raise GuardUnavailable(f"{binary} is cfn-guard {found.group(0)}; expected 3.x")
    return found.group(0)
