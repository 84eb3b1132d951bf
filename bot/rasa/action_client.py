"""Rasa calls the action server over connections kept open between messages.

Rasa 3.6 (``rasa.utils.endpoints.EndpointConfig.request``) creates a new ``aiohttp.ClientSession`` for every
request it sends to an endpoint: a new connector, a new TCP connection to the action server, closed after the
reply. :func:`install` replaces that one method by :func:`request`, which sends the same request (same method,
URL, headers, authentication, parameters, timeout, SSL context, compression, the same errors) through one session
per event loop and endpoint settings, whose connector keeps an idle connection :data:`KEEPALIVE_S` seconds: less
than the 5 seconds the action server (Sanic) keeps it, so Rasa never sends on a connection the server is closing.
An action server that stops closes its connections; the connector then opens new ones.

In our Rasa the only endpoint that sends requests is the action server's (the tracker store is SQL, the lock store
Redis). The extension point is this module, installed like :mod:`bot.rasa.validation` by the REST input channel
(:class:`bot.rasa.channels.SafeRestInput`), which also closes the sessions when the server stops.
``RASA_KEEPALIVE_ACTIONS=0`` keeps Rasa's own method (for comparison, ``make bench``).
"""
from __future__ import annotations

import asyncio
import os
import ssl
from functools import cache
from typing import Any

import aiohttp
from aiohttp.client_exceptions import ContentTypeError

from bot.settings import get_settings

KEEPALIVE_S = 2.0  # under Sanic's KEEP_ALIVE_TIMEOUT (5 s) on the action server's side

_sessions: dict[tuple[Any, ...], aiohttp.ClientSession] = {}  # keyed by (event loop, auth, headers)


def session_for(endpoint: Any) -> aiohttp.ClientSession:
    """The session of this event loop for ``endpoint``'s headers and authentication (made once, as Rasa's
    ``EndpointConfig.session`` makes it, with a connector that keeps connections open).
    """
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

    auth = endpoint.basic_auth or {}
    key = (asyncio.get_running_loop(), auth.get("username"), auth.get("password"),
           tuple(sorted((endpoint.headers or {}).items())))
    session = _sessions.get(key)
    if session is None or session.closed:
        session = _sessions[key] = aiohttp.ClientSession(
            headers=endpoint.headers,
            auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S, limit=0),  # no cap, as Rasa's own
        )
    return session


@cache
def _ssl_context(cafile: str) -> ssl.SSLContext:
    """One context per certificate file: aiohttp reuses a connection only for the same context."""
    return ssl.create_default_context(cafile=cafile)


async def request(self: Any, method: str = "post", subpath: str | None = None,
                  content_type: str | None = "application/json", compress: bool = False, **kwargs: Any) -> Any:
    """What ``EndpointConfig.request`` does, through :func:`session_for` instead of a new session."""
    from rasa.shared.exceptions import FileNotFoundException
    from rasa.utils.endpoints import ClientResponseError, concat_url

    headers = {"Content-Type": content_type} if content_type else {}
    headers.update(kwargs.pop("headers", None) or {})
    headers.update(self.headers or {})
    sslcontext = None
    if self.cafile:
        try:
            sslcontext = _ssl_context(self.cafile)
        except FileNotFoundError as exc:
            raise FileNotFoundException(
                f"Failed to find certificate file, '{os.path.abspath(self.cafile)}' does not exist.") from exc
    params = self.combine_parameters(kwargs)
    async with session_for(self).request(method, concat_url(self.url, subpath), headers=headers, params=params,
                                         compress=compress, ssl=sslcontext, **kwargs) as response:
        if response.status >= 400:
            raise ClientResponseError(response.status, response.reason, await response.content.read())
        try:
            return await response.json()
        except ContentTypeError:
            return None


async def close_sessions() -> None:
    """Close the sessions of the running event loop (the server stops)."""
    loop = asyncio.get_running_loop()
    for key in [key for key in _sessions if key[0] is loop]:
        await _sessions.pop(key).close()


def install() -> bool:
    """Use :func:`request` for Rasa's endpoints in this process (idempotent); False when disabled with
    ``RASA_KEEPALIVE_ACTIONS=0`` (Rasa's own requests, to compare).
    """
    from rasa.utils.endpoints import EndpointConfig

    if not get_settings().rasa_keepalive_actions:
        return False
    EndpointConfig.request = request
    return True


__all__ = ["KEEPALIVE_S", "close_sessions", "install", "request", "session_for"]
