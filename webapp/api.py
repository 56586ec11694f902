"""/api: the JSON API (documented in /api/openapi.json, which tests/test_web_api.py holds to the
routes). Reading and assessing are open to everyone; writing to the catalogue needs a vendor (or
admin) session or `Authorization: Bearer <token>`, and a vendor may only change its own products."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, jsonify, request

from kravbib.assess import assess_text
from kravbib.catalogue import Filters, NotFound, filter_term, filter_terms
from kravbib.describe import InvalidInput, Problem
from kravbib.queries import QueryError
from kravbib.render import to_text, to_turtle

from kravbib.accounts import AccountError

from .auth import current_user, require
from .services import services
from .sparql import answer, text_response

bp = Blueprint("api", __name__, url_prefix="/api")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def problems_response(problems: list[Problem], status: int = 400) -> Response:
    response = jsonify({"errors": [p.to_json() for p in problems]})
    response.status_code = status
    return response


def _problem(field: str, sv: str, en: str) -> Problem:
    return Problem(field, {"sv": sv, "en": en})


def _on() -> dt.date | None:
    raw = request.args.get("on")
    if raw is None:
        return None
    try:
        if not DATE.fullmatch(raw):     # fromisoformat also takes 20240101 and 2024-W01-1
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput([_problem("on", "Ange ett datum som ÅÅÅÅ-MM-DD.", "Give a date as YYYY-MM-DD.")]) from None


def _output() -> tuple[str, str]:
    """The ?format= and ?lang= of an assessment (json, sv by default)."""
    out, lang = request.args.get("format", "json"), request.args.get("lang", "sv")
    if out not in ("json", "turtle", "text") or lang not in ("sv", "en"):
        raise InvalidInput([_problem("format", "format är json, turtle eller text; lang är sv eller en.",
                                     "format is json, turtle or text; lang is sv or en.")])
    return out, lang


def _description() -> tuple[bytes, str]:
    """The request body and its format (json or turtle), from the Content-Type."""
    kind = (request.mimetype or "").lower()
    if kind in ("application/json", "application/ld+json", ""):
        return request.get_data(), "json"
    if kind == "text/turtle":
        return request.get_data(), "turtle"
    raise InvalidInput([_problem("(document)", f"Innehållstypen {kind} stöds inte; använd application/json eller text/turtle.",
                                 f"Content type {kind} is not supported; use application/json or text/turtle.")])


def _render(a, fmt: str, lang: str) -> Response:
    if fmt == "turtle":
        return Response(to_turtle(a), mimetype="text/turtle")
    if fmt == "text":
        return Response(to_text(a.to_json(), lang), mimetype="text/plain")
    return jsonify(a.to_json())


@bp.errorhandler(InvalidInput)
def invalid_input(exc: InvalidInput):
    return problems_response(exc.problems)


@bp.post("/assess")
def assess():
    body, fmt = _description()
    out, lang = _output()
    a = assess_text(body, services().rs, fmt, on=_on())
    return _render(a, out, lang)


@bp.get("/catalogue")
def catalogue_list():
    args = request.args
    problems = []
    for name in ("qualification", "class", "category"):       # the filters with a fixed set of values
        value = args.get(name)
        if value is not None and filter_term(services().rs, name, value) is None:
            allowed = sorted(filter_terms(services().rs, name))
            problems.append(_problem(name, f"Okänt värde {value!r}; ange ett av {', '.join(allowed)}.",
                                     f"Unknown value {value!r}; give one of {', '.join(allowed)}."))
    if problems:
        return problems_response(problems)
    rows = services().catalogue.list(Filters(args.get("qualification"), args.get("class"), args.get("requirement"),
                                             args.get("condition"), args.get("category"), args.get("region")))
    return jsonify(rows)


def _authorise(pid: str) -> None:
    """The current user may write product `pid` (claims it if new); else 403."""
    try:
        services().accounts.claim(pid, current_user())
    except AccountError:
        abort(403)


@bp.post("/catalogue")
@require("save_product")
def catalogue_save():
    body, fmt = _description()
    a = services().catalogue.save(body, fmt, on=_on(), actor=current_user().name, authorise=_authorise)
    j = a.to_json()
    response = jsonify({"id": j["product"]["id"], "qualification": j["qualification"]["status"],
                        "class": j["classification"]["class"], "ruleset": j["ruleset"]})
    response.status_code = 201
    response.headers["Location"] = f"/api/catalogue/{j['product']['id']}"
    return response


@bp.get("/catalogue/<pid>")
def catalogue_get(pid: str):
    out, lang = _output()
    try:
        a = services().catalogue.assess(pid, on=_on())
    except NotFound:
        return problems_response([_problem("id", "Ingen sådan produkt i katalogen.", "No such product in the catalogue.")], 404)
    return _render(a, out, lang)


@bp.delete("/catalogue/<pid>")
@require("save_product")
def catalogue_delete(pid: str):
    owner = services().accounts.owner(pid)
    if owner is not None and owner != current_user().name and current_user().role != "admin":
        abort(403)
    try:
        services().catalogue.remove(pid, actor=current_user().name)
        services().accounts.release(pid)
    except NotFound:
        return problems_response([_problem("id", "Ingen sådan produkt i katalogen.", "No such product in the catalogue.")], 404)
    return Response(status=204)


@bp.get("/requirements")
def requirements():
    rs = services().rs
    return jsonify([{"id": r.id, "iri": str(r.iri), "title": r.title, "description": r.description,
                     "issuer": str(r.issuer) if r.issuer else None,
                     "phase": [str(p) for p in r.phases], "severity": str(r.severity) if r.severity else None,
                     "source": [rs.source(s) for s in r.sources],
                     "valid_from": r.valid_from.isoformat() if r.valid_from else None,
                     "valid_until": r.valid_until.isoformat() if r.valid_until else None,
                     "region": str(r.profile) if r.profile else None} for r in rs.requirements])


@bp.get("/queries")
def list_queries():
    return jsonify([q.to_json() for q in services().queries.values()])


@bp.get("/queries/<name>")
def run_named_query(name: str):
    query = services().queries.get(name)
    if query is None:
        return text_response(f"no named query {name!r}; see /api/queries", 404)
    params = {k: v for k, v in request.args.items() if k != "format"}
    try:
        text = query.bind(params)
    except QueryError as exc:
        return text_response(str(exc), 400)

    def next_page(result):
        """A paged query's next page: the same request, after the last catalogue number of a full page."""
        after = query.next_after(result.rows) if result.kind == "select" else None
        if after is None:
            return None
        return request.base_url + "?" + urlencode({**request.args.to_dict(), "after": str(after)})

    return answer(text, next_page=next_page)


@bp.get("/openapi.json")
def openapi():
    from .openapi import document

    return jsonify(document(request.host_url.rstrip("/")))
