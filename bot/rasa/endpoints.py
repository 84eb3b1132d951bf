"""Write Rasa's endpoints file: the action server, and the tracker store in our database.

``python -m bot.rasa.endpoints [--action-port 5055] [--action-host HOST] [--out FILE]`` writes it, by default as
``endpoints.yml`` in the instance folder (``var/``).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

from bot.db.session import database_url
from bot.instance import write_private
from bot.settings import SettingsError, get_settings


def lock_store_yaml(redis_url: str | None) -> str:
    """With REDIS_URL, Rasa's lock store lives in Redis (:class:`bot.rasa.lock_store.AtomicRedisLockStore`), which
    lets Rasa run several workers (SANIC_WORKERS); without it, the default in-memory lock store and one worker.
    """
    if not redis_url:
        return ""
    parsed = urlsplit(redis_url)
    db = (parsed.path or "/0").lstrip("/") or "0"
    lines = ["lock_store:", "  type: bot.rasa.lock_store.AtomicRedisLockStore", f"  url: {json.dumps(parsed.hostname or '127.0.0.1')}",
             f"  port: {parsed.port or 6379}", f"  db: {int(db)}", "  key_prefix: ess"]
    if parsed.password:
        lines.append(f"  password: {json.dumps(parsed.password)}")
    return "\n".join(lines) + "\n"


def action_url(action_port: int, action_host: str | None = None) -> str:
    """The action server's webhook on ``action_host``, else ``ACTION_HOST``, else 127.0.0.1 (private address)."""
    host = action_host or get_settings().action_host
    host = f"[{host}]" if ":" in host and not host.startswith("[") else host  # an IPv6 address
    return f"http://{host}:{action_port}/webhook"


def endpoints_yaml(action_port: int, db_url: str | None = None, redis_url: str | None = None,
                   action_host: str | None = None) -> str:
    url = db_url or database_url()
    # JSON strings are valid YAML scalars and escape everything safely.
    return (
        "action_endpoint:\n"
        f"  url: {json.dumps(action_url(action_port, action_host))}\n"
        "tracker_store:\n"
        "  type: bot.rasa.tracker_store.DeletableSQLTrackerStore\n"
        f"  url: {json.dumps(url)}\n"
    ) + lock_store_yaml(redis_url if redis_url is not None else get_settings().redis_url)


def main() -> None:
    parser = argparse.ArgumentParser(description="Écrit le fichier endpoints de Rasa.")
    parser.add_argument("--action-port", type=int, default=5055)
    parser.add_argument("--action-host", default=None, help="adresse du serveur d'actions (ACTION_HOST, 127.0.0.1)")
    parser.add_argument("--out", type=Path, default=None,
                        help="fichier à écrire (par défaut endpoints.yml dans le dossier d'instance, var/)")
    args = parser.parse_args()
    try:
        out = args.out or get_settings().endpoints_file
        text = endpoints_yaml(args.action_port, action_host=args.action_host)
    except SettingsError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    # Database and Redis URLs with their passwords: 0600 in a 0700 folder, written atomically.
    write_private(out, text)


if __name__ == "__main__":
    main()
