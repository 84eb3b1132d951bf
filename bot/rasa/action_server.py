"""The action server: rasa_sdk's app, on a private address, with bounded request bodies.

``python -m bot.rasa.action_server --port 5055 --actions actions`` replaces ``rasa run actions``:

- it listens on ``ACTION_HOST`` (default ``127.0.0.1``; rasa_sdk would listen on ``SANIC_HOST``,
  ``0.0.0.0`` by default), so that only Rasa, on the same host or a private network, reaches it;
- a request body is at most ``ACTION_MAX_BODY_BYTES`` (default 8 MiB; Sanic's ``REQUEST_MAX_SIZE``,
  HTTP 413 beyond): Rasa sends the whole conversation with each action call;
- a compressed body (``Content-Encoding: deflate``, which Rasa sends when
  ``COMPRESS_ACTION_SERVER_REQUEST`` is set, or ``gzip``) is inflated here with the same bound
  before rasa_sdk's webhook sees it: rasa_sdk itself calls ``zlib.decompress`` with no limit, so a
  few kilobytes of deflate would otherwise grow into gigabytes in memory. Any other encoding: 415.

Everything else (routes, executor, workers from ``SANIC_WORKERS``, logging options) is rasa_sdk's.
"""
from __future__ import annotations

import argparse
import logging
import sys
import zlib

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import PayloadTooLarge, SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import SettingsError, get_settings

logger = logging.getLogger(__name__)

# Content-Encoding -> zlib window bits: "deflate" is the zlib format (as Rasa's aiohttp client sends it).
WBITS = {"deflate": zlib.MAX_WBITS, "gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS}


TOO_LARGE = "Corps de requête trop volumineux."


class BodyTooLarge(ValueError):
    """The body, once inflated, would be larger than the limit."""


def inflate(body: bytes, encoding: str, limit: int) -> bytes:
    """``body`` decompressed, never more than ``limit`` bytes kept in memory.

    Raises :class:`BodyTooLarge` beyond ``limit``, and ``zlib.error`` or ``ValueError`` for a body that
    is not one complete stream of ``encoding``.
    """
    inflater = zlib.decompressobj(WBITS[encoding])
    data = inflater.decompress(body, limit + 1)
    if len(data) > limit or inflater.unconsumed_tail:
        raise BodyTooLarge(f"corps décompressé > {limit} octets")
    if not inflater.eof or inflater.unused_data:
        raise ValueError("flux compressé incomplet ou suivi de données")
    return data


def _error(message: str, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def bound_bodies(app: Sanic, limit: int) -> Sanic:
    """Limit the raw body to ``limit`` bytes and inflate compressed bodies within the same limit."""
    app.config.REQUEST_MAX_SIZE = limit

    @app.exception(SanicException)
    async def http_error(request: Request, exception: SanicException) -> HTTPResponse:
        """Sanic's own refusals keep their status (rasa_sdk's handler would turn a 413 into a 500)."""
        if isinstance(exception, PayloadTooLarge):
            return _error(TOO_LARGE, 413)
        return _error(str(exception), getattr(exception, "status_code", 500) or 500)

    @app.middleware("request")
    async def inflate_body(request: Request) -> HTTPResponse | None:
        encoding = request.headers.get("content-encoding", "").strip().lower()
        if encoding in ("", "identity"):
            return None
        if encoding not in WBITS:
            return _error("Encodage du corps non pris en charge.", 415)
        try:
            request.body = inflate(request.body or b"", encoding, limit)
        except BodyTooLarge:
            logger.warning("Corps compressé refusé : plus de %d octets une fois décompressé.", limit)
            return _error(TOO_LARGE, 413)
        except (zlib.error, ValueError):
            return _error("Corps compressé illisible.", 400)
        # rasa_sdk's webhook now reads the inflated body as plain JSON.
        del request.headers["content-encoding"]
        return None

    return app


def create_argument_parser_with_host() -> argparse.ArgumentParser:
    parser = create_argument_parser()
    parser.add_argument("--host", default=None,
                        help="adresse d'écoute (ACTION_HOST, par défaut 127.0.0.1)")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = create_argument_parser_with_host().parse_args(argv)
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    host = args.host or settings.action_host
    # As rasa_sdk's own entry point does (rasa_sdk.__main__.main_from_args).
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel,
                                 args.logging_config_file)
    utils.update_sanic_log_level()

    limit = settings.action_max_body_bytes
    app = bound_bodies(create_app(args.actions, cors_origins=args.cors, auto_reload=args.auto_reload), limit)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    logger.info("Serveur d'actions sur %s://%s:%s (corps de %d octets au plus)",
                "https" if ssl_context else "http", host, args.port, limit)
    app.run(host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()
