"""A cluster that survives losing a Rasa instance (`make run-cluster`), on the real PostgreSQL and Redis.

Two nodes, each a Rasa instance with its own action server (tests/servers.py), share the conversations (a fresh
schema of TEST_DATABASE_URL) and Rasa's locks (TEST_REDIS_URL, under a key prefix of their own); nginx is in front,
with the configuration that scripts/run_cluster.sh runs (bot/rasa/cluster.py). The nodes start once for the module.

- a conversation whose turns alternate between the two instances keeps its slots, its order and the CLI's verdict;
- 8 simulated applicants (one message at a time each, a pause between messages) talk through nginx while one
  instance is killed (SIGKILL) then started again: every message sent after the kill is answered; those in flight at
  the kill may fail, and are counted (results/cluster.json and the test output). nginx sends them to the other
  instance, which waits for the dead one's lock to expire; Rasa 3.6's ticket lock then waits for ever when the waiting
  ticket expires within the same second as the dead one (re-sent less than a second after the first try): such a
  message ends when the client gives up (10 s, as the website);
- the same load through a rolling restart (SIGTERM, start, then the other instance): no message fails.
After each load, every conversation in the tracker store holds each answered message exactly once and in order, each
followed by the assistant's answer, and each pre-application keeps every field answered.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from bot.nlp.text import clean_user_text
from bot.rasa.cluster import nginx_command, write_config
from tests.db_fixtures import _postgres_url
from tests.servers import ROOT, LiveServers, free_port, wait_for

pytestmark = pytest.mark.rest

DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
RESULTS = ROOT / "results" / "cluster.json"
USERS = 8
PAUSE = 1.0  # seconds between two messages of one applicant
# Per applicant: the load lasts as long as the scenario (a restart takes 30 s to minutes), bounded whatever happens.
MAX_CONVERSATIONS = 30
CLIENT_TIMEOUT = 10.0  # what the website waits for Rasa's answer (RASA_TIMEOUT) before it says "réessayez"
LOCK_LIFETIME = 6  # TICKET_LOCK_LIFETIME, as scripts/run_cluster.sh sets it
START_TIMEOUT = 600.0  # loading the model takes 30 to 60 s on an idle 2-core machine, minutes on a busy one

# Two eligibility checks typed as applicants type them (tests/e2e/eligibility.yml), with the CLI's input.
CHECKS = {
    "eligible": (["bonjour je voudrais savoir si on est eligible", "on est une association loi 1901",
                  "champigny sur marne", "on demarre a la rentree, c'est un tout nouveau projet", "11 000 euros",
                  "35 000 euros", "non"],
                 {"structure": "association", "commune": "Champigny-sur-Marne", "amount": 11000.0,
                  "total_budget": 35000.0, "other_department_aid": False}),
    "outside": (["est ce que notre projet rentre dans les clous de l'appel ?", "c'est une asso de quartier",
                 "paris 11", "on est au tout debut, on lance l'activite", "8000 euros environ", "30 000 €", "non"],
                {"structure": "association", "amount": 8000.0, "total_budget": 30000.0,
                 "other_department_aid": False}),
}
CLI_KEYS = ["structure", "commune", "stage", "amount", "total_budget", "other_department_aid"]
# The load: an eligibility check then questions, or the start of a pre-application (text, draft column, value).
ELIGIBILITY = CHECKS["eligible"][0] + ["combien on peut demander ?", "c'est quoi l'ancrage territorial ?",
                                       "c'est quand la date limite pour déposer ?",
                                       "c koi le montant max de la subvantion", "qui peut candidater ?"]
APPLICATION = [
    ("je veux préparer ma candidature", None, None),
    ("oui", None, None),
    ("Les Jardins Partagés du Mont-Mesly", "org_name", "Les Jardins Partagés du Mont-Mesly"),
    ("asso loi 1901", "legal_form", "association"),
    ("732 829 320 00074", "siret", "73282932000074"),
    ("creteil", "commune", "Créteil"),
    ("Je m'appelle Marie Curie", "contact_name", "Marie Curie"),
    ("marie.curie@exemple.fr", "email", "marie.curie@exemple.fr"),
    ("06 12 34 56 78", "phone", "06 12 34 56 78"),
    ("Un jardin pour tous", "project_title", "Un jardin pour tous"),
    ("Nous voulons créer un jardin partagé ouvert aux habitants du quartier, avec des ateliers.",
     "project_description", "Nous voulons créer un jardin partagé ouvert aux habitants du quartier, avec des ateliers."),
    ("les habitants du quartier du Mont-Mesly", "beneficiaries", "les habitants du quartier du Mont-Mesly"),
]
SCRIPTS = {"eligibility": ELIGIBILITY, "application": [answer for answer, _, _ in APPLICATION]}
REPORT: dict[str, dict] = {}


def skip_reason() -> str | None:
    if not DATABASE_URL or not REDIS_URL:
        return "TEST_DATABASE_URL ou TEST_REDIS_URL non défini : cluster non testé (PostgreSQL et Redis réels requis)"
    if not NGINX:
        return "nginx absent : cluster non testé (apt-get install nginx)"
    return None


def post(base: str, sender: str, message: str, timeout: float = CLIENT_TIMEOUT):
    """(HTTP status or None, answer or error text): never raises."""
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    request = urllib.request.Request(f"{base}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")[:200]
    except (OSError, ValueError) as exc:  # refused, reset, timeout, not JSON
        return None, f"{type(exc).__name__}: {exc}"


def answered(status, reply) -> bool:
    return status == 200 and isinstance(reply, list) and bool(reply)


def connections_to(port: int) -> int:
    """Open TCP connections to ``port`` on this machine (Linux): the messages an instance is handling, since nginx
    opens a connection per message."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            count += fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port  # ESTABLISHED
    return count


class Node(LiveServers):
    """A Rasa instance and its own action server, Rasa's locks under the cluster's Redis key prefix."""

    def __init__(self, env: dict, key_prefix: str) -> None:
        super().__init__(env=env)
        self.key_prefix, self.rasa, self.starts = key_prefix, None, 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.rasa_port}"

    def endpoints_content(self) -> str:
        content = super().endpoints_content()
        assert "  key_prefix: ess\n" in content
        return content.replace("  key_prefix: ess\n", f"  key_prefix: {self.key_prefix}\n")

    def start(self, timeout: float = START_TIMEOUT) -> None:
        super().start(timeout)
        self.rasa = self.processes[-1]

    def stop_rasa(self, sig: int) -> None:
        os.killpg(self.rasa.pid, sig)  # the whole process group
        self.rasa.wait(timeout=60)

    def restart_rasa(self, timeout: float = START_TIMEOUT) -> None:
        self.starts += 1
        self.rasa = self.start_rasa(f"rasa-{self.starts}")
        wait_for([f"http://{self.address}/"], [self.rasa], timeout)


@dataclass
class Cluster:
    nodes: list[Node]
    front: str
    directory: Path
    database_url: str

    @property
    def access_log(self) -> Path:
        return self.directory / "logs" / "access.log"

    def log_offset(self) -> int:
        return self.access_log.stat().st_size

    def proxied(self, since: int = 0) -> list[list[str]]:
        """The instances nginx tried for each message since ``since`` (bytes of the access log), in order."""
        with open(self.access_log, encoding="utf-8") as log:
            log.seek(since)
            return [found.group(1).split(", ") for found in re.finditer(r'"POST [^"]*" 200 upstream=(.+?) upstream_status=',
                                                                          log.read())]

    def wait_served(self, node: Node, since: int, timeout: float = 60.0) -> None:
        """Wait until nginx has sent messages to ``node`` again (it comes back after ``fail_timeout``)."""
        deadline = time.monotonic() + timeout
        while sum(tried[-1] == node.address for tried in self.proxied(since)) < 3:
            assert time.monotonic() < deadline, f"nginx n'envoie plus rien à {node.address}"
            time.sleep(0.5)


@pytest.fixture(scope="module")
def cluster():
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    schema = _postgres_url()
    database_url = next(schema)
    prefix = f"esscluster{uuid.uuid4().hex[:10]}"
    env = {"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "SANIC_WORKERS": "1",
           "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME)}
    nodes: list[Node] = []
    nginx = None
    try:
        subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], cwd=ROOT, env={**os.environ, **env},
                       check=True, capture_output=True)
        nodes = [Node(env, prefix), Node(env, prefix)]
        with ThreadPoolExecutor(len(nodes)) as pool:  # both load their model at once
            list(pool.map(lambda node: node.start(), nodes))
        port = free_port()
        directory = ROOT / "results" / "cluster" / f"nginx-{port}"
        write_config(directory, [node.address for node in nodes], listen=f"127.0.0.1:{port}")
        with open(directory / "logs" / "nginx.log", "w") as log:
            nginx = subprocess.Popen(nginx_command(directory, NGINX), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        wait_for([f"http://127.0.0.1:{port}/"], [nginx], 20)
        yield Cluster(nodes, f"http://127.0.0.1:{port}", directory, database_url)
    finally:
        if nginx is not None and nginx.poll() is None:
            os.killpg(nginx.pid, signal.SIGTERM)
            nginx.wait(timeout=20)
        for node in nodes:
            node.stop()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        schema.close()  # drops the schema


def stored(database_url: str, senders: list[str]):
    """The events of each conversation, in the order they were stored, and the drafts, from the database."""
    engine = create_engine(database_url, poolclass=NullPool)
    events: dict[str, list[dict]] = defaultdict(list)
    try:
        with engine.connect() as connection:
            for sender, timestamp, data in connection.execute(
                    text("SELECT sender_id, timestamp, data FROM events WHERE sender_id = ANY(:senders) ORDER BY id"),
                    {"senders": senders}):
                events[sender].append({**json.loads(data), "timestamp": timestamp})
            drafts = {row.conversation_id: row._asdict() for row in connection.execute(
                text("SELECT * FROM drafts WHERE conversation_id = ANY(:senders)"), {"senders": senders})}
    finally:
        engine.dispose()
    return events, drafts


def order_problems(sent: list[dict], events: list[dict]) -> list[str]:
    """Every answered message stored once, in order, followed by an answer; nothing else; time never goes back.

    ``sent``: the messages in the order they were sent, each {"text", "answered"}; a message that got no answer may
    have been stored or not (it was in flight when an instance died)."""
    problems = []
    stamps = [event["timestamp"] for event in events]
    if stamps != sorted(stamps):
        problems.append("horodatages non croissants")
    said = [event.get("text") for event in events if event.get("event") == "user"]
    position = 0
    for message in sent:
        if position < len(said) and said[position] == clean_user_text(message["text"]):  # as the channel stores it
            position += 1
        elif message["answered"]:
            problems.append(f"message répondu absent ou déplacé : {message['text']!r} (stocké : {said})")
            return problems
    if position != len(said):
        problems.append(f"messages en trop (doublons ?) : {said[position:]}")
    kinds = [event.get("event") for event in events if event.get("event") in ("user", "bot")]
    for index, kind in enumerate(kinds):
        if kind == "user" and (index + 1 == len(kinds) or kinds[index + 1] != "bot"):
            problems.append("un message sans réponse stockée")
    return problems


def final_slots(events: list[dict]) -> dict:
    slots = {}
    for event in events:
        if event.get("event") == "slot":
            slots[event["name"]] = event["value"]
    return slots


def test_turns_alternating_between_the_instances_keep_slots_order_and_verdict(cluster):
    senders = {}
    for offset, (name, (texts, _expected)) in enumerate(CHECKS.items()):
        sender = senders[name] = f"cluster-alt-{name}-{uuid.uuid4().hex[:8]}"
        for turn, message in enumerate(texts):
            node = cluster.nodes[(turn + offset) % 2]  # A, B, A, B… (B first for the second check)
            status, reply = post(f"http://{node.address}", sender, message)
            assert answered(status, reply), (node.address, message, status, reply)
    events, _ = stored(cluster.database_url, list(senders.values()))
    for name, (texts, expected) in CHECKS.items():
        conversation = events[senders[name]]
        assert order_problems([{"text": t, "answered": True} for t in texts], conversation) == [], (name, conversation)
        slots = final_slots(conversation)
        assert {key: slots.get(key) for key in expected} == expected, name
        answers = dict(zip(CLI_KEYS, texts[1:], strict=False))
        cli = subprocess.run([sys.executable, "-m", "bot", "eligibility", "check", "-"], input=json.dumps(answers),
                             cwd=ROOT, capture_output=True, text=True, check=True)
        verdict, expected_verdict = slots.get("eligibility_verdict") or {}, json.loads(cli.stdout)
        assert verdict.get("verdict") == expected_verdict["verdict"], (name, verdict)
        assert verdict.get("reasons") == expected_verdict["reasons"], name
    REPORT["alternating"] = {"conversations": len(CHECKS), "messages": sum(len(t) for t, _ in CHECKS.values()),
                             "verdicts": {n: (final_slots(events[s]).get("eligibility_verdict") or {}).get("verdict")
                                          for n, s in senders.items()}}
    write_report()


@dataclass
class Message:
    text: str
    start: float
    end: float = 0.0
    answered: bool = False
    error: str = ""


@dataclass
class Conversation:
    sender: str
    script: str
    messages: list[Message] = field(default_factory=list)


class Load:
    """USERS simulated applicants through nginx, each one message at a time with a pause, until the block ends
    (each then stops after its current message); MAX_CONVERSATIONS conversations per applicant at most."""

    def __init__(self, front: str) -> None:
        self.front, self.run = front, uuid.uuid4().hex[:8]
        self.stopping = threading.Event()
        self.conversations: list[Conversation] = []
        self.threads = [threading.Thread(target=self._applicant, args=(user,), daemon=True) for user in range(USERS)]
        self.started = self.ended = 0.0

    def __enter__(self) -> Load:
        self.started = time.time()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=CLIENT_TIMEOUT + 10)
        self.ended = time.time()

    def _applicant(self, user: int) -> None:
        time.sleep(user * PAUSE / USERS)  # spread the applicants over the pause
        for number in range(MAX_CONVERSATIONS):
            conversation = Conversation(f"cluster-{self.run}-{user}-{number}", ("application", "eligibility")[user % 2])
            self.conversations.append(conversation)
            for message in SCRIPTS[conversation.script]:
                sent = Message(message, time.time())
                status, reply = post(self.front, conversation.sender, message)
                sent.end, sent.answered = time.time(), answered(status, reply)
                sent.error = "" if sent.answered else f"{status} {reply}"[:300]
                conversation.messages.append(sent)
                if self.stopping.is_set():
                    return
                time.sleep(PAUSE)

    @property
    def messages(self) -> list[Message]:
        return [message for conversation in self.conversations for message in conversation.messages]


def stored_problems(cluster: Cluster, load: Load) -> list[str]:
    """What the tracker store and the drafts lost or garbled, for every conversation of the load."""
    events, drafts = stored(cluster.database_url, [c.sender for c in load.conversations])
    problems = []
    for conversation in load.conversations:
        sent = [asdict(message) for message in conversation.messages]
        problems += [f"{conversation.sender} : {p}" for p in order_problems(sent, events[conversation.sender])]
        if conversation.script != "application":
            continue
        in_step = []  # answers before the first unanswered one: each answered the question asked
        for message, (_, column, value) in zip(conversation.messages, APPLICATION, strict=False):
            if not message.answered:
                break
            in_step.append((column, value))
        draft = drafts.get(conversation.sender)
        if len(in_step) >= 2 and draft is None:
            problems.append(f"{conversation.sender} : pré-candidature perdue")
        for column, value in in_step:
            if column and draft is not None and draft[column] != value:
                problems.append(f"{conversation.sender} : {column} = {draft[column]!r} au lieu de {value!r}")
    return problems


def summary(cluster: Cluster, load: Load, since: int, **marks: float) -> dict:
    messages = load.messages
    latencies = sorted(m.end - m.start for m in messages if m.answered)
    proxied = cluster.proxied(since)
    result = {
        "users": USERS, "pause_s": PAUSE, "conversations": len(load.conversations), "messages": len(messages),
        "answered": sum(m.answered for m in messages), "failed": sum(not m.answered for m in messages),
        "duration_s": round(load.ended - load.started, 1),
        "latency_p50_s": round(latencies[len(latencies) // 2], 3) if latencies else None,
        "latency_max_s": round(latencies[-1], 3) if latencies else None,
        "sent_again_by_nginx": sum(len(tried) > 1 for tried in proxied),
        "answered_by": {node.address: sum(tried[-1] == node.address for tried in proxied) for node in cluster.nodes},
        "failures": [{"text": m.text, "start": m.start, "end": m.end, "error": m.error}
                     for m in messages if not m.answered],
    }
    result.update({name: round(value - load.started, 1) for name, value in marks.items()})
    return result


def write_report() -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(REPORT, ensure_ascii=False, indent=2), encoding="utf-8")


def show(capsys, name: str, result: dict) -> None:
    with capsys.disabled():
        brief = {key: value for key, value in result.items() if key != "failures"}
        print(f"\n[cluster] {name} : {json.dumps(brief, ensure_ascii=False)}")
        for failure in result["failures"]:
            print(f"[cluster]   échec : {failure['text']!r} — {failure['error']}")


def test_killing_an_instance_under_load_answers_every_later_message(cluster, capsys):
    killed, other = cluster.nodes
    since = cluster.log_offset()
    with Load(cluster.front) as load:
        time.sleep(8)
        deadline = time.monotonic() + 15  # kill it while it handles messages, if it gets some in 15 s
        while connections_to(killed.rasa_port) == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        handling = connections_to(killed.rasa_port)
        kill_at = time.time()
        killed.stop_rasa(signal.SIGKILL)
        killed_at = time.time()  # the process is gone: its port refuses connections
        time.sleep(3)
        restart_at = time.time()
        killed.restart_rasa()
        ready_at = time.time()
        cluster.wait_served(killed, cluster.log_offset())
        time.sleep(2)
    result = summary(cluster, load, since, kill_s=kill_at, killed_s=killed_at, restart_s=restart_at, ready_s=ready_at)
    in_flight = [m for m in load.messages if m.start < killed_at and m.end >= kill_at]
    result["in_flight_at_kill"] = len(in_flight)
    result["handled_by_killed_instance"] = handling
    result["failed_during_kill"] = sum(not m.answered for m in in_flight)
    result["restart_duration_s"] = round(ready_at - restart_at, 1)
    REPORT["kill"] = result
    write_report()
    show(capsys, "arrêt brutal d'une instance", result)
    after = [m for m in load.messages if m.start >= killed_at]
    assert after and all(m.answered for m in after), [m for m in after if not m.answered]
    before = [m for m in load.messages if m.end < kill_at]
    assert all(m.answered for m in before), [m for m in before if not m.answered]
    assert result["answered_by"][other.address] > 0 and result["answered_by"][killed.address] > 0
    problems = stored_problems(cluster, load)
    assert not problems, "\n".join(problems[:10])


def test_rolling_restart_under_load_loses_no_message(cluster, capsys):
    since = cluster.log_offset()
    marks = {}
    with Load(cluster.front) as load:
        time.sleep(5)
        for node in cluster.nodes:
            marks[f"stop_{node.rasa_port}_s"] = time.time()
            node.stop_rasa(signal.SIGTERM)  # Rasa finishes the messages it has, then stops
            node.restart_rasa()
            marks[f"ready_{node.rasa_port}_s"] = time.time()
            cluster.wait_served(node, cluster.log_offset())
        time.sleep(2)
    result = summary(cluster, load, since, **marks)
    REPORT["rolling_restart"] = result
    write_report()
    show(capsys, "redémarrage de chaque instance l'une après l'autre", result)
    assert result["failed"] == 0, result["failures"]
    problems = stored_problems(cluster, load)
    assert not problems, "\n".join(problems[:10])
