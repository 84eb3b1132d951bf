"""Staff accounts: no lockout (growing, bounded delays), server-side sessions, password change.

The login delays are injected (``LOGIN_SLEEP``): nothing sleeps; the address delays are passed by moving the
recorded failures back in time.
"""
from __future__ import annotations

import math
import time

from sqlalchemy import select

from bot.db.session import session_scope
from bot.db.staff import get_user_by_email
from bot.db.staff_auth import ACCOUNT_MAX_DELAY, ADDRESS_MAX_DELAY
from bot.db.staff_models import LoginAttempt, StaffUser
from tests.security.staff_helpers import events, wait_out
from tests.test_web_staff import ADMIN, PASSWORD, REVIEWER, add_draft, login, post, text, token

pytest_plugins = ["tests.security.staff_app"]  # app, make, url, sleeps, log_file

NEW_PASSWORD = "un autre mot de passe très long"
WRONG = "mauvais mot de passe"


# ---- no lockout ----

def test_an_attacker_slows_an_account_down_but_cannot_lock_its_owner_out(app, url, sleeps):
    attacker = app.test_client()
    for _ in range(3):
        assert login(attacker, REVIEWER, WRONG, REMOTE_ADDR="203.0.113.66").status_code == 401
    assert login(attacker, REVIEWER, WRONG, REMOTE_ADDR="203.0.113.66").status_code == 429  # its own address waits
    for i in range(10):  # and from many addresses, once each
        assert login(attacker, REVIEWER, WRONG, REMOTE_ADDR=f"198.51.100.{i}").status_code == 401
    assert sleeps == [1.0, 2.0, 4.0, 8.0] + [ACCOUNT_MAX_DELAY] * 6  # growing, bounded
    owner = app.test_client()
    response = login(owner, REVIEWER, PASSWORD, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/drafts")
    assert sleeps[-1] == ACCOUNT_MAX_DELAY  # the owner waited 10 seconds at most
    assert owner.get("/staff/").status_code == 200
    # The owner's login does not reset the attacker's slowdown.
    assert login(attacker, REVIEWER, WRONG, REMOTE_ADDR="198.51.100.99").status_code == 401
    assert sleeps[-1] == ACCOUNT_MAX_DELAY
    failures = events(url, "login_failed")
    assert len(failures) == 14 and failures[0][2:4] == (REVIEWER, "203.0.113.66")
    assert events(url, "login")[-1][:4] == ("login", REVIEWER, REVIEWER, "192.0.2.10")


def test_address_delays_grow_and_are_bounded(app, url):
    client = app.test_client()
    waits, slack = [], []
    for i in range(10):
        started = time.monotonic()
        assert login(client, f"inconnu{i}@exemple.fr", WRONG, REMOTE_ADDR="203.0.113.9").status_code == 401
        refused = login(client, f"autre{i}@exemple.fr", WRONG, REMOTE_ADDR="203.0.113.9")
        if refused.status_code == 401:  # no wait yet
            continue
        assert refused.status_code == 429 and "patientez" in text(refused)
        waits.append(int(refused.headers["Retry-After"]))
        # Retry-After is what remains of the delay: the real seconds the two logins took (a busy machine) count.
        slack.append(math.ceil(time.monotonic() - started))
        wait_out(url, waits[-1])
    expected = [1, 2, 4, 8, 16, 30] + [int(ADDRESS_MAX_DELAY)] * (len(waits) - 6)
    assert len(waits) >= 8 and ADDRESS_MAX_DELAY == 30
    for wait, delay, late in zip(waits, expected, slack, strict=True):
        assert max(1, delay - late) <= wait <= delay, (waits, slack)
    assert login(client, ADMIN, PASSWORD, REMOTE_ADDR="203.0.113.10").status_code == 302  # other addresses: no wait


def test_one_login_at_a_time_per_address(app):
    with app.extensions["ess_login_guard"].enter("203.0.113.5"):
        busy = login(app.test_client(), ADMIN, PASSWORD, REMOTE_ADDR="203.0.113.5")
        other = login(app.test_client(), ADMIN, PASSWORD, REMOTE_ADDR="203.0.113.6")
    assert busy.status_code == 429 and "déjà en cours" in text(busy) and busy.headers["Retry-After"]
    assert other.status_code == 302


def via_proxy(app, email, password, client_address):
    """A login through a reverse proxy at 10.0.0.2 that adds the client's address to X-Forwarded-For."""
    client = app.test_client()
    return client.post("/staff/login", data={"csrf_token": token(client), "email": email, "password": password},
                       environ_base={"REMOTE_ADDR": "10.0.0.2"}, headers={"X-Forwarded-For": client_address})


def test_login_delays_use_the_client_address_behind_trusted_proxies(make, url):
    direct = make()  # TRUSTED_PROXIES unset: everyone behind the proxy shares its address
    for i in range(3):
        assert via_proxy(direct, f"x{i}@exemple.fr", WRONG, "203.0.113.77").status_code == 401
    assert via_proxy(direct, ADMIN, PASSWORD, "192.0.2.44").status_code == 429  # the owner pays for the attacker
    with session_scope(url) as session:
        assert set(session.scalars(select(LoginAttempt.ip))) == {"10.0.0.2"}
        session.execute(LoginAttempt.__table__.delete())
    behind = make(TRUSTED_PROXIES=1)
    for i in range(3):
        assert via_proxy(behind, f"x{i}@exemple.fr", WRONG, "203.0.113.77").status_code == 401
    assert via_proxy(behind, "x9@exemple.fr", WRONG, "203.0.113.77").status_code == 429  # the attacker waits
    assert via_proxy(behind, ADMIN, PASSWORD, "192.0.2.44").status_code == 302  # the owner does not
    with session_scope(url) as session:
        assert set(session.scalars(select(LoginAttempt.ip))) == {"203.0.113.77"}
    assert events(url, "login")[-1][3] == "192.0.2.44"


# ---- server-side sessions ----

def steal(app, victim):
    """A second browser with a copy of the victim's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", victim.get_cookie("session").value)
    return thief


def logged_in(client) -> bool:
    return client.get("/staff/").status_code == 200


def test_the_cookie_holds_only_a_random_session_id(app):
    client = app.test_client()
    assert login(client, REVIEWER).status_code == 302
    with client.session_transaction() as session:
        assert set(session) <= {"staff_session", "csrf_token", "_flashes"} and "staff_session" in session
        session["staff_session"] = "x" * 43  # a guessed id
    assert not logged_in(client)


def test_logout_ends_a_stolen_session_at_once(app, url):
    victim = app.test_client()
    assert login(victim, REVIEWER).status_code == 302
    thief = steal(app, victim)
    assert logged_in(thief)
    assert victim.post("/staff/logout", data={"csrf_token": token(victim, "/staff/")}).status_code == 302
    assert not logged_in(thief) and not logged_in(victim)
    assert events(url, "logout")[-1][:3] == ("logout", REVIEWER, REVIEWER)


def test_deactivation_ends_a_stolen_session_at_once(app, url):
    victim, admin = app.test_client(), app.test_client()
    assert login(victim, REVIEWER).status_code == 302 and login(admin, ADMIN).status_code == 302
    thief = steal(app, victim)
    with session_scope(url) as session:
        user_id = get_user_by_email(session, REVIEWER).id
    assert post(admin, f"/staff/accounts/{user_id}/active", {"active": "0"}, "/staff/accounts").status_code == 302
    assert not logged_in(thief) and not logged_in(victim)
    assert post(admin, f"/staff/accounts/{user_id}/active", {"active": "1"}, "/staff/accounts").status_code == 302
    assert not logged_in(thief)  # reactivation does not bring the sessions back
    assert [e[:3] for e in events(url) if e[0].startswith("account_")] == [
        ("account_deactivated", ADMIN, REVIEWER), ("account_reactivated", ADMIN, REVIEWER)]


def test_password_change_ends_every_other_session(app, url):
    victim = app.test_client()
    assert login(victim, REVIEWER).status_code == 302
    thief, other_browser = steal(app, victim), app.test_client()
    assert login(other_browser, REVIEWER).status_code == 302
    page = "/staff/password"
    assert "Changer mon mot de passe" in text(victim.get(page))
    done = post(victim, page, {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                               "new_password_confirm": NEW_PASSWORD}, page)
    assert done.status_code == 302
    assert logged_in(victim)  # a new session for the browser that changed it
    assert not logged_in(thief) and not logged_in(other_browser)
    assert login(app.test_client(), REVIEWER, PASSWORD).status_code == 401
    assert login(app.test_client(), REVIEWER, NEW_PASSWORD).status_code == 302
    assert events(url, "password_changed")[0][:3] == ("password_changed", REVIEWER, REVIEWER)


def test_password_change_refusals_are_in_french(app):
    client = app.test_client()
    assert login(client, REVIEWER).status_code == 302
    page = "/staff/password"
    for current, new, confirm, message in ((WRONG, NEW_PASSWORD, NEW_PASSWORD, "actuel est incorrect"),
                                           (PASSWORD, "court", "court", "au moins 12 caractères"),
                                           (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!", "sont différents"),
                                           (PASSWORD, PASSWORD, PASSWORD, "différent de l&#39;actuel")):
        response = post(client, page, {"current_password": current, "new_password": new,
                                       "new_password_confirm": confirm}, page)
        assert response.status_code == 400 and message in text(response)
    assert logged_in(client)


# ---- first login ----

def test_accounts_from_the_command_line_change_their_password_at_first_login(app, url, monkeypatch, capsys):
    from bot.__main__ import main

    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("STAFF_PASSWORD", PASSWORD)
    assert main(["staff", "create-user", "nouvelle@valdemarne.fr"]) == 0
    assert "à changer à la première connexion" in capsys.readouterr().out
    reference = add_draft(url, "conv-1", org_name="Alpha")
    client = app.test_client()
    response = login(client, "nouvelle@valdemarne.fr")
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/password")
    for path in ("/staff/", "/staff/drafts", f"/staff/drafts/{reference}", "/staff/audit", "/staff/dashboard"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/staff/password"), path
    assert client.get("/staff/drafts.csv").status_code == 403
    refused = client.post(f"/staff/drafts/{reference}/status", data={
        "csrf_token": token(client, "/staff/password"), "to_status": "in_review", "comment": "x"})
    assert refused.status_code == 403
    page = text(client.get("/staff/password"))
    assert "Choisissez votre mot de passe" in page and "mot de passe initial" in page
    done = post(client, "/staff/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                            "new_password_confirm": NEW_PASSWORD}, "/staff/password")
    assert done.status_code == 302 and done.headers["Location"].endswith("/staff/drafts")
    assert client.get("/staff/drafts").status_code == 200
    with session_scope(url) as session:
        user = session.scalars(select(StaffUser).where(StaffUser.email == "nouvelle@valdemarne.fr")).one()
        assert not user.must_change_password and user.password_changed_at is not None


def test_accounts_created_by_an_admin_change_their_password_at_first_login(app, url):
    admin = app.test_client()
    assert login(admin, ADMIN).status_code == 302
    data = {"email": "recrue@valdemarne.fr", "role": "reviewer", "password": PASSWORD, "password_confirm": PASSWORD}
    assert post(admin, "/staff/accounts", data, "/staff/accounts").status_code == 302
    recruit = app.test_client()
    response = recruit.post("/staff/login", data={"csrf_token": token(recruit), "email": "recrue@valdemarne.fr",
                                                  "password": PASSWORD, "next": "/staff/dashboard"})
    assert response.headers["Location"].endswith("/staff/password?next=/staff/dashboard")
    done = post(recruit, "/staff/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                             "new_password_confirm": NEW_PASSWORD, "next": "/staff/dashboard"},
                "/staff/password?next=/staff/dashboard")
    assert done.headers["Location"].endswith("/staff/dashboard")
    assert events(url, "account_created")[0][:3] == ("account_created", ADMIN, "recrue@valdemarne.fr")


