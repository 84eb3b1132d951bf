"""Start the action server and Rasa for tests and the benchmark, on free ports.

As scripts/run.sh does: both listen on 127.0.0.1 only, the action server through ``bot.rasa.action_server``
(bounded bodies, compressed ones included), Rasa with ``SANIC_REQUEST_MAX_SIZE``.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot.rasa.endpoints import endpoints_yaml

ROOT = Path(__file__).resolve().parent.parent
# TEST_RASA_MODEL: another trained model (e.g. one trained into /tmp while models/ess.tar.gz is in use).
MODEL = Path(os.environ.get("TEST_RASA_MODEL") or ROOT / "models" / "ess.tar.gz")
HOST = "127.0.0.1"  # RASA_HOST and ACTION_HOST of scripts/run.sh, by default
RASA_MAX_BODY_BYTES = 262144  # RASA_MAX_BODY_BYTES of scripts/run.sh, by default


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(urls: list[str], processes: list[subprocess.Popen], timeout: float) -> None:
    """Wait until every URL answers; RuntimeError when a process ends first or after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    for url in urls:
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if any(p.poll() is not None for p in processes):
                    raise RuntimeError("Un serveur s'est arrêté au démarrage") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Serveurs non prêts après {timeout} s") from None
                time.sleep(0.5)


class LiveServers:
    def __init__(self, env: dict | None = None) -> None:
        self.action_port = free_port()
        self.rasa_port = free_port()
        self.env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", **(env or {})}
        self.logdir = ROOT / "results" / "servers" / str(self.rasa_port)
        # Mail (resume codes) goes to .eml files here, never to the repository's var/outbox.
        self.env.setdefault("MAIL_OUTBOX_DIR", str(self.logdir / "outbox"))
        self.processes: list[subprocess.Popen] = []
        self.rasa_max_body = int(self.env.get("RASA_MAX_BODY_BYTES") or RASA_MAX_BODY_BYTES)

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"

    def start(self, timeout: float = 240.0) -> None:
        """Spawn the action server and Rasa, then wait until both answer."""
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        """Spawn the action server and Rasa on a fresh database; no wait (:meth:`wait_ready`)."""
        if not MODEL.exists():
            raise RuntimeError(f"Modèle absent ({MODEL}) : lancez `make train` d'abord.")
        self.logdir.mkdir(parents=True, exist_ok=True)
        endpoints = self.logdir / "endpoints.yml"
        if "DATABASE_URL" not in self.env:
            database = self.logdir / "ess-test.db"
            database.unlink(missing_ok=True)
            self.env["DATABASE_URL"] = f"sqlite:///{database}"
        subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], cwd=ROOT, env=self.env, check=True,
                       capture_output=True)
        endpoints.write_text(self.endpoints_content(), encoding="utf-8")
        self._spawn("actions", [sys.executable, "-m", "bot.rasa.action_server", "--host", HOST,
                                "--port", str(self.action_port), "--actions", "actions"])
        self.start_rasa()

    def wait_ready(self, timeout: float = 240.0) -> None:
        """Wait until the action server and Rasa answer; stop both if they do not."""
        try:
            wait_for([f"http://127.0.0.1:{self.action_port}/health", f"http://127.0.0.1:{self.rasa_port}/"],
                     self.processes, timeout)
        except RuntimeError as exc:
            self.stop()
            raise RuntimeError(f"{exc} ; voir {self.logdir}") from None

    def endpoints_content(self) -> str:
        """Rasa's endpoints file, as ``python -m bot.rasa.endpoints`` writes it for scripts/run.sh."""
        content = endpoints_yaml(self.action_port, self.env["DATABASE_URL"], self.env.get("REDIS_URL") or "",
                                 action_host=HOST)
        if self.env.get("ESS_TRACKER_STORE") == "memory":  # for measurements only
            content = content.split("tracker_store:")[0]
        return content

    def start_rasa(self, log_name: str = "rasa") -> subprocess.Popen:
        """Spawn Rasa (in its own process group) with the endpoints file written by :meth:`start`; no wait."""
        rasa = str(Path(sys.executable).with_name("rasa"))
        return self._spawn(log_name, [rasa, "run", "--interface", HOST, "--port", str(self.rasa_port), "--model",
                                      str(MODEL), "--endpoints", str(self.logdir / "endpoints.yml"),
                                      "--credentials", str(ROOT / "credentials.yml")],
                           env={"SANIC_REQUEST_MAX_SIZE": str(self.rasa_max_body)})

    def _spawn(self, name: str, cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(self.logdir / f"{name}.log", "w")
        process = subprocess.Popen(cmd, cwd=ROOT, env={**self.env, **(env or {})}, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        log.close()  # the child keeps its own copy
        self.processes.append(process)
        return process

    def send(self, sender: str, message, timeout: float = 30.0):
        """POST to the REST webhook; returns (HTTP status, decoded JSON or raw text)."""
        body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
        request = urllib.request.Request(self.webhook, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read().decode("utf-8")
                status = response.status
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw

    def latest_code(self, timeout: float = 15.0) -> str:
        """The 6-digit code of the newest mail in the outbox (a resume code)."""
        import re
        from email import policy
        from email.parser import BytesParser

        deadline = time.monotonic() + timeout
        outbox = Path(self.env["MAIL_OUTBOX_DIR"])
        while time.monotonic() < deadline:
            mails = sorted(outbox.glob("*.eml"), key=lambda path: path.stat().st_mtime) if outbox.exists() else []
            if mails:
                body = BytesParser(policy=policy.default).parsebytes(mails[-1].read_bytes()).get_body(
                    ("plain",)).get_content()
                found = re.search(r"\b(\d{6})\b", body)
                if found:
                    return found.group(1)
            time.sleep(0.2)
        raise AssertionError(f"aucun code reçu dans {outbox}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()
