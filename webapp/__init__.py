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
}


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024      # a description is small; refuse large bodies
    for key, default in DEFAULTS.items():
        value = os.environ.get(key, default)
        if isinstance(default, float) and value is not None:
            value = float(value)
        elif isinstance(default, int) and value is not None:
            value = int(value)
        app.config[key] = value
    if test_config:
        app.config.update(test_config)

    from .services import Services

    app.extensions["kravbib"] = Services.from_config(app.config)

    from . import api, errors, sparql

    app.register_blueprint(sparql.bp)
    app.register_blueprint(api.bp)
    errors.register(app)
    return app
