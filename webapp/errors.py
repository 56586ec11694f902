"""Errors never show a traceback: JSON for /api, plain text for the SPARQL endpoint, a short page
elsewhere. An unexpected error is logged with its traceback and answered with a 500 and no detail."""

from __future__ import annotations

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

MESSAGES = {
    401: ("Logga in först (eller skicka en API-nyckel).", "Log in first (or send an API token)."),
    403: ("Du har inte behörighet till detta.", "You are not allowed to do this."),
    429: ("För många försök; vänta en stund.", "Too many attempts; wait a while."),
    413: ("Begäran är för stor.", "The request is too large."),
    404: ("Sidan finns inte.", "Not found."),
    405: ("Metoden är inte tillåten här.", "Method not allowed."),
    500: ("Ett internt fel inträffade; det är loggat.", "An internal error occurred; it has been logged."),
}


def _respond(status: int, description: str | None = None) -> Response:
    sv, en = MESSAGES.get(status, (description or "Fel.", description or "Error."))
    if request.path.startswith("/api/"):
        response = jsonify({"errors": [{"field": "(request)", "message": {"sv": sv, "en": en}}]})
    elif request.path.startswith("/sparql"):
        response = Response(en + "\n", mimetype="text/plain")
    else:
        response = Response(f"<!doctype html><html lang=sv><title>{status}</title><h1>{status}</h1><p>{sv}</p>"
                            f"<p lang=en>{en}</p><p><a href=\"/\">kravbib</a></p>", mimetype="text/html")
    response.status_code = status
    return response


def register(app) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return _respond(exc.code or 500, exc.description)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error on %s %s", request.method, request.path)
        return _respond(500)
