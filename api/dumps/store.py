"""Where dumps live, and how one is published: written aside, then renamed into place.

Under ``DUMPS_ROOT``, one folder per audience::

    public/20261124T013000123456Z/manifest.json, documents.jsonl.gz, ...
    public/latest -> 20261124T013000123456Z

A dump is written in a hidden temporary folder beside the published ones, renamed to its id
when complete (a rename within one file system is atomic), and only then does ``latest``
point at it: a new symbolic link renamed over the old one, atomic too. Whoever reads
``latest`` finds a complete dump, the new one or the one before, never a half-written one; a
run that fails leaves its temporary folder, which the next run removes. The dump before the
latest is kept, so a download begun before the switch completes.
"""

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

MANIFEST = "manifest.json"
LATEST = "latest"
_TEMPORARY = ".tmp-"
_DUMP_ID = re.compile(r"^\d{8}T\d{12}Z$")


def audience_folder(audience: str) -> Path:
    return Path(settings.DUMPS_ROOT) / audience


def folder_new(parent: Path, prefix: str = _TEMPORARY) -> Path:
    """An empty temporary folder in ``parent`` (on the file system of the published dumps),
    readable by the web server's user like any published folder."""
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    folder.chmod(0o755)
    return folder


def file_sync(path: Path) -> None:
    """Flush a file or folder to disk: a published dump survives a crash as it was."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def publish(folder: Path, *, audience: str, dump_id: str) -> Path:
    """Move a complete dump into place as the audience's latest; prune the older ones."""
    parent = audience_folder(audience)
    final = parent / dump_id
    previous = (parent / LATEST).resolve().name if (parent / LATEST).exists() else None
    os.rename(folder, final)
    link = parent / f"{_TEMPORARY}{LATEST}"
    link.unlink(missing_ok=True)
    link.symlink_to(dump_id)  # relative: the tree may be mounted elsewhere
    os.replace(link, parent / LATEST)
    file_sync(parent)
    _prune(parent, keep={dump_id, previous})
    return final


def publish_to(folder: Path, output: Path) -> Path:
    """Move a complete dump to ``output`` (which does not exist, or is an empty folder)."""
    os.rename(folder, output)  # refused if something was put in ``output`` meanwhile
    file_sync(output.parent)
    return output


def output_check(output: Path) -> str | None:
    """Why a dump cannot be written to ``output``, or None."""
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        return f"{output} exists and is not an empty folder"
    return None


def _prune(parent: Path, *, keep: set[str | None]) -> None:
    """Remove every dump but ``keep`` (the latest and the one before, whatever their ids say
    of the clocks that named them), and temporary folders left by runs that failed (the
    caller holds the audience's lock: no run is writing one now)."""
    for entry in parent.iterdir():
        stale = _DUMP_ID.match(entry.name) and entry.name not in keep
        if (stale or entry.name.startswith(_TEMPORARY)) and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


def dump_latest(audience: str) -> tuple[Path, dict] | None:
    """The latest published dump of ``audience``: its folder and manifest (None: none yet).

    ``latest`` is resolved once, so the manifest and the files served with it come from the
    same dump even if a new one is published meanwhile."""
    try:
        folder = (audience_folder(audience) / LATEST).resolve(strict=True)
        manifest = json.loads((folder / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return None
    return folder, manifest
