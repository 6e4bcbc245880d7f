"""Users (viewer, reviewer, admin), API tokens and login sessions.

Passwords are hashed with Argon2id (argon2-cffi, its recommended parameters) and re-hashed when
those parameters change. API tokens and session ids are 256 random bits shown once and stored as
their sha256: a fast hash is enough for secrets that cannot be guessed, and it keeps a request's
check to one indexed lookup.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from xxgk.i18n import N_, _, gettext
from xxgk.review import schema as t
from xxgk.review import trail
from xxgk.review.db import Lookup, NotFound, ReviewError, as_utc, now, writing
from xxgk.store.database import row_or_raise

ROLES = ("viewer", "reviewer", "admin")
ROLE_NAMES = {"viewer": N_("viewer"), "reviewer": N_("reviewer"), "admin": N_("administrator")}
TOKEN_PREFIX = "xxgk_"
SESSION_HOURS = 12
MIN_PASSWORD = 8
_NAME = re.compile(r"^[\w.@-]{1,64}$")
_hasher = PasswordHasher()
# Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY = _hasher.hash("not a password of anyone")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    created: datetime

    def can(self, role: str) -> bool:
        """At least `role`: admins may do what reviewers may, reviewers what viewers may."""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def role_name(self) -> str:
        return gettext(ROLE_NAMES[self.role])


@dataclass(frozen=True)
class Token:
    id: int
    user: str
    prefix: str
    created: datetime
    revoked: datetime | None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _user(row: Any) -> User:
    return User(row.id, row.name, row.role, as_utc(row.created))  # type: ignore[arg-type]


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ReviewError(_("a password needs at least {n} characters").format(n=MIN_PASSWORD))


def add_user(engine: sa.Engine, name: str, role: str, password: str, by: str = "cli") -> User:
    if not _NAME.match(name):
        raise ReviewError(_("a user name is 1 to 64 letters, digits or . _ @ -: {name!r}").format(name=name))
    if role not in ROLES:
        raise ReviewError(_("unknown role {role!r} (admin, reviewer or viewer)").format(role=role))
    _check_password(password)
    with writing(engine) as conn:
        if conn.execute(sa.select(t.users.c.id).where(t.users.c.name == name)).first():
            raise ReviewError(_("user {name} exists already").format(name=name))
        conn.execute(t.users.insert().values(name=name, role=role, password_hash=_hasher.hash(password),
                                             created=now()))
        trail.record(conn, by, "user.add", f"user:{name}", None, {"role": role})
    return get_user(engine, name)


def get_user(engine: sa.Engine, name: str) -> User:
    return _user(row_or_raise(engine, sa.select(t.users).where(t.users.c.name == name),
                              NotFound(_("no user {name}").format(name=name))))


def list_users(engine: sa.Engine) -> list[User]:
    with engine.connect() as conn:
        return [_user(r) for r in conn.execute(sa.select(t.users).order_by(t.users.c.name))]


def set_password(engine: sa.Engine, name: str, password: str, by: str = "cli") -> None:
    _check_password(password)
    user = get_user(engine, name)
    with writing(engine) as conn:
        conn.execute(t.users.update().where(t.users.c.id == user.id).values(password_hash=_hasher.hash(password)))
        # A new password ends every open session of the user.
        conn.execute(t.sessions.delete().where(t.sessions.c.user_id == user.id))
        trail.record(conn, by, "user.passwd", f"user:{name}")


def remove_user(engine: sa.Engine, name: str, by: str = "cli") -> None:
    user = get_user(engine, name)
    with writing(engine) as conn:
        conn.execute(t.sessions.delete().where(t.sessions.c.user_id == user.id))
        conn.execute(t.tokens.delete().where(t.tokens.c.user_id == user.id))
        conn.execute(t.users.delete().where(t.users.c.id == user.id))
        trail.record(conn, by, "user.remove", f"user:{name}", {"role": user.role}, None)


def authenticate(engine: sa.Engine, name: str, password: str) -> User | None:
    """The user, when the password is theirs; None otherwise (same cost either way)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(t.users).where(t.users.c.name == name)).first()
    stored = row.password_hash if row is not None else _DUMMY
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _hasher.check_needs_rehash(stored):
        with writing(engine) as conn:
            conn.execute(t.users.update().where(t.users.c.id == row.id).values(password_hash=_hasher.hash(password)))
    return _user(row)


# ---------------------------------------------------------------- API tokens


def create_token(engine: sa.Engine, name: str, by: str = "cli") -> str:
    """A new API token for the user; returned once, stored only as its hash."""
    user = get_user(engine, name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with writing(engine) as conn:
        conn.execute(t.tokens.insert().values(user_id=user.id, token_hash=_digest(token), prefix=token[:12],
                                              created=now(), revoked=None))
        trail.record(conn, by, "token.create", f"user:{name}", None, {"prefix": token[:12]})
    return token


def list_tokens(engine: sa.Engine) -> list[Token]:
    q = sa.select(t.tokens, t.users.c.name).join(t.users, t.users.c.id == t.tokens.c.user_id).order_by(t.tokens.c.id)
    with engine.connect() as conn:
        return [Token(r.id, r.name, r.prefix, as_utc(r.created), as_utc(r.revoked))  # type: ignore[arg-type]
                for r in conn.execute(q)]


def revoke_token(engine: sa.Engine, token_or_prefix: str, by: str = "cli") -> int:
    """Revoke a token given whole, by its shown prefix, or every token of a user given by name."""
    q = sa.select(t.tokens.c.id, t.tokens.c.prefix).where(t.tokens.c.revoked.is_(None))
    with engine.connect() as conn:
        users = dict(conn.execute(sa.select(t.users.c.name, t.users.c.id)).all())
        if token_or_prefix in users:
            q = q.where(t.tokens.c.user_id == users[token_or_prefix])
        elif token_or_prefix.startswith(TOKEN_PREFIX) and len(token_or_prefix) > 12:
            q = q.where(t.tokens.c.token_hash == _digest(token_or_prefix))
        else:
            q = q.where(t.tokens.c.prefix == token_or_prefix)
        rows = conn.execute(q).all()
    if not rows:
        raise NotFound(_("no active token matches {what!r}").format(what=token_or_prefix))
    with writing(engine) as conn:
        for tid, prefix in rows:
            conn.execute(t.tokens.update().where(t.tokens.c.id == tid).values(revoked=now()))
            trail.record(conn, by, "token.revoke", f"token:{prefix}", {"prefix": prefix}, None)
    return len(rows)


# Built once (with a bound parameter): every request runs one of these.
_TOKEN_USER = Lookup(sa.select(t.users.c.id, t.users.c.name, t.users.c.role, t.users.c.created)
                     .join(t.tokens, t.tokens.c.user_id == t.users.c.id)
                     .where(t.tokens.c.token_hash == sa.bindparam("digest"), t.tokens.c.revoked.is_(None)))
_SESSION_USER = Lookup(sa.select(t.users.c.id, t.users.c.name, t.users.c.role, t.users.c.created, t.sessions.c.csrf,
                                 t.sessions.c.expires)
                       .join(t.sessions, t.sessions.c.user_id == t.users.c.id)
                       .where(t.sessions.c.token_hash == sa.bindparam("digest")))


def token_user(engine: sa.Engine, token: str) -> User | None:
    with engine.connect() as conn:
        return token_user_on(conn, token)


def token_user_on(conn: sa.Connection, token: str) -> User | None:
    """The token's user while it is not revoked, read on `conn` (one indexed lookup: the web app
    reads it with the page's own query on one connection, every request)."""
    row = _TOKEN_USER.first(conn, digest=_digest(token))
    return _user(row) if row is not None else None


# ---------------------------------------------------------------- sessions


def open_session(engine: sa.Engine, user: User, hours: int = SESSION_HOURS) -> tuple[str, str]:
    """(session id for the cookie, CSRF token for the forms)."""
    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    at = now()
    with writing(engine) as conn:
        conn.execute(t.sessions.delete().where(t.sessions.c.expires < at))  # housekeeping
        conn.execute(t.sessions.insert().values(token_hash=_digest(sid), user_id=user.id, csrf=csrf, created=at,
                                                expires=at + timedelta(hours=hours)))
    return sid, csrf


def session_user(engine: sa.Engine, sid: str) -> tuple[User, str] | None:
    """The session's user and CSRF token, while the session is open."""
    with engine.connect() as conn:
        return session_user_on(conn, sid)


def session_user_on(conn: sa.Connection, sid: str) -> tuple[User, str] | None:
    """`session_user`, read on `conn`."""
    row = _SESSION_USER.first(conn, digest=_digest(sid))
    if row is None or as_utc(row.expires) < now():  # type: ignore[operator]
        return None
    return _user(row), row.csrf


def close_session(engine: sa.Engine, sid: str) -> None:
    with writing(engine) as conn:
        conn.execute(t.sessions.delete().where(t.sessions.c.token_hash == _digest(sid)))


# ---------------------------------------------------------------- the login rate limit


def login_wait(engine: sa.Engine, keys: Sequence[str], attempts: int, window: float) -> float:
    """Seconds until a sign-in may be tried again for these keys ("ip:…", "user:…"): 0 while
    each has had fewer than `attempts` failures within the last `window` seconds. Counted in the
    database, so the limit holds across every process serving the workbench."""
    at = now()
    f = t.login_failures
    q = (sa.select(f.c.key, sa.func.count(), sa.func.min(f.c.at))
         .where(f.c.key.in_(list(keys)), f.c.at > at - timedelta(seconds=window)).group_by(f.c.key))
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    waits = [window - (at - as_utc(first)).total_seconds()  # type: ignore[operator]
             for _key, n, first in rows if n >= attempts]
    return max([w for w in waits if w > 0], default=0.0)


def login_failed(engine: sa.Engine, keys: Sequence[str], window: float) -> None:
    """Count one failed sign-in against each key (and forget the failures older than the window)."""
    at = now()
    f = t.login_failures
    with writing(engine) as conn:
        conn.execute(f.delete().where(f.c.at < at - timedelta(seconds=window)))
        conn.execute(f.insert(), [{"key": k[:200], "at": at} for k in keys])
