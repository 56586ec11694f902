"""/sparql: a read-only SPARQL 1.1 Protocol endpoint over the whole graph.

GET and POST (query string, urlencoded form, application/sparql-query body). Results are negotiated:
SELECT/ASK as SPARQL JSON (default), XML, CSV or TSV; CONSTRUCT/DESCRIBE as Turtle (default),
N-Triples, JSON-LD or RDF/XML (Accept header, or ?format=json|xml|csv|tsv|turtle|ntriples|jsonld|rdfxml).
Every refusal is a 4xx/5xx with a plain-text reason, never a 200 with a cut-off body: updates 403,
SERVICE / foreign FROM / bad syntax 400, more rows than the limit 400 ("add LIMIT"), time limit
and busy workers 503. With no query, the endpoint answers with its SPARQL service description.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
from flask import Blueprint, Response, request

from kravbib.sparql_guard import Refused, check
from kravbib.store import QueryTimeout, Result, StoreError

from .services import Busy, services

bp = Blueprint("sparql", __name__)

RESULT_FORMATS = {   # media type -> (short name, pyoxigraph format or None for JSON)
    "application/sparql-results+json": ("json", None),
    "application/json": ("json", None),
    "application/sparql-results+xml": ("xml", ox.QueryResultsFormat.XML),
    "application/xml": ("xml", ox.QueryResultsFormat.XML),
    "text/csv": ("csv", ox.QueryResultsFormat.CSV),
    "text/tab-separated-values": ("tsv", ox.QueryResultsFormat.TSV),
}
GRAPH_FORMATS = {    # media type -> (short name, rdflib format)
    "text/turtle": ("turtle", "turtle"),
    "application/n-triples": ("ntriples", "nt"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/rdf+xml": ("rdfxml", "xml"),
}


def text_response(message: str, status: int) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain")


def _negotiate(kind: str) -> str | None:
    table = GRAPH_FORMATS if kind == "graph" else RESULT_FORMATS
    wanted = request.args.get("format") or request.form.get("format")
    if wanted:
        for media, (short, _) in table.items():
            if short == wanted or media == wanted:
                return media
        return None
    best = request.accept_mimetypes.best_match(list(table), default=None)
    if best is None and (not request.accept_mimetypes or "*/*" in request.accept_mimetypes.values()
                         or request.accept_mimetypes.best in ("text/html", "*/*")):
        best = next(iter(table))
    return best


def serialize(result: Result, media: str) -> bytes:
    if result.kind == "graph":
        return result.graph.serialize(format=GRAPH_FORMATS[media][1], encoding="utf-8")
    body = json.dumps(result.to_json(), ensure_ascii=False).encode("utf-8")
    fmt = RESULT_FORMATS[media][1]
    if fmt is None:
        return body
    if result.kind == "ask":
        return ox.parse_query_results(body, ox.QueryResultsFormat.JSON).serialize(format=fmt)
    return ox.parse_query_results(body, ox.QueryResultsFormat.JSON).serialize(format=fmt)


def answer(text: str, default_graphs=(), named_graphs=(), next_page=None) -> Response:
    """Check, run and serialize one query; shared by /sparql and the named-query API.
    `next_page(result)`: the URL of the next page of a paged named query, or None (sent as a
    `Link: <…>; rel="next"` header)."""
    svc = services()
    try:
        checked = check(text, default_graphs, named_graphs)
    except Refused as exc:
        return text_response(str(exc), exc.status)
    if default_graphs or named_graphs:
        return text_response("default-graph-uri / named-graph-uri are not supported: the default graph is the union "
                             "of all graphs; use GRAPH or FROM in the query", 400)
    media = _negotiate(checked.kind)
    if media is None:
        offered = ", ".join(GRAPH_FORMATS if checked.kind == "graph" else RESULT_FORMATS)
        return text_response(f"no acceptable result format; offered: {offered}", 406)
    try:
        result = svc.run_query(checked.text, union=checked.public_only)
    except Busy as exc:
        return text_response(str(exc), 503)
    except QueryTimeout as exc:
        return text_response(f"{exc}; make the query more selective", 503)
    except StoreError as exc:
        return text_response(f"the store could not answer: {exc}", 502)
    except ValueError as exc:
        return text_response(f"the store refused the query: {exc}", 400)
    if result.truncated:
        return text_response(f"the result has more than {svc.max_rows} rows (the limit); add LIMIT/OFFSET", 400)
    response = Response(serialize(result, media), mimetype=media)
    url = next_page(result) if next_page is not None else None
    if url:
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response


def service_description() -> Response:
    endpoint = request.base_url
    formats = " , ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in
                         ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                          "Turtle", "N-Triples", "JSON-LD", "RDF_XML"))
    body = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
[] a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:resultFormat {formats} ;
    sd:feature sd:UnionDefaultGraph ;
    dcterms:title "kravbib SPARQL endpoint (read-only)"@en , "kravbibs SPARQL-ändpunkt (endast läsning)"@sv ;
    dcterms:description "Requirements library, benefit questions, ontology, catalogue and assessments. Limits: {services().timeout:g} s per query, {services().max_rows} rows; no updates, no SERVICE."@en .
"""
    return Response(body, mimetype="text/turtle")


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    content_type = (request.mimetype or "").lower()
    if request.method == "POST" and content_type == "application/sparql-update":
        return text_response("this endpoint is read-only: SPARQL updates are not accepted", 403)
    if request.values.get("update") is not None:
        return text_response("this endpoint is read-only: SPARQL updates are not accepted", 403)
    if request.method == "POST" and content_type == "application/sparql-query":
        text = request.get_data(as_text=True)
        defaults, named = request.args.getlist("default-graph-uri"), request.args.getlist("named-graph-uri")
    else:
        text = request.values.get("query")
        defaults, named = request.values.getlist("default-graph-uri"), request.values.getlist("named-graph-uri")
    if text is None:
        return service_description()
    return answer(text, defaults, named)
