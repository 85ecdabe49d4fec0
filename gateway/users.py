"""Users, login sessions, failed-login throttling and CSRF tokens.

The gateway owns these tables in its own database. Passwords are stored
as bcrypt hashes. A session token is random and lives in an HttpOnly
cookie, and it expires after SESSION_IDLE_SECONDS without a request.
"""
import os
import secrets
from datetime import datetime, timedelta, timezone
from functools import cache

import bcrypt
from sqlalchemy import (
    JSON, Boolean, Column, DateTime, Integer, MetaData, String, Table, Text,
    delete, func, insert, select, text, update,
)

from services.common.actors import ROLES

metadata = MetaData()

users = Table(
    "users", metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("unit", String(16)),
    Column("office", String(32)),
    Column("scope", JSON, nullable=False, default=list),
    Column("full_name", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

sessions = Table(
    "sessions", metadata,
    Column("token", String(64), primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

failed_logins = Table(
    "failed_logins", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Results of state-changing requests that carry a request id, so a
# repeated form submission or API retry gets the first result back.
request_log = Table(
    "request_log", metadata,
    Column("request_id", String(100), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("endpoint", String(200), nullable=False),
    Column("status_code", Integer),
    Column("body", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

DEFAULT_IDLE_SECONDS = 30 * 60
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)


def now():
    return datetime.now(timezone.utc)


def idle_seconds():
    """Return the idle timeout from SESSION_IDLE_SECONDS (default 1800 s)."""
    return int(os.environ.get("SESSION_IDLE_SECONDS", DEFAULT_IDLE_SECONDS))


def hash_password(password):
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode()


def password_matches(password, password_hash):
    return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode())


@cache
def dummy_hash():
    """Return a bcrypt hash of the same cost as hash_password, matching no
    password that a login can send."""
    return hash_password(secrets.token_urlsafe(32))


def add_user(session, username, password, role, unit=None, office=None,
             scope=(), full_name=None):
    """Insert or replace user USERNAME with a freshly hashed password."""
    if role not in ROLES:
        raise ValueError(f"role {role!r} is unknown; use one of {ROLES}")
    session.execute(delete(users).where(users.c.username == username))
    session.execute(insert(users).values(
        username=username, password_hash=hash_password(password), role=role,
        unit=unit, office=office, scope=list(scope),
        full_name=full_name or username, active=True))


def actor_of(user):
    """Return the actor dict that every service call carries."""
    return {"username": user.username, "role": user.role, "unit": user.unit,
            "office": user.office, "scope": list(user.scope or []),
            "full_name": user.full_name}


class LoginThrottled(Exception):
    """Too many failed logins for one username in the window."""


def recent_failures(session, username):
    since = now() - FAILURE_WINDOW
    return session.execute(select(func.count()).select_from(failed_logins).where(
        failed_logins.c.username == username, failed_logins.c.at >= since)
    ).scalar_one()


def authenticate(session, username, password):
    """Return the active user row for the credentials, or None.

    Raises LoginThrottled once MAX_FAILURES failures for USERNAME fall in
    the last FAILURE_WINDOW, before the password is even checked. A
    transaction-scoped advisory lock on the lowercased username makes
    concurrent logins for it count and check one after another, so
    parallel guesses cannot all pass the count before any failure is
    stored. A missing or inactive user still costs one bcrypt check, so
    the reply time does not show which usernames exist.
    """
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:username))"),
                    {"username": username.lower()})
    if recent_failures(session, username) >= MAX_FAILURES:
        raise LoginThrottled(username)
    user = session.execute(
        select(users).where(users.c.username == username)).first()
    if user is None or not user.active:
        password_matches(password, dummy_hash())
    elif password_matches(password, user.password_hash):
        return user
    session.execute(insert(failed_logins).values(username=username, at=now()))
    return None


def open_session(session, username):
    """Create a login session; return (token, csrf_token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    moment = now()
    purge_expired(session, moment)
    session.execute(insert(sessions).values(
        token=token, username=username, csrf_token=csrf, created_at=moment,
        last_seen=moment, expires_at=moment + timedelta(seconds=idle_seconds())))
    return token, csrf


def purge_expired(session, moment):
    """Delete expired sessions and failed logins older than the window."""
    session.execute(delete(sessions).where(sessions.c.expires_at <= moment))
    session.execute(delete(failed_logins).where(
        failed_logins.c.at < moment - FAILURE_WINDOW))


def resume_session(session, token):
    """Return (user, session row) for a live TOKEN and extend it, or None."""
    if not token:
        return None
    row = session.execute(select(sessions).where(sessions.c.token == token)).first()
    moment = now()
    if row is None:
        return None
    if row.expires_at <= moment:
        session.execute(delete(sessions).where(sessions.c.token == token))
        return None
    user = session.execute(
        select(users).where(users.c.username == row.username)).first()
    if user is None or not user.active:
        return None
    session.execute(update(sessions).where(sessions.c.token == token).values(
        last_seen=moment,
        expires_at=moment + timedelta(seconds=idle_seconds())))
    return user, row


def close_session(session, token):
    session.execute(delete(sessions).where(sessions.c.token == token))


def csrf_valid(row, supplied):
    return bool(supplied) and secrets.compare_digest(row.csrf_token, supplied)


def claim_request(session, request_id, username, endpoint):
    """Record REQUEST_ID as started; return False when it was seen before."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    statement = pg_insert(request_log).values(
        request_id=request_id, username=username, endpoint=endpoint,
        created_at=now()).on_conflict_do_nothing()
    return session.execute(statement).rowcount == 1


def stored_result(session, request_id):
    """Return the request_log row of REQUEST_ID, or None when it has none.

    The row's body is None while the first request still runs.
    """
    return session.execute(select(request_log).where(
        request_log.c.request_id == request_id)).first()


def store_result(session, request_id, body):
    session.execute(update(request_log).where(
        request_log.c.request_id == request_id).values(status_code=200, body=body))


def forget_request(session, request_id):
    session.execute(delete(request_log).where(request_log.c.request_id == request_id))
