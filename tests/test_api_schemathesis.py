"""Schemathesis against the OpenAPI document of a running `kravbib serve`: valid and malformed
requests for every documented operation. No 5xx; status codes, content types and bodies as
documented; every 4xx says what is wrong; and the fuzzing, anonymous, changes no stored data.

The cases come from `APIOperation.as_strategy` under Hypothesis rather than from
`schemathesis.pytest.from_fixture(...).parametrize()`: the latter needs the schema of a server that a
fixture starts, and in schemathesis 4.32 it fails under pytest 9.2 (it sets `Function._nodeid`, which
pytest no longer has)."""

import json
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from servers import kravbib_server

ROOT = Path(__file__).resolve().parent.parent
KRAVBIB = str(Path(sys.executable).parent / "kravbib")

# Every operation of the document (checked against it below), each fuzzed with valid ("positive")
# and invalid ("negative") data: derandomized, so the same cases every run, and a few per operation.
# The named queries (one path each, /api/queries/<name>) are fuzzed together, with fewer cases each.
OPERATIONS = ["POST /api/assess", "GET /api/catalogue", "POST /api/catalogue", "GET /api/catalogue/{pid}",
              "DELETE /api/catalogue/{pid}", "GET /api/requirements", "GET /api/queries"]
NO_INPUT = {"GET /api/requirements", "GET /api/queries"}         # nothing to make invalid
FUZZED = [(label, mode) for label in OPERATIONS for mode in GenerationMode
          if mode is GenerationMode.POSITIVE or label not in NO_INPUT]
FUZZ = settings(max_examples=25, derandomize=True, database=None, deadline=None, print_blob=False,
                suppress_health_check=list(HealthCheck))
FUZZ_NAMED_QUERY = settings(FUZZ, max_examples=8)

# Every named graph and its size, through the SPARQL endpoint.
GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("schemathesis") / "data"
    subprocess.run([KRAVBIB, "catalogue", "add", str(ROOT / "examples" / "wellness-app.json"), "--data", str(data)],
                   check=True, capture_output=True)
    subprocess.run([KRAVBIB, "users", "add", "vendor", "--role", "vendor", "--data", str(data)],
                   input="a long enough password\n", text=True, check=True, capture_output=True)
    srv = kravbib_server("--data", str(data))
    yield srv
    srv.stop()


def stored_state(server) -> tuple:
    """The catalogue listing and the size of every named graph."""
    with urllib.request.urlopen(server.url + "/api/catalogue", timeout=30) as r:
        catalogue = json.loads(r.read())
    query = urllib.parse.urlencode({"query": GRAPH_SIZES})
    req = urllib.request.Request(f"{server.url}/sparql?{query}", headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        graphs = [(b["g"]["value"], b["n"]["value"]) for b in json.loads(r.read())["results"]["bindings"]]
    return catalogue, graphs


@pytest.fixture(scope="module")
def before(server):
    """The stored data before any fuzzing; every fuzzing test compares it with the data after."""
    state = stored_state(server)
    assert state[0] and state[1]                # something to protect: a catalogued product, its graphs
    return state


@pytest.fixture(scope="module")
def api_schema(server, before):
    return schemathesis.openapi.from_url(f"{server.url}/api/openapi.json", timeout=30)


def named_queries(api_schema) -> list:
    return [result.ok() for result in api_schema.get_all_operations() if result.ok().path.startswith("/api/queries/")]


def test_every_documented_operation_is_fuzzed(server, api_schema):
    # All but GET /api/openapi.json, which schemathesis leaves out (it has just loaded the document from it).
    documented = {f"{method.upper()} {path}" for path, ops in api_schema.raw_schema["paths"].items() for method in ops}
    with urllib.request.urlopen(server.url + "/api/queries", timeout=30) as r:
        names = [q["name"] for q in json.loads(r.read())]
    assert names and sorted(op.path.rsplit("/", 1)[1] for op in named_queries(api_schema)) == sorted(names)
    assert documented - {"GET /api/openapi.json"} == set(OPERATIONS) | {f"GET /api/queries/{name}" for name in names}


def assert_clear_error(case, response) -> None:
    """A 4xx names the problem: JSON `errors`, each with a field and a message in Swedish and English,
    or, from the named queries (as from the SPARQL endpoint), a plain-text reason."""
    if not 400 <= response.status_code < 500:
        return
    label = f"{case.method} {case.formatted_path} -> {response.status_code}"
    text = response.text
    assert text.strip() and "Traceback" not in text, f"{label}: {text[:300]!r}"
    media = response.headers.get("content-type", [""])[0].split(";")[0].strip()
    if media == "application/json":
        errors = json.loads(text)["errors"]
        assert errors, f"{label}: no errors listed"
        for e in errors:
            assert e["field"] and e["message"]["sv"].strip() and e["message"]["en"].strip(), f"{label}: {e}"
    else:
        assert media == "text/plain", f"{label}: an error as {media}"


def fuzz(server, before, operation, mode, settings_) -> None:
    @settings_
    @given(case=operation.as_strategy(mode))
    def check(case):
        # A JSON Schema describes JSON descriptions only: to the document any string is a Turtle body, so
        # for Turtle a clear 400 is right and the data need not be accepted.
        excluded = [] if case.media_type in (None, "application/json") else [schemathesis.checks.positive_data_acceptance]
        response = case.call_and_validate(timeout=30, excluded_checks=excluded)
        assert_clear_error(case, response)

    check()
    assert stored_state(server) == before, f"{operation.label} ({mode}) changed the stored data"


@pytest.mark.parametrize("label,mode", FUZZED, ids=[f"{label} {mode}" for label, mode in FUZZED])
def test_api_conforms_to_its_document(server, before, api_schema, label, mode):
    fuzz(server, before, api_schema.find_operation_by_label(label), mode, FUZZ)


@pytest.mark.parametrize("mode", list(GenerationMode), ids=str)
def test_named_queries_conform_to_the_document(server, before, api_schema, mode):
    for operation in named_queries(api_schema):
        fuzz(server, before, operation, mode, FUZZ_NAMED_QUERY)


@pytest.mark.parametrize("query", [{}, {"format": "turtle"}, {"format": "text", "lang": "en"}, {"on": "2026-01-01"}])
def test_a_catalogued_product_as_documented(api_schema, before, query):
    """Random identifiers are not in the catalogue: the 200 of GET /api/catalogue/{pid}, for one that is."""
    operation = api_schema.find_operation_by_label("GET /api/catalogue/{pid}")
    for product in before[0]:
        response = operation.Case(path_parameters={"pid": product["id"]}, query=query).call_and_validate(timeout=30)
        assert response.status_code == 200
