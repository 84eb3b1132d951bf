"""``python -m bot web [--host 127.0.0.1] [--port 8000]``: serve the website (chat page and staff area).

The site is served by waitress with ``WEB_THREADS`` threads (8 by default). A chat request holds one thread
while Rasa answers (``RASA_TIMEOUT``, 10 s at most); chat requests may use ``CHAT_MAX_PARALLEL`` threads at once
(``WEB_THREADS`` − 2), so that the staff area always has threads left (see :mod:`bot.web.chat_limits`).
The port defaults to ``WEB_PORT``, else 8000. The site talks to Rasa at ``RASA_URL`` (default
``http://127.0.0.1:5005``). Security events go to stderr and ``security.log`` in the instance folder
(``INSTANCE_PATH``, ``var/`` by default; ``SECURITY_LOG_FILE`` moves it).
"""
from __future__ import annotations

import sys

import click

from bot.cli.french import EXIT_USAGE, INTEGER, Command
from bot.settings import DEFAULT_WEB_PORT, get_settings


def _port(chosen: int | None) -> int:
    """``--port``, else ``WEB_PORT`` (a ``ValueError`` in French for a wrong value)."""
    port = chosen if chosen is not None else get_settings().web_port
    if not 1 <= port <= 65535:
        raise ValueError(f"port invalide : {port} (entre 1 et 65535).")
    return port


@click.command("web", cls=Command, short_help="démarrer le site (page de l'assistant et espace du service)")
@click.option("--host", default="127.0.0.1", metavar="ADRESSE",
              help="adresse d'écoute (défaut : 127.0.0.1 ; 0.0.0.0 pour toutes les interfaces)")
@click.option("--port", "chosen_port", type=INTEGER, metavar="PORT",
              help=f"port d'écoute (défaut : WEB_PORT, sinon {DEFAULT_WEB_PORT})")
def serve(host: str, chosen_port: int | None) -> int:
    """Démarre le site web avec waitress : la page publique de l'assistant et l'espace du service (/staff). Rasa
    doit tourner à l'adresse RASA_URL (par défaut http://127.0.0.1:5005).
    """
    import waitress

    from bot.web import create_app

    try:
        port = _port(chosen_port)
        app = create_app()
    except ValueError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_USAGE
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    print(f"Site de l'assistant : http://{shown_host}:{port}/ (espace du service : /staff). "
          "Ctrl+C pour arrêter.", flush=True)
    try:
        # waitress refuses a larger body itself (413) instead of buffering it for Flask's MAX_CONTENT_LENGTH.
        waitress.serve(app, host=host, port=port, threads=app.config["WEB_THREADS"],
                       max_request_body_size=app.config["MAX_CONTENT_LENGTH"])
    except OSError as exc:
        print(f"Erreur : impossible d'écouter sur {host}:{port} : {exc.strerror or exc}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
