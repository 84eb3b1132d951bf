"""``python -m bot web [--host 127.0.0.1] [--port 8000]``: serve the website (chat page and staff area).

The site is served by waitress with ``WEB_THREADS`` threads (8 by default). A chat request holds one thread
while Rasa answers (``RASA_TIMEOUT``, 10 s at most); chat requests may use ``CHAT_MAX_PARALLEL`` threads at once
(``WEB_THREADS`` − 2), so that the staff area always has threads left (see :mod:`bot.web.chat_limits`).
The port defaults to ``WEB_PORT``, else 8000. The site talks to Rasa at ``RASA_URL`` (default
``http://127.0.0.1:5005``). Security events go to stderr and ``var/security.log``.
"""
from __future__ import annotations

import argparse
import os
import sys

DEFAULT_PORT = 8000


def register(subparsers) -> None:
    web = subparsers.add_parser("web", help="démarrer le site (page de l'assistant et espace du service)",
                                description="Démarre le site web avec waitress : la page publique de "
                                "l'assistant et l'espace du service (/staff). Rasa doit tourner à l'adresse "
                                "RASA_URL (par défaut http://127.0.0.1:5005).")
    web.add_argument("--host", default="127.0.0.1",
                     help="adresse d'écoute (défaut : 127.0.0.1 ; 0.0.0.0 pour toutes les interfaces)")
    web.add_argument("--port", type=int, default=None,
                     help=f"port d'écoute (défaut : WEB_PORT, sinon {DEFAULT_PORT})")
    web.set_defaults(handler=serve)


def _port(args: argparse.Namespace) -> int:
    if args.port is not None:
        port = args.port
    else:
        raw = os.environ.get("WEB_PORT", "").strip() or str(DEFAULT_PORT)
        try:
            port = int(raw)
        except ValueError:
            raise ValueError(f"WEB_PORT invalide : « {raw} » (un numéro de port est attendu).") from None
    if not 1 <= port <= 65535:
        raise ValueError(f"port invalide : {port} (entre 1 et 65535).")
    return port


def serve(args: argparse.Namespace) -> int:
    import waitress

    from bot.web import create_app

    try:
        port = _port(args)
        app = create_app()
    except ValueError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    shown_host = "localhost" if args.host in ("127.0.0.1", "0.0.0.0", "::") else args.host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    print(f"Site de l'assistant : http://{shown_host}:{port}/ (espace du service : /staff). "
          "Ctrl+C pour arrêter.", flush=True)
    try:
        # waitress refuses a larger body itself (413) instead of buffering it for Flask's MAX_CONTENT_LENGTH.
        waitress.serve(app, host=args.host, port=port, threads=app.config["WEB_THREADS"],
                       max_request_body_size=app.config["MAX_CONTENT_LENGTH"])
    except OSError as exc:
        print(f"Erreur : impossible d'écouter sur {args.host}:{port} : {exc.strerror or exc}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
