"""Repository functions for the staff area: accounts, the review workflow, notes and audit.

Login delays, sessions and password changes are in :mod:`bot.db.staff_auth`.

Like :mod:`bot.db.drafts`, every function takes a session and never commits. Passwords are hashed with
argon2id (argon2-cffi's defaults) and re-hashed on login when those defaults change.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.db.deletion import delete_draft
from bot.db.models import Draft, DraftStatus, one_of, utcnow
from bot.db.security_models import StaffSession
from bot.db.staff_models import STAFF_ROLES, AuditAction, DraftAudit, DraftNote, StaffUser

MIN_PASSWORD_LENGTH = 12
MAX_NOTE_LENGTH = 5000
MAX_COMMENT_LENGTH = 2000

# The review workflow: status -> the statuses it may go to.
TRANSITIONS: dict[DraftStatus, tuple[DraftStatus, ...]] = {
    "new": ("in_review",),
    "in_review": ("admissible", "not_admissible", "incomplete"),
    "incomplete": ("in_review",),
    "admissible": ("in_review",),
    "not_admissible": ("in_review",),
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class StaffError(ValueError):
    """A refused staff operation; the message is in French and can be shown as is."""


class DuplicateUser(StaffError):
    """An account already exists for this e-mail."""


class StatusConflict(StaffError):
    """The draft's status changed since the page was displayed, or the transition is not allowed."""


TRANSITION_REFUSED = "Ce changement de statut n'est pas permis depuis le statut actuel."


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against when the e-mail is unknown, so that both cases take the same time."""
    return _hasher().hash("mot de passe factice pour égaliser les temps")


def normalize_email(email: str | None) -> str:
    return (email or "").strip().lower()


def password_problem(password: str | None) -> str | None:
    """Why the password is refused (in French), or None when it is acceptable."""
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        return f"Mot de passe trop faible : il faut au moins {MIN_PASSWORD_LENGTH} caractères."
    if not password.strip():
        return "Mot de passe trop faible : il ne peut pas être fait que d'espaces."
    return None


def hash_password(password: str) -> str:
    return _hasher().hash(password)


# --- Accounts ---

def get_user(session: Session, user_id: int | None) -> StaffUser | None:
    return session.get(StaffUser, user_id) if user_id else None


def get_user_by_email(session: Session, email: str) -> StaffUser | None:
    wanted = normalize_email(email)
    return session.scalars(select(StaffUser).where(StaffUser.email == wanted)).first() if wanted else None


def list_users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.email)))


def create_user(session: Session, email: str, password: str, role: str = "reviewer",
                must_change_password: bool = False) -> StaffUser:
    """A new active account; :class:`StaffError` for a bad e-mail or role, a weak password or a duplicate.

    ``must_change_password``: the password was chosen by someone else (command line, an admin), so the owner
    must replace it at first login.
    """
    email = normalize_email(email)
    if not _EMAIL.match(email) or len(email) > 320:
        raise StaffError(f"Adresse e-mail invalide : « {email} ».")
    checked_role = one_of(role, STAFF_ROLES)
    if checked_role is None:
        raise StaffError(f"Rôle inconnu : « {role} » (rôles possibles : {', '.join(STAFF_ROLES)}).")
    problem = password_problem(password)
    if problem:
        raise StaffError(problem)
    duplicate = DuplicateUser(f"Un compte existe déjà pour {email}.")
    if get_user_by_email(session, email) is not None:
        raise duplicate
    user = StaffUser(email=email, password_hash=hash_password(password), role=checked_role, active=True,
                     created_at=utcnow(), must_change_password=must_change_password)
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:  # created by someone else meanwhile
        raise duplicate from None
    return user


def set_active(session: Session, user: StaffUser, active: bool) -> None:
    """Deactivate (which ends the account's sessions at once) or reactivate an account."""
    session.execute(update(StaffUser).where(StaffUser.id == user.id).values(active=active)
                    .execution_options(synchronize_session=False))
    set_committed_value(user, "active", active)
    if not active:
        session.execute(delete(StaffSession).where(StaffSession.user_id == user.id)
                        .execution_options(synchronize_session=False))


def authenticate(session: Session, email: str, password: str) -> StaffUser | None:
    """The active account with this e-mail and password, else None. Re-hashes outdated hashes."""
    user = get_user_by_email(session, email)
    stored = user.password_hash if user is not None else _dummy_hash()
    try:
        _hasher().verify(stored, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    values: dict[str, Any] = {"last_login_at": utcnow()}
    if _hasher().check_needs_rehash(stored):
        values["password_hash"] = hash_password(password)
    session.execute(update(StaffUser).where(StaffUser.id == user.id).values(**values)
                    .execution_options(synchronize_session=False))
    for name, value in values.items():
        set_committed_value(user, name, value)
    return user


# --- Review workflow, notes and audit trail ---

def _audit(session: Session, draft: Draft, user: StaffUser | None, action: AuditAction, **values: Any) -> DraftAudit:
    entry = DraftAudit(draft_id=draft.id, draft_reference=draft.reference, user_id=user.id if user else None,
                       action=action, at=utcnow(), **values)
    session.add(entry)
    session.flush()
    return entry


def allowed_transitions(status: DraftStatus) -> tuple[DraftStatus, ...]:
    return TRANSITIONS.get(status, ())


def checked_comment(comment: str | None) -> str:
    """The comment a status change requires, stripped; :class:`StaffError` when it is empty or too long."""
    comment = (comment or "").strip()
    if not comment:
        raise StaffError("Le commentaire est obligatoire pour changer le statut.")
    if len(comment) > MAX_COMMENT_LENGTH:
        raise StaffError(f"Le commentaire est trop long ({MAX_COMMENT_LENGTH} caractères au plus).")
    return comment


def change_status(session: Session, draft: Draft, to_status: DraftStatus, user: StaffUser | None, comment: str,
                  expected_status: DraftStatus | None = None) -> DraftAudit:
    """Move the draft along the workflow, with a mandatory comment; audited.

    ``expected_status`` is the status the reviewer saw: if the draft changed meanwhile, nothing is written.
    ``user`` is None when the applicant made the change (corrections confirmed in the chat).
    """
    comment = checked_comment(comment)
    from_status = expected_status or draft.status
    if to_status not in allowed_transitions(from_status):
        raise StatusConflict(TRANSITION_REFUSED)
    now = utcnow()
    result = session.execute(update(Draft).where(Draft.id == draft.id, Draft.status == from_status)
                             .values(status=to_status, updated_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise StatusConflict("Le statut de cette pré-candidature a changé entre-temps : rechargez la page.")
    set_committed_value(draft, "status", to_status)
    set_committed_value(draft, "updated_at", now)
    return _audit(session, draft, user, "status_changed", from_status=from_status, to_status=to_status,
                  comment=comment)


def add_note(session: Session, draft: Draft, user: StaffUser, body: str) -> DraftNote:
    body = (body or "").strip()
    if not body:
        raise StaffError("La note est vide.")
    if len(body) > MAX_NOTE_LENGTH:
        raise StaffError(f"La note est trop longue ({MAX_NOTE_LENGTH} caractères au plus).")
    note = DraftNote(draft_id=draft.id, user_id=user.id, body=body, created_at=utcnow())
    session.add(note)
    session.flush()
    _audit(session, draft, user, "note_added")  # the note's text is not copied: it goes with the draft
    return note


def list_notes(session: Session, draft: Draft) -> list[DraftNote]:
    return list(session.scalars(select(DraftNote).where(DraftNote.draft_id == draft.id)
                                .order_by(DraftNote.created_at, DraftNote.id)))


def delete_with_audit(session: Session, draft: Draft, user: StaffUser) -> DraftAudit:
    """Delete the draft (with its notes and conversation); the audit trail keeps its reference."""
    entry = _audit(session, draft, user, "deleted", from_status=draft.status)
    delete_draft(session, draft)
    set_committed_value(entry, "draft_id", None)  # what the database did (ON DELETE SET NULL)
    return entry


def draft_audit(session: Session, draft: Draft) -> list[DraftAudit]:
    return list(session.scalars(select(DraftAudit).where(DraftAudit.draft_id == draft.id)
                                .order_by(DraftAudit.at, DraftAudit.id)))


def recent_audit(session: Session, limit: int = 50, offset: int = 0,
                 reference: str | None = None) -> tuple[list[DraftAudit], int]:
    """The audit trail, most recent first (one page of it), and its length."""
    query = select(DraftAudit)
    count = select(func.count()).select_from(DraftAudit)
    if reference:
        condition = DraftAudit.draft_reference == reference.strip().upper()
        query, count = query.where(condition), count.where(condition)
    rows = session.scalars(query.order_by(DraftAudit.at.desc(), DraftAudit.id.desc()).limit(limit).offset(offset))
    return list(rows), session.scalar(count) or 0
