"""The resume code reaches a real SMTP server started in the test (aiosmtpd): STARTTLS with authentication,
implicit TLS (smtps://), and nothing sent in clear when the server offers no STARTTLS. No address and no
code in the logs."""
from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import ssl
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.application.resume import check_code, request_code
from bot.mail.send import smtp_settings
from tests.security.helpers import VICTIM_EMAIL, code_in, mails_sent, make_draft
from tests.servers import free_port

pytest_plugins = ["tests.security.fixtures"]  # database (SQLite; PostgreSQL with TEST_DATABASE_URL), outbox

USER, PASSWORD = "assistant@valdemarne.test", "mot de passe SMTP"


class Mailbox:
    """The aiosmtpd handler: keeps what it receives, and how (TLS, authenticated)."""

    def __init__(self) -> None:
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.received.append({"from": envelope.mail_from, "to": envelope.rcpt_tos, "message": message,
                              "authenticated": session.authenticated,
                              "tls": server.transport.get_extra_info("ssl_object") is not None})
        return "250 Message accepted for delivery"


def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1; its file serves as the client's CA (SMTP_CA_FILE)."""
    folder = tmp_path_factory.mktemp("smtp-tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def server_context(certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


@pytest.fixture
def smtp_server(certificate, monkeypatch):
    """Start a real SMTP server; returns (mailbox, port). The client trusts its certificate."""
    servers = []

    def start(**options):
        mailbox, port = Mailbox(), free_port()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, authenticator=authenticate, **options)
        controller.start()
        servers.append(controller)
        return mailbox, port

    monkeypatch.setenv("SMTP_CA_FILE", str(certificate[0]))
    monkeypatch.delenv("SMTP_FROM", raising=False)
    yield start
    for controller in servers:
        controller.stop()


def no_secret_in_logs(caplog, *secrets: str) -> None:
    """Nothing that the application logs (the test server's own debug log aside) holds a secret."""
    ours = [r for r in caplog.records if r.name.split(".")[0] in ("bot", "actions")]
    assert ours
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in ours)
    for secret in secrets:
        assert secret.lower() not in logged.lower()


def test_the_code_arrives_by_smtp_with_starttls_and_login(database, outbox, smtp_server, certificate, monkeypatch,
                                                          caplog):
    caplog.set_level(logging.DEBUG)
    mailbox, port = smtp_server(tls_context=server_context(certificate), require_starttls=True, auth_required=True)
    monkeypatch.setenv("SMTP_URL", f"smtp://{USER.replace('@', '%40')}:{PASSWORD.replace(' ', '%20')}@127.0.0.1:{port}")
    reference = make_draft("owner")
    request_code(reference, VICTIM_EMAIL, "later", "198.51.100.1")
    mails_sent()
    [mail] = mailbox.received
    assert mail["to"] == [VICTIM_EMAIL] and mail["from"] == USER
    assert mail["tls"] and mail["authenticated"]
    message = mail["message"]
    assert message["Subject"] == f"Votre code pour reprendre la pré-candidature {reference}"
    assert "valable 15 minutes" in message.get_content()
    code = code_in(message)
    assert check_code(reference, code, "later", "198.51.100.1")
    assert not outbox.exists()  # nothing written locally when SMTP is configured
    no_secret_in_logs(caplog, VICTIM_EMAIL, code, PASSWORD)
    assert any("SMTP" in r.getMessage() for r in caplog.records)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")  # TLS from the start
def test_implicit_tls_with_smtps(database, outbox, smtp_server, certificate, monkeypatch):
    # aiosmtpd only sees STARTTLS as TLS for AUTH; the whole connection is TLS here (checked below).
    mailbox, port = smtp_server(ssl_context=server_context(certificate), auth_required=True, auth_require_tls=False)
    monkeypatch.setenv("SMTP_URL", f"smtps://{USER.replace('@', '%40')}:{PASSWORD.replace(' ', '%20')}@127.0.0.1:{port}")
    monkeypatch.setenv("SMTP_FROM", "Assistant ESS <ne-pas-repondre@valdemarne.test>")
    request_code(make_draft("owner"), VICTIM_EMAIL, "later", "198.51.100.1")
    mails_sent()
    [mail] = mailbox.received
    assert mail["to"] == [VICTIM_EMAIL] and mail["from"] == "ne-pas-repondre@valdemarne.test"
    assert mail["tls"] and mail["authenticated"]


def test_nothing_is_sent_in_clear_when_the_server_offers_no_starttls(database, outbox, smtp_server, monkeypatch,
                                                                     caplog):
    mailbox, port = smtp_server(auth_require_tls=False)
    monkeypatch.setenv("SMTP_URL", f"smtp://{USER.replace('@', '%40')}:secret@127.0.0.1:{port}")
    request_code(make_draft("owner"), VICTIM_EMAIL, "later", "198.51.100.1")
    mails_sent()
    assert mailbox.received == []
    assert any("STARTTLS" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    no_secret_in_logs(caplog, VICTIM_EMAIL, "secret")


@pytest.mark.parametrize("url, expected", [
    ("smtp://u%40x.fr:p%20w@mail.example:587", ("mail.example", 587, "starttls", "u@x.fr", "p w")),
    ("smtp://mail.example", ("mail.example", 587, "starttls", None, None)),
    ("smtps://mail.example", ("mail.example", 465, "tls", None, None)),
    ("smtp://localhost:25?tls=none", ("localhost", 25, "none", None, None)),
])
def test_smtp_url(url, expected):
    settings = smtp_settings(url)
    assert (settings.host, settings.port, settings.security, settings.user, settings.password) == expected
    assert smtp_settings("") is None


def test_a_bad_smtp_url_sends_nothing_and_says_so_without_the_address(database, outbox, monkeypatch, caplog):
    monkeypatch.setenv("SMTP_URL", "http://mail.example")
    request_code(make_draft("owner"), VICTIM_EMAIL, "later", "198.51.100.1")
    mails_sent()
    assert any("SMTP_URL invalide" in r.getMessage() for r in caplog.records)
    assert not outbox.exists()
    no_secret_in_logs(caplog, VICTIM_EMAIL)
