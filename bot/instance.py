"""Private files in the instance folder (``var/``, or ``INSTANCE_PATH``): the folder is 0700 and every file in it
0600, from the moment it exists.

The instance folder (:attr:`bot.settings.Settings.instance_path`) holds the SQLite database, Rasa's endpoints
file (database and Redis URLs, with their passwords), the web app's secret key, the security log and the local
mail outbox. Nothing here is ever readable by another account, not even for an instant:

- a file is written into a temporary file opened with ``O_CREAT | O_EXCL`` and mode 0600, then moved into place
  with :func:`os.replace` (readers see the old content or the new one, never a partial one);
- a secret that must be created once is linked into place with :func:`os.link`, which fails if another process
  created it first (then that one is read);
- the instance folder itself is created 0700, and tightened to 0700 when an older version (or ``mkdir -p``) left
  it open.

Only the instance folder is tightened; a folder chosen elsewhere (``--out``, ``DATABASE_URL``) is created 0700
when missing but left as its owner set it.
"""
from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot.settings import get_settings

DIR_MODE = 0o700
FILE_MODE = 0o600


def instance_dir() -> Path:
    """The instance folder: ``var/`` of the repository, or ``INSTANCE_PATH``."""
    return get_settings().instance_path


def _is_instance(path: Path) -> bool:
    try:
        return path.resolve() == instance_dir().resolve()
    except OSError:
        return False


def private_dir(path: Path | None = None) -> Path:
    """Create ``path`` (default: the instance folder) with mode 0700 if missing; tighten the instance folder to 0700."""
    path = Path(path) if path is not None else instance_dir()
    if not path.exists():
        if _is_instance(path.parent):
            private_dir(path.parent)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mkdir(path, DIR_MODE)  # the umask can only remove bits: never wider than 0700
        except FileExistsError:
            pass
    if _is_instance(path) and stat.S_IMODE(path.stat().st_mode) != DIR_MODE:
        os.chmod(path, DIR_MODE)
    return path


def tighten(path: Path) -> None:
    """Make an existing file 0600 (a file left readable by an older version)."""
    if path.exists() and stat.S_IMODE(path.stat().st_mode) != FILE_MODE:
        os.chmod(path, FILE_MODE)


def _temporary(folder: Path, data: bytes) -> Path:
    """A new file in ``folder``, 0600 from its creation, holding ``data``."""
    descriptor, name = tempfile.mkstemp(dir=folder, prefix=".tmp-")  # O_CREAT | O_EXCL, mode 0600
    try:
        os.fchmod(descriptor, FILE_MODE)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _bytes(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def write_private(path: Path, data: str | bytes) -> Path:
    """Write ``data`` (text is UTF-8) to ``path``, mode 0600, atomically; its folder is made private."""
    path = Path(path)
    private_dir(path.parent)
    temporary = _temporary(path.parent, _bytes(data))
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def create_private_once(path: Path, data: str | bytes) -> bool:
    """Create ``path`` (0600) holding ``data`` unless it exists; True when this call created it.

    With several processes starting at once, exactly one creates it and all of them then read the same content.
    """
    path = Path(path)
    private_dir(path.parent)
    if path.exists():
        tighten(path)
        return False
    temporary = _temporary(path.parent, _bytes(data))
    try:
        os.link(temporary, path)  # fails if the file appeared meanwhile; never exposes a partial file
        return True
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)


def create_private_empty(path: Path) -> None:
    """Create an empty file with mode 0600 if missing (a SQLite database before SQLite opens it: SQLite gives
    its ``-wal`` and ``-shm`` files the same mode).
    """
    path = Path(path)
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        if _is_instance(path.parent):
            tighten(path)


def read_or_create_secret(path: Path, make_secret: Callable[[], str]) -> str:
    """The secret stored in ``path``, created with ``make_secret()`` (0600, atomically) the first time."""
    path = Path(path)
    if not path.exists():
        create_private_once(path, make_secret())
    else:
        tighten(path)
    return path.read_text(encoding="utf-8").strip()
