"""/api: the JSON API. Named queries (queries/*.rq) at /api/queries and /api/queries/<name>."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from kravbib.queries import QueryError

from .services import services
from .sparql import answer, text_response

bp = Blueprint("api", __name__, url_prefix="/api")


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
    return answer(text)
