"""The web app: the applicants' chat page (``public``) and the staff review area (``staff``).

``create_app()`` is the factory; ``python -m bot web`` serves it with waitress (port 8000). Its settings come from
:func:`bot.settings.get_settings`, and its instance folder (``app.instance_path``) is the settings' one: ``var/``,
which holds the secret key, the security log and, by default, the SQLite database, as in Flask's tutorial.

Behind reverse proxies, ``TRUSTED_PROXIES`` (the number of proxy hops in front of the site) makes werkzeug's
``ProxyFix`` take the client's address, scheme and host from the ``X-Forwarded-*`` headers those proxies add;
every limit (chat, staff login) uses the resulting ``request.remote_addr``. Leave it at 0 when the site is
reached directly: the headers would then be the client's own, and forged.
"""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.instance import read_or_create_secret
from bot.settings import Settings, get_settings
from bot.web.chat_limits import config_from as chat_limits_config
from bot.web.chat_limits import init_app as init_chat_limits
from bot.web.security_log import configure_security_log

HSTS = "max-age=31536000"  # one year; sent only when the site is served over HTTPS (WEB_HTTPS=1)
csrf = CSRFProtect()


def _secret_key(settings: Settings) -> str:
    """WEB_SECRET_KEY, else a random key kept in the instance folder so that sessions survive a restart."""
    if settings.web_secret_key:
        return settings.web_secret_key
    # 0600 from its creation, in the instance folder (0700), created once even by processes starting together
    return read_or_create_secret(settings.secret_key_file, lambda: secrets.token_hex(32))


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app, configured from :func:`bot.settings.get_settings` and then ``config`` (tests)."""
    settings = get_settings()
    app = Flask(__name__, instance_path=str(settings.instance_path))
    https = settings.web_https
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        RASA_URL=settings.rasa_url,
        RASA_TIMEOUT=settings.rasa_timeout,  # bounds how long a chat request holds a thread
        DATABASE_URL=None,  # None: bot.db.session.database_url() (DATABASE_URL or ess.db in the instance folder)
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        PREFERRED_URL_SCHEME="https" if https else "http",
        MAX_CONTENT_LENGTH=64 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        WEB_HTTPS=https,
        TRUSTED_PROXIES=settings.trusted_proxies,
        SECURITY_LOG_FILE=settings.security_log_file,
        **chat_limits_config(settings),
    )
    if config:
        app.config.update(config)
    csrf.init_app(app)
    configure_security_log(app.config["SECURITY_LOG_FILE"])
    hops = int(app.config["TRUSTED_PROXIES"])
    if hops > 0:
        # Flask's documented way to add a WSGI middleware; mypy sees it as overwriting the method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    from bot.application.purge import init_app as init_purge
    from bot.web.public import bp as public_bp
    from bot.web.staff import bp as staff_bp
    from bot.web.staff.auth import init_login_guard

    init_chat_limits(app)
    init_login_guard(app)
    init_purge(app)  # the daily privacy purge (a daemon thread; not when testing; PURGE_SCHEDULE=0: off)

    app.register_blueprint(public_bp)
    app.register_blueprint(staff_bp, url_prefix="/staff")

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["WEB_HTTPS"]:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    @app.errorhandler(404)
    def not_found(_error: Exception) -> ResponseReturnValue:
        return render_template("error.html", title="Page introuvable",
                               message="Cette page n'existe pas."), 404

    @app.errorhandler(500)
    def server_error(_error: Exception) -> ResponseReturnValue:
        return render_template("error.html", title="Erreur",
                               message="Une erreur est survenue. Réessayez dans quelques instants."), 500

    return app
