"""Rasa reaches the action server over connections kept open (bot/rasa/action_client.py): the same requests,
replies and errors as Rasa's own ``EndpointConfig.request``, through one connection instead of one per message,
and a server that stops then comes back is reached again. A real HTTP server on a free port of 127.0.0.1."""
from __future__ import annotations

import asyncio
import base64

import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot.rasa import action_client
from tests.servers import free_port

RASA_OWN = EndpointConfig.request


class Server:
    """An aiohttp server that records, per request, the client's port (one port = one connection) and what it
    received; ``/webhook`` answers JSON, ``/broken`` a 500, ``/plain`` text."""

    def __init__(self, port: int) -> None:
        self.port, self.seen, self.runner = port, [], None

    async def webhook(self, request: web.Request) -> web.Response:
        if request.query.get("slow"):
            await asyncio.sleep(float(request.query["slow"]))
        self.seen.append({"client_port": request.transport.get_extra_info("peername")[1],
                          "encoding": request.headers.get("Content-Encoding"),
                          "json": await request.json(), "query": dict(request.query),
                          "auth": request.headers.get("Authorization"), "x": request.headers.get("X-Test"),
                          "content_type": request.headers.get("Content-Type")})
        return web.json_response({"events": [], "responses": [{"text": "réponse"}]})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhook", self.webhook)
        app.router.add_post("/broken", lambda r: web.Response(status=500, text="en panne"))
        app.router.add_post("/plain", lambda r: web.Response(text="pas du JSON"))
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        await self.runner.cleanup()

    @property
    def connections(self) -> int:
        return len({seen["client_port"] for seen in self.seen})


def run(coroutine_function):
    """Run ``coroutine_function(server)`` against a fresh server, then close our sessions and the server."""
    async def main():
        server = Server(free_port())
        await server.start()
        try:
            return await coroutine_function(server)
        finally:
            await action_client.close_sessions()
            await server.stop()
    return asyncio.run(main())


def endpoint(server: Server, path: str = "webhook", **options) -> EndpointConfig:
    return EndpointConfig(f"http://127.0.0.1:{server.port}/{path}", **options)


def test_rasa_opens_a_connection_per_message_ours_keeps_one():
    async def both(server):
        for _ in range(5):
            assert await RASA_OWN(endpoint(server), json={"next_action": "action_answer_faq"}) == {
                "events": [], "responses": [{"text": "réponse"}]}
        rasa_connections = server.connections
        server.seen.clear()
        for _ in range(5):
            assert await action_client.request(endpoint(server), json={"next_action": "action_answer_faq"}) == {
                "events": [], "responses": [{"text": "réponse"}]}
        return rasa_connections, server.connections, len(server.seen)

    assert run(both) == (5, 1, 5)


def test_the_same_request_reaches_the_server_headers_auth_token_and_parameters():
    options = {"headers": {"X-Test": "entête"}, "basic_auth": {"username": "rasa", "password": "secret"},
               "token": "jeton", "params": {"edition": "2026"}}

    async def both(server):
        for send in (RASA_OWN, action_client.request):
            await send(endpoint(server, **options), json={"sender_id": "a"}, params={"extra": "1"})
        return server.seen

    rasa, ours = run(both)
    assert rasa.pop("client_port") != ours.pop("client_port")
    assert ours == rasa == {"encoding": None,
        "json": {"sender_id": "a"}, "query": {"edition": "2026", "token": "jeton", "extra": "1"},
        "auth": "Basic " + base64.b64encode(b"rasa:secret").decode(), "x": "entête",
        "content_type": "application/json"}


def test_rasas_own_call_compressed_with_its_timeout_keeps_the_connection():
    """As RemoteAction.run calls it: method, json, timeout, compress (COMPRESS_ACTION_SERVER_REQUEST)."""
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

    async def compressed(server):
        for n in range(3):
            await action_client.request(endpoint(server), json={"n": n}, method="post", timeout=DEFAULT_REQUEST_TIMEOUT,
                                        compress=True)
        return [(s["json"], s["encoding"]) for s in server.seen], server.connections

    assert run(compressed) == ([({"n": n}, "deflate") for n in range(3)], 1)


def test_a_timeout_given_with_the_request_still_applies():
    async def slow(server):
        with pytest.raises(asyncio.TimeoutError):
            await action_client.request(endpoint(server), json={}, timeout=0.2, params={"slow": "1"})
        return await action_client.request(endpoint(server), json={"after": True})

    assert run(slow) == {"events": [], "responses": [{"text": "réponse"}]}


def test_errors_and_replies_without_json_are_rasas():
    async def both(server):
        outcomes = []
        for send in (RASA_OWN, action_client.request):
            with pytest.raises(ClientResponseError) as error:
                await send(endpoint(server, "broken"), json={})
            outcomes.append((error.value.status, error.value.text))
            outcomes.append(await send(endpoint(server, "plain"), json={}))
        return outcomes

    assert run(both) == [(500, b"en panne"), None, (500, b"en panne"), None]


def test_a_server_that_stops_and_comes_back_is_reached_again():
    async def restart(server):
        await action_client.request(endpoint(server), json={"n": 1})
        await server.stop()
        with pytest.raises(OSError):  # aiohttp's connection errors are OSErrors, as with Rasa's own request
            await action_client.request(endpoint(server), json={"n": 2})
        await server.start()
        return await action_client.request(endpoint(server), json={"n": 3}), [s["json"] for s in server.seen]

    assert run(restart) == ({"events": [], "responses": [{"text": "réponse"}]}, [{"n": 1}, {"n": 3}])


def test_an_idle_connection_is_closed_by_us_before_the_server_would():
    async def idle(server):
        await action_client.request(endpoint(server), json={})
        await asyncio.sleep(action_client.KEEPALIVE_S + 1)
        await action_client.request(endpoint(server), json={})
        return server.connections

    assert action_client.KEEPALIVE_S < 5  # Sanic's KEEP_ALIVE_TIMEOUT on the action server
    assert run(idle) == 2


def test_closed_sessions_are_made_again():
    async def twice(server):
        await action_client.request(endpoint(server), json={})
        await action_client.close_sessions()
        await action_client.request(endpoint(server), json={})
        return server.connections

    assert run(twice) == 2


def test_install_replaces_rasas_request_unless_disabled(monkeypatch):
    monkeypatch.setattr(EndpointConfig, "request", RASA_OWN)
    monkeypatch.setenv("RASA_KEEPALIVE_ACTIONS", "0")
    assert action_client.install() is False and EndpointConfig.request is RASA_OWN
    monkeypatch.delenv("RASA_KEEPALIVE_ACTIONS")
    assert action_client.install() is True and EndpointConfig.request is action_client.request


def test_the_rest_channel_installs_it_and_closes_the_sessions_when_the_server_stops(monkeypatch, rasa_patch_points):
    from bot.rasa.channels import SafeRestInput

    monkeypatch.setattr(EndpointConfig, "request", RASA_OWN)

    async def on_message(message):
        return None

    blueprint = SafeRestInput().blueprint(on_message)
    assert EndpointConfig.request is action_client.request
    stops = [listener for listener in blueprint._future_listeners if listener.event == "after_server_stop"]

    async def served(server):
        await action_client.request(endpoint(server), json={})
        session = action_client.session_for(endpoint(server))
        for stop in stops:
            await stop.listener(None, asyncio.get_running_loop())
        return session.closed

    assert len(stops) == 1 and run(served) is True
