"""The OpenAPI 3.1 document of /api (served at /api/openapi.json). The product description schema
is derived from the SHACL input shapes (kravbib.jsonschema)."""

from __future__ import annotations

from kravbib.jsonschema import product_schema

from .services import services

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
SPARQL_RESULT = {"description": "SPARQL results (JSON, XML, CSV, TSV) or a graph (Turtle, N-Triples, JSON-LD, RDF/XML)",
                 "content": {"application/sparql-results+json": {}, "text/csv": {}, "text/turtle": {}}}
TEXT_ERROR = {"description": "Refused, with the reason", "content": {"text/plain": {"schema": {"type": "string"}}}}


def document(server: str) -> dict:
    rs = services().rs
    filters = [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}, "description": d}
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
                "responses": {"200": {"description": "The assessment", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Assessment"}},
                    "text/turtle": {}, "text/plain": {}}}, "400": ERRORS, "413": ERRORS}}},
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
                        "responses": {"200": {"description": "The assessment", "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Assessment"}}}},
                            "400": ERRORS, "404": NOT_FOUND}},
                "delete": {"summary": "Remove a product and its assessment (its vendor or an admin)",
                           "security": [{"bearer": []}, {"session": []}], "parameters": [PID],
                           "responses": {"204": {"description": "Removed"}, "401": ERRORS, "403": ERRORS, "404": NOT_FOUND}}},
            "/api/requirements": {"get": {"summary": "The requirements library",
                                          "responses": {"200": {"description": "Requirements", "content": {
                                              "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}}}},
            "/api/queries": {"get": {"summary": "The named SPARQL queries and their parameters",
                                     "responses": {"200": {"description": "Queries", "content": {
                                         "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}}}},
            "/api/queries/{name}": {"get": {
                "summary": "Run a named query; its parameters are query-string parameters",
                "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": SPARQL_RESULT, "400": TEXT_ERROR, "404": TEXT_ERROR, "503": TEXT_ERROR}}},
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
