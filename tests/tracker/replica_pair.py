"""A private PostgreSQL 15 primary and its streaming replica, on loopback, for one test run.

Made from the machine's own binaries (``initdb``, ``pg_basebackup -R``) in a temporary folder
owned by the ``postgres`` OS user, on ports picked at run time; never the shared cluster on
5432. Tests run as root, so every server command runs through ``runuser -u postgres``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

BINARIES = Path(os.environ.get("PG15_BINDIR", "/usr/lib/postgresql/15/bin"))
OS_USER = "postgres"
DATABASE = "tracker"
# Throwaway servers: no durability, little memory.
SERVER_OPTIONS = "-c fsync=off -c full_page_writes=off -c shared_buffers=16MB"


class PairUnavailable(Exception):
    """The pair cannot be made on this machine (the message says why and what to install)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ReplicaPair:
    folder: Path
    primary_port: int = field(default_factory=free_port)
    replica_port: int = field(default_factory=free_port)

    @classmethod
    def make(cls) -> ReplicaPair:
        """An initialised, started primary holding an empty ``tracker`` database."""
        _check_machine()
        folder = Path(tempfile.mkdtemp(prefix="tracker-replica-"))
        shutil.chown(folder, user=OS_USER, group=OS_USER)
        pair = cls(folder)
        while pair.replica_port == pair.primary_port:
            pair.replica_port = free_port()
        try:
            pair._as_postgres(
                "initdb", "-D", pair.primary_dir, "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
            )  # fmt: skip
            pair.start("primary")
            pair._as_postgres(
                "psql", "-h", "127.0.0.1", "-p", str(pair.primary_port), "-U", "postgres",
                "-d", "postgres", "-X", "-q", "-c", f"CREATE DATABASE {DATABASE}",
            )  # fmt: skip
        except BaseException:
            pair.remove()
            raise
        return pair

    @property
    def primary_dir(self) -> Path:
        return self.folder / "primary"

    @property
    def replica_dir(self) -> Path:
        return self.folder / "replica"

    def url(self, server: str) -> str:
        port = self.primary_port if server == "primary" else self.replica_port
        return f"postgres://postgres@127.0.0.1:{port}/{DATABASE}"

    def clone(self) -> None:
        """Makes the replica: a base backup of the primary that streams from it (``-R``)."""
        self._as_postgres(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
            "-D", self.replica_dir, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
        )  # fmt: skip

    def start(self, server: str) -> None:
        port = self.primary_port if server == "primary" else self.replica_port
        options = f"-p {port} -k {self.folder} -c listen_addresses=127.0.0.1 {SERVER_OPTIONS}"
        self._as_postgres(
            "pg_ctl", "-D", self.folder / server, "-l", self.folder / f"{server}.log",
            "-o", options, "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self, server: str, mode: str = "fast") -> None:
        self._as_postgres("pg_ctl", "-D", self.folder / server, "-m", mode, "-w", "stop")

    def remove(self) -> None:
        """Stops whatever runs and deletes the folder."""
        for server in ("replica", "primary"):
            if (self.folder / server / "postmaster.pid").exists():
                with contextlib.suppress(PairUnavailable):
                    self.stop(server, mode="immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self, server: str) -> str:
        path = self.folder / f"{server}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def _as_postgres(self, program: str, *args) -> str:
        command = [str(BINARIES / program), *map(str, args)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", OS_USER, "--", *command]
        result = subprocess.run(
            command, cwd=self.folder, capture_output=True, text=True, timeout=60, check=False
        )
        if result.returncode != 0:
            raise PairUnavailable(
                f"{program} failed ({result.returncode}): {result.stdout}{result.stderr}\n"
                f"primary log: {self.log('primary')}\nreplica log: {self.log('replica')}"
            )
        return result.stdout


def _check_machine() -> None:
    missing = [
        name for name in ("initdb", "pg_ctl", "pg_basebackup", "psql")
        if not (BINARIES / name).exists()
    ]  # fmt: skip
    if missing:
        raise PairUnavailable(
            f"PostgreSQL 15 server binaries missing from {BINARIES} ({', '.join(missing)}): "
            "install the postgresql-15 package (or point PG15_BINDIR at its bin folder); the "
            "replica test needs them to make its own primary and replica"
        )
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        raise PairUnavailable(f"no '{OS_USER}' OS user to run the servers as") from None
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != OS_USER:
        raise PairUnavailable(
            f"run the replica test as root (it starts the servers as '{OS_USER}') or as "
            f"'{OS_USER}' itself"
        )
