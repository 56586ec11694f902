"""The JSON API over HTTP against a running `kravbib serve`, and the OpenAPI document against
both the routes and the input shapes."""

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import jsonschema
import pytest

from kravbib.cases import load_cases
from kravbib.describe import InvalidInput, from_json
from servers import kravbib_server

ROOT = Path(__file__).resolve().parent.parent


KRAVBIB = str(Path(sys.executable).parent / "kravbib")
TOKENS = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("api") / "data"
    for name in ("vendor-a", "vendor-b", "integrator"):
        role = "integrator" if name == "integrator" else "vendor"
        subprocess.run([KRAVBIB, "users", "add", name, "--role", role, "--data", str(data)],
                       input="a long enough password\n", text=True, check=True, capture_output=True)
        TOKENS[name] = subprocess.run([KRAVBIB, "users", "token", name, "--data", str(data)], text=True,
                                      check=True, capture_output=True).stdout.strip()
    srv = kravbib_server("--data", str(data))
    yield srv
    srv.stop()


def call(server, method, path, body=None, content_type="application/json", token=None):
    data = body.encode() if isinstance(body, str) else body
    headers = {"Content-Type": content_type} if data is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {TOKENS[token]}"
    req = urllib.request.Request(server.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get_content_type(), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get_content_type(), e.read()


def test_assess_same_contract_as_cli(server):
    body = (ROOT / "examples" / "remote-monitoring.json").read_text()
    status, ctype, raw = call(server, "POST", "/api/assess", body)
    assert status == 200 and ctype == "application/json"
    j = json.loads(raw)
    assert j["classification"] == {**j["classification"], "regulation": "MDR", "class": "IIb"}
    assert {"product", "ruleset", "qualification", "determinations", "requirements", "questions", "evidence_tier"} <= set(j)


def test_assess_turtle_and_text(server):
    body = (ROOT / "examples" / "wellness-app.json").read_text()
    status, ctype, raw = call(server, "POST", "/api/assess?format=turtle", body)
    assert status == 200 and ctype == "text/turtle" and b"kb:Assessment" in raw
    status, ctype, raw = call(server, "POST", "/api/assess?format=text&lang=en", body)
    assert status == 200 and b"Qualification: not a medical device" in raw


@pytest.mark.parametrize("body,content_type,fields", [
    ('{"name": "x"}', "application/json", {"intended_purpose"}),
    ('{"name": "x", "intended_purpose": "y", "functions": ["fly"]}', "application/json", {"functions"}),
    ("{not json", "application/json", {"(document)"}),
    ("<x> <y> <z> .", "text/turtle", {"(document)"}),
    ("hello", "text/plain", {"(document)"}),
])
def test_assess_bad_input_is_400_listing_fields(server, body, content_type, fields):
    status, ctype, raw = call(server, "POST", "/api/assess", body, content_type)
    assert status == 400 and ctype == "application/json"
    errors = json.loads(raw)["errors"]
    assert {e["field"] for e in errors} == fields and all(e["message"]["sv"] and e["message"]["en"] for e in errors)


def test_too_large_body_is_413(server):
    status, ctype, raw = call(server, "POST", "/api/assess", '{"name": "' + "x" * 3_000_000 + '"}')
    assert status == 413 and json.loads(raw)["errors"]


def test_catalogue_crud_and_ownership(server):
    body = (ROOT / "examples" / "digital-therapy.json").read_text()
    assert call(server, "POST", "/api/catalogue", body)[0] == 401                        # anonymous
    assert call(server, "POST", "/api/catalogue", body, token="integrator")[0] == 403    # read-only role
    status, _, raw = call(server, "POST", "/api/catalogue", body, token="vendor-a")
    assert status == 201 and json.loads(raw)["id"] == "somn-kbt-internet"
    assert call(server, "POST", "/api/catalogue", body, token="vendor-b")[0] == 403      # another vendor's product
    assert call(server, "DELETE", "/api/catalogue/somn-kbt-internet", token="vendor-b")[0] == 403
    assert call(server, "POST", "/api/catalogue", body, token="vendor-a")[0] == 201      # its own: an update
    status, _, raw = call(server, "GET", "/api/catalogue?class=IIa")
    assert [p["id"] for p in json.loads(raw)] == ["somn-kbt-internet"]
    status, _, raw = call(server, "GET", "/api/catalogue/somn-kbt-internet")
    assert status == 200 and json.loads(raw)["classification"]["class"] == "IIa"
    assert call(server, "DELETE", "/api/catalogue/somn-kbt-internet")[0] == 401
    assert call(server, "DELETE", "/api/catalogue/somn-kbt-internet", token="vendor-a")[0] == 204
    assert call(server, "GET", "/api/catalogue/somn-kbt-internet")[0] == 404
    assert call(server, "GET", "/api/catalogue?class=XX")[0] == 400
    assert call(server, "POST", "/api/catalogue", body, token=None)[0] == 401


def test_openapi_matches_the_routes(server):
    status, _, raw = call(server, "GET", "/api/openapi.json")
    doc = json.loads(raw)
    names = [q["name"] for q in json.loads(call(server, "GET", "/api/queries")[2])]
    named = {f"/api/queries/{name}" for name in names}       # /api/queries/<name>: a path per named query
    assert names and named <= set(doc["paths"])
    documented = {("/api/queries/{name}" if path in named else path, method.upper())
                  for path, ops in doc["paths"].items() for method in ops}
    from webapp import create_app
    app = create_app({"KRAVBIB_DATA": str(Path(server.url.replace("http://", "/tmp/unused-")))})
    implemented = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = rule.rule.replace("<pid>", "{pid}").replace("<name>", "{name}")
            implemented |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == implemented


def test_product_schema_agrees_with_the_input_shapes(rs):
    """For every case product and some broken variants: JSON Schema valid <=> the shapes accept it."""
    from webapp.openapi import product_schema
    schema = product_schema(rs)
    products = [case["product"] for _, case in load_cases(ROOT / "tests" / "cases")]
    broken = [{"name": "x"}, {"name": "x", "intended_purpose": "y", "functions": "analyse"},
              {"name": "x", "intended_purpose": "y", "uses_ai": "yes"}, {"name": "x", "intended_purpose": "y", "colour": 1},
              {"name": "x", "intended_purpose": "y", "evidence": [{"type": "horoscope"}]},
              # beyond the form of single fields: contradictions, unknown questions and regions, repeated answers
              {"name": "x", "intended_purpose": "y", "decision_impact": "other"},
              {"name": "x", "intended_purpose": "y", "driven_device_class": "IIa", "drives_or_influences_device": False},
              {"name": "x", "intended_purpose": "y", "vital_parameters_immediate_danger": True},
              {"name": "x", "intended_purpose": "y", "answers": [{"question": "XQ-99", "value": True}]},
              {"name": "x", "intended_purpose": "y", "answers": [{"question": "BQ-01", "value": True},
                                                                {"question": "BQ-01", "value": False}]},
              {"name": "x", "intended_purpose": "y", "regions": ["no-such-region"]}]
    for product in products + broken:
        schema_ok = jsonschema.Draft202012Validator(schema).is_valid(product)
        try:
            from_json(product, rs)
            shapes_ok = True
        except InvalidInput:
            shapes_ok = False
        assert schema_ok == shapes_ok, product
