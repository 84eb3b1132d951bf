"""Nothing internal is reachable from outside, and every server bounds what it reads (issue 9, item 1).

The servers are started for real (marker ``rest``): the action server and Rasa as tests/servers.py starts
them (the same commands as scripts/run.sh), and the website (``python -m bot web``). Listening addresses
are read from the running processes (their sockets in /proc/<pid>/fd, matched in /proc/net/tcp and tcp6),
not from the configuration.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.security.processes import group_pids, listening_addresses, other_local_addresses, peak_memory_kib
from tests.security.raw_http import chunked, post_raw, status_of
from tests.servers import ROOT, free_port

rest = pytest.mark.rest
MIB = 1024 * 1024


needs_proc = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="/proc/net/tcp absent (Linux seulement)")


# --------------------------------------------------------------------------------------------- servers


@pytest.fixture(scope="module")
def website(live_servers, tmp_path_factory) -> Iterator[tuple[int, subprocess.Popen]]:
    """``python -m bot web`` as scripts/run.sh starts it, without --host (its default), relaying to Rasa."""
    folder = tmp_path_factory.mktemp("website")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": live_servers.env["DATABASE_URL"], "WEB_SECRET_KEY": "t" * 64,
           "RASA_URL": f"http://127.0.0.1:{live_servers.rasa_port}", "SECURITY_LOG_FILE": str(folder / "security.log"),
           "MAIL_OUTBOX_DIR": str(folder / "outbox"), "PURGE_SCHEDULE": "0", "RASA_TELEMETRY_ENABLED": "false"}
    env.pop("SMTP_URL", None)
    with open(folder / "web.log", "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot", "web", "--port", str(port)], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
                pytest.fail(f"Site non démarré ; voir {folder / 'web.log'}")
            time.sleep(0.3)
    yield port, process
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def post_json(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, object]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, raw.decode("utf-8", "replace")


def action_call(text_: str = "combien on peut demander ?") -> bytes:
    """What Rasa sends to run ``action_answer_faq`` for an amount question."""
    message = {"text": text_, "intent": {"name": "ask_amount", "confidence": 1.0}, "entities": []}
    tracker = {"sender_id": "svc-test", "slots": {}, "latest_message": message, "active_loop": {},
               "events": [{"event": "user", "text": text_, "parse_data": message, "timestamp": 1}],
               "paused": False, "followup_action": None, "latest_action_name": "action_listen"}
    return json.dumps({"next_action": "action_answer_faq", "sender_id": "svc-test", "tracker": tracker,
                       "domain": {}, "version": "3.6.21"}).encode()


def bomb(size: int, wbits: int) -> bytes:
    """A few hundred kilobytes that inflate to ``size`` bytes of JSON-looking spaces."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = b" " * MIB
    return packer.compress(b"{") + b"".join(packer.compress(block) for _ in range(size // MIB)) + packer.flush()


# ------------------------------------------------------------------------------------ listening addresses


def test_run_script_binds_privately_and_bounds_bodies():
    """scripts/run.sh starts the same commands as tests/servers.py: private addresses, bounded bodies, no CORS."""
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert "--cors" not in script and "rasa\" run actions" not in script
    assert '-m bot.rasa.action_server --host "$ACTION_HOST"' in script
    assert '--interface "$RASA_HOST"' in script and 'SANIC_REQUEST_MAX_SIZE="$RASA_MAX_BODY_BYTES"' in script
    assert "ACTION_HOST=${ACTION_HOST:-127.0.0.1}" in script and "RASA_HOST=${RASA_HOST:-127.0.0.1}" in script
    assert "socketio" not in (ROOT / "credentials.yml").read_text()


@rest
@needs_proc
def test_rasa_and_the_action_server_listen_on_loopback_only(live_servers):
    actions, rasa = live_servers.processes
    assert listening_addresses(actions.pid) == {("127.0.0.1", live_servers.action_port)}
    assert listening_addresses(rasa.pid) == {("127.0.0.1", live_servers.rasa_port)}


@rest
@needs_proc
def test_the_website_listens_on_loopback_by_default(website):
    port, process = website
    assert listening_addresses(process.pid) == {("127.0.0.1", port)}


@rest
def test_internal_ports_refuse_connections_on_the_other_addresses(live_servers):
    addresses = other_local_addresses()
    if not addresses:
        pytest.skip("aucune adresse IPv4 autre que 127.0.0.1 sur cette machine")
    for address in addresses:
        for port in (live_servers.rasa_port, live_servers.action_port):
            with pytest.raises(OSError):
                socket.create_connection((address, port), timeout=2).close()


@rest
def test_rasa_has_no_socketio_channel_and_no_cors(live_servers):
    base = f"http://127.0.0.1:{live_servers.rasa_port}"
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{base}/socket.io/?EIO=4&transport=polling", timeout=10)
    assert error.value.code == 404
    request = urllib.request.Request(f"{base}/webhooks/rest/webhook", method="OPTIONS",
                                     headers={"Origin": "https://pirate.example", "Access-Control-Request-Method": "POST"})
    try:
        headers = urllib.request.urlopen(request, timeout=10).headers
    except urllib.error.HTTPError as exc:
        headers = exc.headers
    assert "Access-Control-Allow-Origin" not in headers


# ----------------------------------------------------------------------------------------- body sizes


@rest
def test_rasa_refuses_an_oversized_body(live_servers):
    port, limit = live_servers.rasa_port, live_servers.rasa_max_body
    assert status_of(post_raw(port, "/webhooks/rest/webhook", b"x" * (limit + 1))) == 413
    assert status_of(post_raw(port, "/webhooks/rest/webhook", chunked(b"x" * (2 * limit)))) == 413
    # Below the limit, a long message is still answered (cut to 2 000 characters).
    body = json.dumps({"sender": "svc-long", "message": "combien on peut demander ? " * 5000}).encode()
    assert len(body) < limit
    status, messages = post_json(live_servers.webhook, body, {})
    assert status == 200 and messages


@rest
def test_the_action_server_refuses_an_oversized_body(live_servers):
    assert status_of(post_raw(live_servers.action_port, "/webhook", b" " * (8 * MIB + 1))) == 413
    assert status_of(post_raw(live_servers.action_port, "/webhook", chunked(b" " * (9 * MIB)))) == 413


@rest
@pytest.mark.parametrize("encoding, wbits", [("deflate", zlib.MAX_WBITS), ("gzip", 16 + zlib.MAX_WBITS)])
def test_the_action_server_refuses_a_decompression_bomb(live_servers, encoding, wbits):
    url = f"http://127.0.0.1:{live_servers.action_port}/webhook"
    body = bomb(512 * MIB, wbits)
    assert len(body) < MIB  # under the raw limit: only the inflated size is refused
    pids = group_pids(live_servers.processes[0].pid)
    before = max(peak_memory_kib(pid) for pid in pids)
    started = time.monotonic()
    status, answer = post_json(url, body, {"Content-Encoding": encoding})
    assert status == 413 and answer == {"error": "Corps de requête trop volumineux."}
    assert time.monotonic() - started < 10
    # Never more than the limit inflated in memory (rasa_sdk alone would have held 512 MiB).
    assert max(peak_memory_kib(pid) for pid in pids) - before < 64 * 1024
    assert urllib.request.urlopen(f"http://127.0.0.1:{live_servers.action_port}/health", timeout=10).status == 200


@rest
@pytest.mark.parametrize("encoding, wbits", [("deflate", zlib.MAX_WBITS), ("gzip", 16 + zlib.MAX_WBITS)])
def test_the_action_server_still_reads_compressed_calls(live_servers, encoding, wbits):
    """Rasa compresses action calls with deflate when COMPRESS_ACTION_SERVER_REQUEST is set."""
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    body = packer.compress(action_call()) + packer.flush()
    status, answer = post_json(f"http://127.0.0.1:{live_servers.action_port}/webhook", body,
                               {"Content-Encoding": encoding})
    assert status == 200 and "15 000" in answer["responses"][0]["text"]


@pytest.mark.parametrize("encoding, wbits", [("deflate", zlib.MAX_WBITS), ("gzip", 16 + zlib.MAX_WBITS)])
def test_inflate_keeps_at_most_the_limit(encoding, wbits):
    from bot.rasa.action_server import BodyTooLarge, inflate

    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    assert inflate(packer.compress(b"x" * 1000) + packer.flush(), encoding, 1000) == b"x" * 1000
    with pytest.raises(BodyTooLarge):
        inflate(bomb(64 * MIB, wbits), encoding, MIB)
    with pytest.raises((zlib.error, ValueError)):
        inflate(bomb(MIB, wbits)[:-10], encoding, 2 * MIB)


@rest
def test_the_action_server_refuses_unknown_or_broken_encodings(live_servers):
    url = f"http://127.0.0.1:{live_servers.action_port}/webhook"
    assert post_json(url, action_call(), {"Content-Encoding": "br"})[0] == 415
    assert post_json(url, b"pas du zlib", {"Content-Encoding": "deflate"})[0] == 400
    truncated = zlib.compress(action_call())[:-8]
    assert post_json(url, truncated, {"Content-Encoding": "deflate"})[0] == 400


@rest
def test_the_website_refuses_an_oversized_body(website):
    port, _ = website
    assert status_of(post_raw(port, "/api/chat", b"x" * (64 * 1024 + 1))) == 413
    assert status_of(post_raw(port, "/api/chat", chunked(b"x" * (4 * MIB)))) == 413
    assert status_of(post_raw(port, "/staff/login", b"x" * (4 * MIB), "application/x-www-form-urlencoded")) == 413


# ------------------------------------------------------------------------------------------- sender


@rest
@pytest.mark.parametrize("body", [
    {"message": "bonjour"}, {"sender": "", "message": "bonjour"}, {"sender": "   ", "message": "bonjour"},
    {"sender": None, "message": "bonjour"}, {"sender": {"id": "a"}, "message": "bonjour"},
    {"sender": ["a"], "message": "bonjour"}, {"sender": True, "message": "bonjour"}, "pas un objet",
])
def test_rest_message_without_a_sender_is_refused(live_servers, body):
    raw = json.dumps(body).encode() if not isinstance(body, str) else body.encode()
    status, answer = post_json(live_servers.webhook, raw, {})
    assert status == 400
    assert answer == {"error": "Le champ « sender » (identifiant de la conversation) est obligatoire."}


@rest
def test_no_shared_anonymous_conversation(live_servers):
    post_json(live_servers.webhook, json.dumps({"message": "bonjour"}).encode(), {})
    status, messages = live_servers.send("svc-with-sender", "bonjour")
    assert status == 200 and messages
    engine = create_engine(live_servers.env["DATABASE_URL"])
    with engine.connect() as connection:
        senders = set(connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())
    engine.dispose()
    assert "svc-with-sender" in senders and "anonyme" not in senders and "" not in senders
