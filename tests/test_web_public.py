"""The public website: home page, privacy notice, static assets and the /api/chat relay to Rasa.

Rasa is replaced by a tiny HTTP server started on a free port for each test that needs it.
"""
from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from bot.call.facts import DEFAULT_CALL_FILE, get_call
from bot.eligibility.card import verdict_card
from bot.eligibility.rules import evaluate
from bot.faq.answers import euros, percent
from tests.servers import free_port

STATIC = Path(__file__).resolve().parents[1] / "bot" / "web" / "static"
UNAVAILABLE = ("L'assistant est momentanément indisponible. Votre message n'a pas été perdu : "
               "réessayez dans quelques instants.")
NO_ANSWER = ("L'assistant n'a pas pu répondre à ce message. Renvoyez-le dans quelques instants : "
             "les réponses que vous avez déjà données sont conservées.")
SENDER = "test-sender_0123"
CANNED = [
    {"recipient_id": SENDER, "text": "Vous pouvez demander entre 5 000 € et 15 000 €."},
    {"recipient_id": SENDER, "text": "Autre chose ?",
     "buttons": [{"title": "Qui peut candidater ?", "payload": "Qui peut candidater ?"},
                 {"title": "Le calendrier", "payload": "Quelles sont les dates ?"}]},
    {"recipient_id": SENDER, "image": "/static/example.png"},
]


class FakeRasa(BaseHTTPRequestHandler):
    """Answers the REST webhook according to ``server.mode``; records what it received."""

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        self.server.received.append({"path": self.path, "body": body})
        mode = self.server.mode
        if mode == "slow":
            time.sleep(1.5)
        if mode == "error":
            self._send(500, b'{"error": "boom"}')
        elif mode == "not_json":
            self._send(200, b"<html>proxy error</html>", "text/html")
        elif mode == "echo":
            self._send(200, json.dumps([{"recipient_id": body["sender"], "text": body["message"]}]).encode())
        elif mode == "given":
            self._send(200, json.dumps(self.server.answer).encode("utf-8"))
        else:
            self._send(200, json.dumps(CANNED).encode("utf-8"))

    def _send(self, status, payload, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@contextmanager
def fake_rasa(mode: str = "ok") -> Iterator[ThreadingHTTPServer]:
    """A :class:`FakeRasa` on a free port of 127.0.0.1, in a thread, for the ``with`` block.

    The server carries ``mode``, ``received`` (what it was sent) and ``answer`` (for the "given" mode).
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    server.daemon_threads = True
    server.mode, server.received, server.answer = mode, [], []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def rasa():
    with fake_rasa() as server:
        yield server


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WEB_SECRET_KEY", "test-secret")
    monkeypatch.setenv("SECURITY_LOG_FILE", str(tmp_path / "security.log"))
    for name in ("CALL_FILE", "TRUSTED_PROXIES", "WEB_THREADS", "REDIS_URL", "WEB_HTTPS"):
        monkeypatch.delenv(name, raising=False)


def make_app(rasa_url: str, **config):
    from bot.web import create_app
    from bot.web.ratelimit import MemoryLimiter

    app = create_app({"TESTING": True, "RASA_URL": rasa_url, "RASA_TIMEOUT": 5, "RATE_LIMITER": MemoryLimiter(),
                      **config})
    assert app.config["WTF_CSRF_ENABLED"] is not False  # the chat API must work with CSRF protection on
    return app


@pytest.fixture
def client(rasa):
    return make_app(f"http://127.0.0.1:{rasa.server_address[1]}").test_client()


def post_chat(client, payload, **kwargs):
    return client.post("/api/chat", data=json.dumps(payload), content_type="application/json", **kwargs)


# ---- pages ----

def test_home_page_is_french_and_presents_the_call_from_the_data(client):
    call = get_call()
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "5 000 €" in html and "15 000 €" in html
    assert euros(call.amounts.min) in html and euros(call.amounts.max) in html
    assert percent(call.amounts.max_share_of_budget_percent) in html
    assert call.territory.department in html
    assert "associations" in html
    assert "ne sont pas encore publiées" in html
    assert f'href="{call.edition.website}"' in html
    assert "A_COMPLETER" not in html


def test_home_page_has_the_chat_widget(client):
    html = client.get("/").get_data(as_text=True)
    for marker in ('id="chat-log"', 'role="log"', 'aria-live="polite"', 'id="chat-form"', 'id="chat-input"',
                   'id="chat-send"', 'id="chat-reset"', 'id="chat-typing"', '<label for="chat-input">',
                   "/static/chat.js", "/static/site.css"):
        assert marker in html, marker
    welcome = json.loads(re.search(r"data-welcome='([^']*)'", html).group(1))
    assert welcome["text"]
    assert [b["title"] for b in welcome["buttons"]] == [
        "Qui peut candidater ?", "Combien peut-on demander ?", "Mon projet est-il éligible ?"]
    assert welcome["buttons"][2]["payload"] == "Est-ce que mon projet est éligible ?"


def test_home_page_shows_the_next_edition_when_published(client, tmp_path, monkeypatch):
    data = yaml.safe_load(DEFAULT_CALL_FILE.read_text(encoding="utf-8"))
    data["calendar"]["next_edition"] = {"year": 2031, "events": ["Pré-candidature en ligne : du 3 au 10 mars 2031"]}
    path = tmp_path / "call.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("CALL_FILE", str(path))
    html = client.get("/").get_data(as_text=True)
    assert "Pré-candidature en ligne : du 3 au 10 mars 2031" in html
    assert "2031" in html
    assert "pas encore publiées" not in html


def test_privacy_page(client):
    response = client.get("/confidentialite")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert f"{get_call().privacy.retention_days} jours" in html
    assert "« supprimez mes données »" in html
    assert "Nouvelle conversation" in html


def test_home_page_links_to_the_privacy_page(client):
    assert 'href="/confidentialite"' in client.get("/").get_data(as_text=True)


def test_unknown_page_is_a_french_404(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


# ---- security of what is served ----

SERVED = ["/", "/confidentialite", "/nulle-part", "/static/site.css", "/static/chat.js", "/static/card.js"]


@pytest.mark.parametrize("path", SERVED)
def test_content_security_policy_header(client, path):
    response = client.get(path)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", SERVED)
def test_nothing_is_loaded_from_another_host(client, path):
    body = client.get(path).get_data(as_text=True)
    website = get_call().edition.website
    urls = re.findall(r"https?://[^\s\"'<>)]+", body)
    if path.endswith((".css", ".js")):
        assert urls == []
    else:
        assert all(url == website for url in urls), urls
        assert website not in re.findall(r'(?:src|href)="([^"]+)"', body.split("<body", 1)[0])
    assert not re.search(r"""(?:src|href|url\()\s*=?\s*["']?//""", body)  # protocol-relative URLs
    assert "@import" not in body


@pytest.mark.parametrize("path", ["/", "/confidentialite", "/nulle-part"])
def test_no_inline_script_or_style(client, path):
    html = client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers


def test_every_static_asset_is_ours():
    for asset in STATIC.rglob("*"):
        if asset.is_file() and asset.suffix in (".css", ".js", ".html"):
            text = asset.read_text(encoding="utf-8")
            assert not re.findall(r"https?://[^\s\"'<>)]+", text), asset


def test_chat_js_never_parses_text_as_html():
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    for dangerous in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert dangerous not in script, dangerous
    assert "textContent" in script


# ---- /api/chat ----

def test_chat_round_trip_with_buttons(client, rasa):
    response = post_chat(client, {"sender": SENDER, "message": "  combien peut-on demander ?  "})
    assert response.status_code == 200
    messages = response.get_json()["messages"]
    assert messages[0] == {"text": "Vous pouvez demander entre 5 000 € et 15 000 €.", "buttons": []}
    assert messages[1]["buttons"] == [{"title": "Qui peut candidater ?", "payload": "Qui peut candidater ?"},
                                      {"title": "Le calendrier", "payload": "Quelles sont les dates ?"}]
    assert messages[2] == {"text": "", "buttons": [], "image": "/static/example.png"}
    assert rasa.received == [{"path": "/webhooks/rest/webhook",
                              "body": {"sender": SENDER, "message": "combien peut-on demander ?",
                                       "metadata": {"client": "127.0.0.1"}}}]


def test_html_in_the_message_is_passed_through_as_text(client, rasa):
    rasa.mode = "echo"
    text = '<b>bonjour</b> <script>alert("x")</script> & <img src=x onerror=alert(1)>'
    response = post_chat(client, {"sender": SENDER, "message": text})
    assert response.status_code == 200
    assert rasa.received[0]["body"]["message"] == text
    assert response.get_json()["messages"][0]["text"] == text


def test_a_leading_slash_cannot_inject_a_rasa_command(client, rasa):
    rasa.mode = "echo"
    post_chat(client, {"sender": SENDER, "message": "/restart"})
    assert rasa.received[0]["body"]["message"] == "restart"


def test_chat_works_with_a_same_origin_header(client, rasa):
    response = post_chat(client, {"sender": SENDER, "message": "bonjour"}, headers={"Origin": "http://localhost"})
    assert response.status_code == 200


@pytest.mark.parametrize("origin", ["https://evil.example", "http://localhost.evil.example", "null"])
def test_chat_refuses_another_origin(client, rasa, origin):
    response = post_chat(client, {"sender": SENDER, "message": "bonjour"}, headers={"Origin": origin})
    assert response.status_code == 403
    assert rasa.received == []


def test_rasa_down_gives_503_in_french():
    client = make_app(f"http://127.0.0.1:{free_port()}").test_client()  # nothing listens there
    response = post_chat(client, {"sender": SENDER, "message": "bonjour"})
    assert response.status_code == 503
    assert response.get_json() == {"error": UNAVAILABLE}


@pytest.mark.parametrize("mode", ["error", "not_json"])
def test_rasa_error_gives_503(client, rasa, mode):
    rasa.mode = mode
    response = post_chat(client, {"sender": SENDER, "message": "bonjour"})
    assert response.status_code == 503
    assert response.get_json() == {"error": UNAVAILABLE}


@pytest.mark.parametrize("answer", [[], [{"recipient_id": SENDER, "custom": {"unknown": 1}}]])
def test_an_empty_answer_asks_to_send_the_message_again(client, rasa, answer):
    # Rasa's REST channel answers [] when handling the message failed (action error, conversation lock not obtained).
    rasa.mode, rasa.answer = "given", answer
    response = post_chat(client, {"sender": SENDER, "message": "bonjour"})
    assert response.status_code == 503
    assert response.get_json() == {"error": NO_ANSWER}
    assert len(rasa.received) == 1


def test_rasa_timeout_gives_503(rasa):
    rasa.mode = "slow"
    client = make_app(f"http://127.0.0.1:{rasa.server_address[1]}", RASA_TIMEOUT=0.3).test_client()
    response = post_chat(client, {"sender": SENDER, "message": "bonjour"})
    assert response.status_code == 503
    assert response.get_json() == {"error": UNAVAILABLE}


@pytest.mark.parametrize("sender", [None, "", "court", "x" * 65, "avec espace", "accentué-123", "a/b/c/d/e", 12345678])
def test_invalid_sender_is_refused(client, rasa, sender):
    payload = {"message": "bonjour"} if sender is None else {"sender": sender, "message": "bonjour"}
    response = post_chat(client, payload)
    assert response.status_code == 400
    assert "Identifiant de conversation invalide" in response.get_json()["error"]
    assert rasa.received == []


@pytest.mark.parametrize("payload", [
    {"sender": SENDER},
    {"sender": SENDER, "message": None},
    {"sender": SENDER, "message": 42},
    {"sender": SENDER, "message": ["bonjour"]},
    {"sender": SENDER, "message": "   "},
    {"sender": SENDER, "message": "/"},
    ["pas", "un", "objet"],
    "bonjour",
])
def test_invalid_message_is_refused(client, rasa, payload):
    response = post_chat(client, payload)
    assert response.status_code == 400
    assert response.get_json()["error"]
    assert rasa.received == []


def test_malformed_json_is_refused(client, rasa):
    response = client.post("/api/chat", data="{pas du json", content_type="application/json")
    assert response.status_code == 400
    assert rasa.received == []


def test_message_of_2000_characters_is_forwarded_whole(client, rasa):
    text = "a" * 2000
    response = post_chat(client, {"sender": SENDER, "message": text})
    assert response.status_code == 200
    assert rasa.received[0]["body"]["message"] == text


def test_longer_message_is_refused_not_truncated(client, rasa):
    response = post_chat(client, {"sender": SENDER, "message": "a" * 2001})
    assert response.status_code == 400
    assert "trop long" in response.get_json()["error"]
    assert rasa.received == []


def test_oversized_request_gives_413_in_json(client, rasa):
    response = post_chat(client, {"sender": SENDER, "message": "a" * 70000})
    assert response.status_code == 413
    assert response.get_json()["error"]


@pytest.mark.parametrize("content_type,data", [
    ("application/x-www-form-urlencoded", "sender=test-sender_0123&message=bonjour"),
    ("text/plain", json.dumps({"sender": SENDER, "message": "bonjour"})),
    ("multipart/form-data; boundary=x", "--x--"),
    (None, json.dumps({"sender": SENDER, "message": "bonjour"})),
])
def test_non_json_is_refused_with_415(client, rasa, content_type, data):
    response = client.post("/api/chat", data=data, content_type=content_type)
    assert response.status_code == 415
    assert "JSON" in response.get_json()["error"]
    assert rasa.received == []


def test_chat_accepts_json_with_a_charset(client, rasa):
    response = client.post("/api/chat", data=json.dumps({"sender": SENDER, "message": "bonjour"}),
                           content_type="application/json; charset=utf-8")
    assert response.status_code == 200


def test_chat_only_accepts_post(client):
    assert client.get("/api/chat").status_code == 405


# ---- the verdict card ----

def verdict_turn(card, text="Le verdict en texte."):
    """What Rasa's REST channel returns for utter_message(text=..., buttons=..., json_message=card)."""
    return [{"recipient_id": SENDER, "text": text, "buttons": [{"title": "Oui", "payload": "oui"}]},
            {"recipient_id": SENDER, "custom": card}]


def real_card(**changes):
    answers = {"structure": "association", "commune": "Paris", "stage": "démarrage", "amount": "20000",
               "total_budget": "40000", "other_department_aid": "non", **changes}
    call = get_call()
    return verdict_card(evaluate(answers, call), call)


def chat_with(client, rasa, answer):
    rasa.mode, rasa.answer = "given", answer
    response = post_chat(client, {"sender": SENDER, "message": "non"})
    assert response.status_code == 200
    return response.get_json()["messages"]


def test_verdict_card_replaces_the_text_sent_before_it(client, rasa):
    card = real_card()
    before = {"recipient_id": SENDER, "text": "Merci, voici le résultat."}
    messages = chat_with(client, rasa, [before, *verdict_turn(card)])
    assert messages == [{"text": "Merci, voici le résultat.", "buttons": []}, {"card": card}]
    assert [c["status"] for c in messages[1]["card"]["criteria"]] == ["pass", "fail", "pass", "fail", "pass", "pass"]


def test_card_without_text_before_it_and_text_after_it_is_kept(client, rasa):
    card = real_card(commune="Créteil", amount="10000")
    after = {"recipient_id": SENDER, "text": "Autre chose ?"}
    messages = chat_with(client, rasa, [{"recipient_id": SENDER, "custom": card}, after])
    assert messages == [{"card": card}, {"text": "Autre chose ?", "buttons": []}]
    assert messages[0]["card"]["buttons"][0] == {"title": "Oui, préparer ma pré-candidature", "payload": "oui"}


def test_a_card_does_not_drop_an_image_or_links(client, rasa):
    card = real_card()
    links = {"recipient_id": SENDER, "text": "Le règlement :",
             "custom": {"links": [{"title": "Règlement", "url": "/static/reglement.pdf"}]}}
    messages = chat_with(client, rasa, [links, {"recipient_id": SENDER, "custom": card}])
    assert messages[0]["links"] == [{"title": "Règlement", "url": "/static/reglement.pdf"}]
    assert messages[1] == {"card": card}


def test_card_keeps_only_the_documented_keys(client, rasa):
    card = real_card()
    extra = {**card, "html": "<b>x</b>", "criteria": [{**c, "icon": "<img>"} for c in card["criteria"]],
             "buttons": [{**b, "url": "https://evil.example"} for b in card["buttons"]]}
    messages = chat_with(client, rasa, verdict_turn(extra))
    assert messages == [{"card": card}]


def _broken(change):
    card = real_card()
    change(card)
    return card


MALFORMED = {
    "wrong verdict": lambda c: c.update(verdict="maybe"),
    "no title": lambda c: c.pop("title"),
    "title not a string": lambda c: c.update(title=["titre"]),
    "title too long": lambda c: c.update(title="a" * 2001),
    "no criteria": lambda c: c.update(criteria=[]),
    "criteria not a list": lambda c: c.update(criteria={"legal_form": "pass"}),
    "unknown status": lambda c: c["criteria"][0].update(status="ok"),
    "status label missing": lambda c: c["criteria"][0].pop("status_label"),
    "message not a string": lambda c: c["criteria"][0].update(message=42),
    "message too long": lambda c: c["criteria"][0].update(message="a" * 2001),
    "criterion with odd characters": lambda c: c["criteria"][0].update(criterion="legal form<script>"),
    "too many criteria": lambda c: c.update(criteria=c["criteria"] * 3),
    "advice not strings": lambda c: c.update(advice=[{"text": "x"}]),
    "notes too many": lambda c: c.update(notes=["note"] * 13),
    "missing with odd key": lambda c: c.update(missing=["Montant !"]),
    "button without payload": lambda c: c["buttons"][0].pop("payload"),
    "too many buttons": lambda c: c.update(buttons=c["buttons"] * 7),
    "button title too long": lambda c: c["buttons"][0].update(title="a" * 201),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_card_is_ignored_and_the_text_kept(client, rasa, name):
    messages = chat_with(client, rasa, verdict_turn(_broken(MALFORMED[name])))
    assert messages == [{"text": "Le verdict en texte.", "buttons": [{"title": "Oui", "payload": "oui"}]}]


def test_custom_payload_that_is_not_a_card_keeps_todays_behaviour(client, rasa):
    answer = [{"recipient_id": SENDER, "text": "Le verdict en texte."},
              {"recipient_id": SENDER, "custom": {"type": "autre", "criteria": []}},
              {"recipient_id": SENDER, "custom": "verdict"}]
    assert chat_with(client, rasa, answer) == [{"text": "Le verdict en texte.", "buttons": []}]


def test_html_in_a_card_stays_text(client, rasa):
    card = real_card()
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    card["title"] = script
    card["criteria"][0]["message"] = script
    card["buttons"][0]["title"] = script
    rasa.mode, rasa.answer = "given", verdict_turn(card)
    response = post_chat(client, {"sender": SENDER, "message": "non"})
    assert response.mimetype == "application/json"
    got = response.get_json()["messages"][0]["card"]
    assert got["title"] == got["criteria"][0]["message"] == got["buttons"][0]["title"] == script


def test_card_js_never_parses_text_as_html():
    script = (STATIC / "card.js").read_text(encoding="utf-8")
    for dangerous in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert dangerous not in script, dangerous
    assert "textContent" in script
    assert 'aria-hidden' in script and "visually-hidden" in script


def test_home_page_loads_the_card_script_before_the_chat(client):
    html = client.get("/").get_data(as_text=True)
    assert html.index("/static/card.js") < html.index("/static/chat.js")


# ---- python -m bot web ----

def test_web_command_serves_the_app_with_waitress(monkeypatch, capsys):
    import waitress

    from bot.__main__ import main

    calls = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kwargs: calls.append((app, kwargs)))
    monkeypatch.setenv("WEB_PORT", "8123")
    assert main(["web"]) == 0
    app, kwargs = calls[0]
    assert "public.index" in {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {k: kwargs[k] for k in ("host", "port", "threads")} == {"host": "127.0.0.1", "port": 8123, "threads": 8}
    assert "http://localhost:8123/" in capsys.readouterr().out

    assert main(["web", "--host", "0.0.0.0", "--port", "9000"]) == 0
    assert {k: calls[1][1][k] for k in ("host", "port", "threads")} == {"host": "0.0.0.0", "port": 9000, "threads": 8}


def test_web_command_thread_count_and_bad_settings(monkeypatch, capsys):
    import waitress

    from bot.__main__ import main

    calls = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kwargs: calls.append((app, kwargs)))
    monkeypatch.setenv("WEB_THREADS", "12")
    assert main(["web", "--port", "9000"]) == 0
    app, kwargs = calls[0]
    assert kwargs["threads"] == 12 and app.config["CHAT_MAX_PARALLEL"] == 10  # two threads kept for the rest
    for name, value in (("TRUSTED_PROXIES", "deux"), ("CHAT_LIMIT_PER_SENDER", "-1"), ("WEB_THREADS", "1")):
        monkeypatch.setenv(name, value)
        assert main(["web", "--port", "9000"]) == 2
        assert f"{name} invalide" in capsys.readouterr().err
        monkeypatch.delenv(name)


def test_web_command_default_port_and_bad_port(monkeypatch, capsys):
    import waitress

    from bot.__main__ import main

    calls = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kwargs: calls.append(kwargs))
    monkeypatch.delenv("WEB_PORT", raising=False)
    assert main(["web"]) == 0
    assert calls[0]["port"] == 8000
    monkeypatch.setenv("WEB_PORT", "huit mille")
    assert main(["web"]) == 2
    assert "WEB_PORT invalide" in capsys.readouterr().err
