"""The OpenAPI 3.1 document of /api (served at /api/openapi.json). The product description schema
is derived from the SHACL input shapes (kravbib.jsonschema); each named query is a path of its own,
with its parameters. tests/test_api_schemathesis.py holds the running app to this document."""

from __future__ import annotations

import functools

from kravbib.catalogue import filter_terms
from kravbib.jsonschema import product_schema
from kravbib.queries import DATE_PATTERN, INTEGER_PATTERN, IRI_PATTERN, MAX_STRING
from kravbib.sparql_guard import Refused, check

from .services import services
from .sparql import GRAPH_FORMATS, RESULT_FORMATS

ERRORS = {"description": "Invalid input: every problem, by field",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}
NOT_FOUND = {"description": "No such product", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}
DESCRIPTION_BODY = {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/ProductDescription"}},
    "text/turtle": {"schema": {"type": "string"}}}}
ON = {"name": "on", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
      "description": "judge validity dates as of this day (default: today)"}
FORMAT = {"name": "format", "in": "query", "required": False, "schema": {"type": "string", "enum": ["json", "turtle", "text"]}}
LANG = {"name": "lang", "in": "query", "required": False, "schema": {"type": "string", "enum": ["sv", "en"]}}
PID = {"name": "pid", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,63}$"}}
TEXT_ERROR = {"description": "Refused, with the reason", "content": {"text/plain": {"schema": {"type": "string"}}}}
ASSESSMENT = {"description": "The assessment (JSON, or with ?format= Turtle or text)", "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Assessment"}}, "text/turtle": {}, "text/plain": {}}}
# A named query's parameter, by its type, as kravbib.queries.to_term accepts it (an omitted optional
# parameter, or an empty one, means "any"; a required one must be given).
PARAM_TYPES = {"iri": {"type": "string", "format": "iri", "pattern": IRI_PATTERN.pattern},
               "integer": {"type": "string", "pattern": INTEGER_PATTERN.pattern},
               "date": {"type": "string", "pattern": DATE_PATTERN.pattern},
               "string": {"type": "string", "minLength": 1, "maxLength": MAX_STRING}}
EMPTY = {"type": "string", "maxLength": 0}


@functools.lru_cache(maxsize=256)
def _kind(text: str) -> str:
    """select, ask or graph (a query that does not parse is refused when run, with a 400)."""
    try:
        return check(text).kind
    except Refused:
        return "select"


def named_query(q) -> dict:
    """GET /api/queries/<name> for one named query, with its own parameters and result formats."""
    formats = GRAPH_FORMATS if _kind(q.text) == "graph" else RESULT_FORMATS
    params = [{"name": p.name, "in": "query", "required": p.required, "description": p.description,
               "schema": PARAM_TYPES[p.type] if p.required else {"anyOf": [PARAM_TYPES[p.type], EMPTY]}} for p in q.params]
    params.append({"name": "format", "in": "query", "required": False, "description": "the result format (or send Accept)",
                   "schema": {"type": "string", "enum": ["", *sorted({short for short, _ in formats.values()} | set(formats))]}})
    ok = {"description": "The results", "content": {media: {} for media in formats}}
    if q.page:
        ok["headers"] = {"Link": {"description": f'Pages of {q.page} products: when this page is full, '
                                                 '<URL of the next page>; rel="next" (the same request with after)',
                                  "schema": {"type": "string"}}}
    return {"get": {
        "summary": q.summary, "description": q.description, "parameters": params,
        "responses": {"200": ok,
                      "400": TEXT_ERROR, "406": TEXT_ERROR, "502": TEXT_ERROR, "503": TEXT_ERROR}}}


def document(server: str) -> dict:
    rs = services().rs
    filters = [{"name": n, "in": "query", "required": False, "description": d,
                "schema": {"type": "string", "enum": sorted(filter_terms(rs, n))} if n in ("qualification", "class", "category")
                else {"type": "string"}}
               for n, d in (("qualification", "medical_device | ivd_medical_device | not_medical_device"),
                            ("class", "I, IIa, IIb, III, A, B, C, D"), ("requirement", "a requirement id that applies"),
                            ("condition", "ICD-10 code prefix"), ("category", "a catalogue category"),
                            ("region", "a region profile id"))]
    return {
        "openapi": "3.1.0",
        "info": {"title": "kravbib API", "version": rs.version,
                 "description": "Assess digital health products against the requirements library; the catalogue; "
                                "named SPARQL queries. The SPARQL 1.1 endpoint is at /sparql."},
        "servers": [{"url": server}],
        "paths": {
            "/api/assess": {"post": {
                "summary": "Assess a product description (same contract as `kravbib assess`)",
                "parameters": [ON, FORMAT, LANG], "requestBody": DESCRIPTION_BODY,
                "responses": {"200": ASSESSMENT, "400": ERRORS, "413": ERRORS}}},
            "/api/catalogue": {
                "get": {"summary": "List catalogued products", "parameters": filters,
                        "responses": {"200": {"description": "Products", "content": {"application/json": {
                            "schema": {"type": "array", "items": {"$ref": "#/components/schemas/CatalogueEntry"}}}}},
                            "400": ERRORS}},
                "post": {"summary": "Assess and save a product (new or updated); a vendor's own products only",
                         "security": [{"bearer": []}, {"session": []}], "parameters": [ON],
                         "requestBody": DESCRIPTION_BODY,
                         "responses": {"201": {"description": "Saved", "content": {"application/json": {"schema": {"type": "object"}}}},
                                       "400": ERRORS, "401": ERRORS, "403": ERRORS, "413": ERRORS}}},
            "/api/catalogue/{pid}": {
                "get": {"summary": "A catalogued product's assessment (current ruleset)", "parameters": [PID, ON, FORMAT, LANG],
                        "responses": {"200": ASSESSMENT, "400": ERRORS, "404": NOT_FOUND}},
                "delete": {"summary": "Remove a product and its assessment (its vendor or an admin)",
                           "security": [{"bearer": []}, {"session": []}], "parameters": [PID],
                           "responses": {"204": {"description": "Removed"}, "401": ERRORS, "403": ERRORS, "404": NOT_FOUND}}},
            "/api/requirements": {"get": {"summary": "The requirements library",
                                          "responses": {"200": {"description": "Requirements", "content": {
                                              "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}}}},
            "/api/queries": {"get": {"summary": "The named SPARQL queries and their parameters",
                                     "responses": {"200": {"description": "Queries", "content": {
                                         "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}}}},
            # /api/queries/<name>: one path per named query, with its parameters
            **{f"/api/queries/{name}": named_query(q) for name, q in sorted(services().queries.items())},
            "/api/openapi.json": {"get": {"summary": "This document",
                                          "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}}}},
        },
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "a token from `kravbib users token NAME`"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session", "description": "after logging in at /login"}},
          "schemas": {
            "ProductDescription": product_schema(rs),
            "Errors": {"type": "object", "required": ["errors"], "properties": {"errors": {"type": "array", "items": {
                "type": "object", "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "value": {"type": "string"},
                               "message": {"type": "object", "properties": {"sv": {"type": "string"}, "en": {"type": "string"}}}}}}}},
            "Assessment": {"type": "object", "required": ["product", "ruleset", "qualification", "classification",
                                                          "determinations", "requirements", "questions", "evidence_tier"],
                           "properties": {
                               "product": {"type": "object"}, "ruleset": {"type": "object"},
                               "qualification": {"type": "object", "properties": {"status": {"type": "string", "enum": [
                                   "medical_device", "ivd_medical_device", "not_medical_device", "undetermined"]}}},
                               "classification": {"type": "object"}, "determinations": {"type": "object"},
                               "requirements": {"type": "array"}, "questions": {"type": "array"},
                               "evidence_tier": {"type": "object"}}},
            "CatalogueEntry": {"type": "object", "properties": {
                "id": {"type": "string"}, "name": {"type": "string"}, "qualification": {"type": "string"},
                "class": {"type": ["string", "null"]}, "evidence_tier": {"type": ["string", "null"]},
                "saved_at": {"type": ["string", "null"]}, "ruleset_version": {"type": "string"}}},
        }},
    }
