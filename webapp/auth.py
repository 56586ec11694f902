"""Logging in and who may do what.

Sessions live in signed, HttpOnly, SameSite=Lax cookies (Secure unless COOKIE_SECURE is off for
local plain-HTTP use). API clients may instead send `Authorization: Bearer <token>` (tokens from
`kravbib users token`). `require(action)` guards a route: 401 without a user, 403 when the user's
role does not allow the action (see kravbib.accounts.User.can)."""

from __future__ import annotations

import functools

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for

from kravbib.accounts import AccountError, RateLimited, User

from .services import services

bp = Blueprint("auth", __name__)


def current_user() -> User | None:
    if "user" in g:
        return g.user
    user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = services().accounts.by_token(header[len("Bearer "):].strip())
    elif session.get("user"):
        found = services().accounts.get(session["user"])
        user = found if found and not found.disabled else None
    g.user = user
    return user


def require(action: str):
    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                if request.path.startswith("/api/"):
                    abort(401)
                return redirect(url_for("auth.login", next=request.path))
            if not user.can(action):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        try:
            user = services().accounts.login(name, request.form.get("password", ""), request.remote_addr or "")
        except RateLimited as exc:
            return render_template("login.html", error=str(exc), name=name), 429
        except AccountError as exc:
            error = str(exc)
        else:
            session.clear()
            session["user"] = user.name
            target = request.args.get("next", "/")
            return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
    return render_template("login.html", error=error, name=request.form.get("name", "")), 400 if error else 200


@bp.post("/logout")
def logout():
    session.clear()
    return redirect("/")
