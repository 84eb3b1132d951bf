"""The security log: the named logger ``ess.security`` at INFO, written to stderr and to ``var/security.log``.

:func:`configure_security_log` is called by the app factory (so by ``python -m bot web`` too). The file is
created with mode 0600 (it names staff accounts and client addresses). Calling it again (tests create many
apps) replaces the handlers instead of adding more.
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

LOGGER_NAME = "ess.security"
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_MARK = "_ess_security_handler"


def security_logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


def _private_file(path: Path) -> None:
    """Create ``path`` (and its folder, 0700) with mode 0600; tighten it if it already exists."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def configure_security_log(path: Path, to_stderr: bool = True) -> logging.Logger:
    """Send ``ess.security`` (INFO and above) to ``path`` and, unless told otherwise, to stderr."""
    logger = security_logger()
    for handler in [h for h in logger.handlers if getattr(h, _MARK, False)]:
        logger.removeHandler(handler)
        handler.close()
    path = Path(path)
    handlers: list = []
    problem = None
    try:
        _private_file(path)
        handlers.append(logging.FileHandler(path, encoding="utf-8", delay=False))
    except OSError as exc:  # the site still starts; the events still reach stderr
        problem = exc
    if to_stderr or problem is not None:
        handlers.append(logging.StreamHandler(sys.stderr))
    formatter = logging.Formatter(FORMAT)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.setLevel(logging.INFO)
        setattr(handler, _MARK, True)
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # written here once, not again by whatever the root logger does
    if problem is not None:
        logger.error("Journal de sécurité impossible à écrire dans %s (%s) : sortie d'erreur seulement.", path,
                     problem)
    return logger
