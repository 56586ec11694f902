"""Accounts, roles and API tokens, kept in <data>/accounts.sqlite (never in the RDF store, which the
public SPARQL endpoint reads).

Roles: vendor (saves and updates its own products), regulator (proposes and approves rule changes,
reads the audit trail), integrator (read API tokens), admin (manages accounts). Anonymous users
may assess and browse. Passwords are hashed with scrypt (werkzeug.security); API tokens are random,
shown once, and stored only as a SHA-256 hash. Failed logins are rate-limited per account and
per client address.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

ROLES = ("vendor", "regulator", "integrator", "admin")
NAME_PATTERN = "abcdefghijklmnopqrstuvwxyz0123456789-_."
MAX_FAILURES = 5              # failed logins …
FAILURE_WINDOW = 300          # … within this many seconds lock the account/address for the window
MIN_PASSWORD = 12

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name), created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS owners (
    product TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name));
CREATE TABLE IF NOT EXISTS failures (key TEXT NOT NULL, at REAL NOT NULL);
"""


class AccountError(ValueError):
    """A bad account operation; the message says what and why."""


class RateLimited(AccountError):
    pass


@dataclass(frozen=True)
class User:
    name: str
    role: str
    disabled: bool = False

    def can(self, action: str) -> bool:
        allowed = {"save_product": {"vendor", "admin"}, "propose_rules": {"regulator"},
                   "approve_rules": {"regulator"}, "read_audit": {"regulator", "admin"},
                   "manage_accounts": {"admin"}, "read_api": set(ROLES)}
        return not self.disabled and self.role in allowed[action]


class Accounts:
    def __init__(self, data_dir: Path | str):
        path = Path(data_dir)
        path.mkdir(parents=True, exist_ok=True)
        self.path = path / "accounts.sqlite"
        self._lock = threading.Lock()
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    # -- accounts -------------------------------------------------------------------------------
    def add(self, name: str, role: str, password: str) -> User:
        if not name or any(c not in NAME_PATTERN for c in name) or len(name) > 64:
            raise AccountError("the account name may use a–z, 0–9, '-', '_' and '.' (at most 64 characters)")
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
        with self._lock, self._connect() as db:
            try:
                db.execute("INSERT INTO users VALUES (?, ?, ?, 0, ?)",
                           (name, role, generate_password_hash(password, method="scrypt"), time.time()))
            except sqlite3.IntegrityError:
                raise AccountError(f"an account named {name!r} exists already") from None
        return User(name, role)

    def list(self) -> list[User]:
        with self._connect() as db:
            rows = db.execute("SELECT name, role, disabled FROM users ORDER BY name").fetchall()
        return [User(n, r, bool(d)) for n, r, d in rows]

    def get(self, name: str) -> User | None:
        with self._connect() as db:
            row = db.execute("SELECT name, role, disabled FROM users WHERE name = ?", (name,)).fetchone()
        return User(row[0], row[1], bool(row[2])) if row else None

    def disable(self, name: str) -> None:
        with self._lock, self._connect() as db:
            if db.execute("UPDATE users SET disabled = 1 WHERE name = ?", (name,)).rowcount != 1:
                raise AccountError(f"no account named {name!r}")
            db.execute("DELETE FROM tokens WHERE user = ?", (name,))

    # -- logging in -----------------------------------------------------------------------------
    def _failures(self, db, key: str) -> int:
        db.execute("DELETE FROM failures WHERE at < ?", (time.time() - FAILURE_WINDOW,))
        return db.execute("SELECT COUNT(*) FROM failures WHERE key = ?", (key,)).fetchone()[0]

    def login(self, name: str, password: str, client: str = "") -> User:
        """The user, if the password is right; AccountError otherwise, RateLimited after too many failures."""
        keys = [f"user:{name}", f"client:{client}"]
        with self._lock, self._connect() as db:
            locked = any(self._failures(db, k) >= MAX_FAILURES for k in keys)
            row = None if locked else db.execute(
                "SELECT role, password_hash, disabled FROM users WHERE name = ?", (name,)).fetchone()
            ok = row is not None and not row[2] and check_password_hash(row[1], password)
            if not locked and not ok:      # recorded (and committed) before the error is raised
                db.executemany("INSERT INTO failures VALUES (?, ?)", [(k, time.time()) for k in keys])
        if locked:
            raise RateLimited("too many failed logins; wait a few minutes")
        if not ok:
            raise AccountError("wrong account name or password")
        return User(name, row[0])

    # -- API tokens -----------------------------------------------------------------------------
    def new_token(self, name: str) -> str:
        user = self.get(name)
        if user is None or user.disabled:
            raise AccountError(f"no active account named {name!r}")
        token = "kb_" + secrets.token_urlsafe(32)
        with self._lock, self._connect() as db:
            db.execute("INSERT INTO tokens VALUES (?, ?, ?)", (_digest(token), name, time.time()))
        return token

    def by_token(self, token: str) -> User | None:
        with self._connect() as db:
            row = db.execute("SELECT u.name, u.role, u.disabled FROM tokens t JOIN users u ON u.name = t.user "
                             "WHERE t.hash = ?", (_digest(token),)).fetchone()
        if row is None or row[2]:
            return None
        return User(row[0], row[1])

    # -- product ownership ----------------------------------------------------------------------
    def owner(self, product: str) -> str | None:
        with self._connect() as db:
            row = db.execute("SELECT user FROM owners WHERE product = ?", (product,)).fetchone()
        return row[0] if row else None

    def claim(self, product: str, user: User) -> None:
        """Record the owner of a new product; raises AccountError if another vendor owns it."""
        with self._lock, self._connect() as db:
            row = db.execute("SELECT user FROM owners WHERE product = ?", (product,)).fetchone()
            if row and row[0] != user.name and user.role != "admin":
                raise AccountError(f"product {product!r} belongs to another vendor")
            if not row:
                db.execute("INSERT INTO owners VALUES (?, ?)", (product, user.name))

    def release(self, product: str) -> None:
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM owners WHERE product = ?", (product,))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
