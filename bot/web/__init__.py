"""The web app: the applicants' chat page (``public``) and the staff review area (``staff``).

``create_app()`` is the factory; ``python -m bot web`` serves it with waitress (port 8000).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Mapping, Optional

from flask import Flask, render_template
from flask_wtf.csrf import CSRFProtect

REPO_ROOT = Path(__file__).resolve().parents[2]
csrf = CSRFProtect()


def _secret_key() -> str:
    """WEB_SECRET_KEY, else a random key kept in var/ so that sessions survive a restart."""
    if os.environ.get("WEB_SECRET_KEY"):
        return os.environ["WEB_SECRET_KEY"]
    path = REPO_ROOT / "var" / "web_secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def create_app(config: Optional[Mapping[str, Any]] = None) -> Flask:
    app = Flask(__name__)
    https = os.environ.get("WEB_HTTPS", "").lower() in ("1", "true", "oui", "yes")
    app.config.update(
        SECRET_KEY=_secret_key(),
        RASA_URL=os.environ.get("RASA_URL", f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"),
        RASA_TIMEOUT=float(os.environ.get("RASA_TIMEOUT", "30")),
        DATABASE_URL=None,  # None: bot.db.session.database_url() (DATABASE_URL or var/ess.db)
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        PREFERRED_URL_SCHEME="https" if https else "http",
        MAX_CONTENT_LENGTH=64 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
    )
    if config:
        app.config.update(config)
    csrf.init_app(app)

    from bot.web.public import bp as public_bp
    from bot.web.staff import bp as staff_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(staff_bp, url_prefix="/staff")

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("error.html", title="Page introuvable",
                               message="Cette page n'existe pas."), 404

    @app.errorhandler(500)
    def server_error(_error):
        return render_template("error.html", title="Erreur",
                               message="Une erreur est survenue. Réessayez dans quelques instants."), 500

    return app
