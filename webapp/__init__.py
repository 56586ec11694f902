"""The kravbib web app: an app factory with blueprints (Flask tutorial style).

Configuration (app.config, or environment variables of the same name):
- KRAVBIB_DATA: embedded store folder (default ./kravbib-data);
- KRAVBIB_ENDPOINT / KRAVBIB_UPDATE_ENDPOINT: a remote SPARQL store instead;
- KRAVBIB_RULESET: ruleset folder (default: the shipped rules);
- SPARQL_TIMEOUT (s, default 10), SPARQL_MAX_ROWS (default 10000), SPARQL_WORKERS (default 4).
"""

from __future__ import annotations

import os

from flask import Flask

DEFAULTS = {
    "KRAVBIB_DATA": "kravbib-data",
    "KRAVBIB_ENDPOINT": None,
    "KRAVBIB_UPDATE_ENDPOINT": None,
    "KRAVBIB_RULESET": None,
    "SPARQL_TIMEOUT": 10.0,
    "SPARQL_MAX_ROWS": 10_000,
    "SPARQL_WORKERS": 4,
    "KRAVBIB_SECRET_KEY": None,
    "COOKIE_SECURE": True,
}


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024      # a description is small; refuse large bodies
    for key, default in DEFAULTS.items():
        value = os.environ.get(key, default)
        if isinstance(default, bool) and isinstance(value, str):
            value = value.lower() not in ("0", "false", "no", "off")
        elif isinstance(default, float) and value is not None:
            value = float(value)
        elif isinstance(default, int) and value is not None:
            value = int(value)
        app.config[key] = value
    if test_config:
        app.config.update(test_config)

    from .services import Services

    services = Services.from_config(app.config)
    app.extensions["kravbib"] = services
    app.config.update(
        SECRET_KEY=app.config["KRAVBIB_SECRET_KEY"] or _secret_key(services.data_dir),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["COOKIE_SECURE"],
    )

    from flask_wtf.csrf import CSRFProtect

    from . import api, auth, errors, regulate, sparql

    csrf = CSRFProtect(app)
    csrf.exempt(sparql.bp)          # protocol clients; read-only
    csrf.exempt(api.bp)             # JSON bodies (a cross-site form cannot send them) or bearer tokens
    app.register_blueprint(sparql.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(regulate.bp)
    try:
        from . import pages
    except ImportError:             # the pages are optional while the app is being built up
        pages = None
    if pages is not None:
        app.register_blueprint(pages.bp)
    from . import i18n

    i18n.init_app(app)
    errors.register(app)
    app.after_request(security_headers)
    return app


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def security_headers(response):
    """Hardening headers on every response (see SECURITY.md)."""
    from flask import current_app

    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _secret_key(data_dir) -> bytes:
    """A random key kept in <data>/secret_key (created once, readable only by its owner)."""
    import secrets
    from pathlib import Path

    path = Path(data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
    return path.read_bytes()
