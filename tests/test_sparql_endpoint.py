"""/sparql, tested over HTTP with SPARQLWrapper as the client against a running `kravbib serve`."""

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kravbib.store import RemoteStore, StoreError
from servers import free_port, kravbib_server, oxigraph_server

ROOT = Path(__file__).resolve().parent.parent
KRAVBIB = str(Path(sys.executable).parent / "kravbib")
LIMITS = {"SPARQL_TIMEOUT": "1", "SPARQL_MAX_ROWS": "500", "SPARQL_WORKERS": "2"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("endpoint") / "data"
    for example in sorted((ROOT / "examples").glob("*.json")):
        subprocess.run([KRAVBIB, "catalogue", "add", str(example), "--data", str(data)], check=True,
                       capture_output=True)
    srv = kravbib_server("--data", str(data), env=LIMITS)
    yield srv
    srv.stop()


def client(server, query, fmt=JSON):
    sw = SPARQLWrapper(f"{server.url}/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    return sw


def http(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get_content_type(), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get_content_type(), e.read()


COUNT_PRODUCTS = """PREFIX kb: <https://w3id.org/kravbib/ontology#>
SELECT ?p ?name WHERE { ?p a kb:Product ; kb:name ?name } ORDER BY ?name"""


def test_select_in_every_result_format(server):
    rows = client(server, COUNT_PRODUCTS).queryAndConvert()["results"]["bindings"]
    assert len(rows) == 4 and rows[0]["name"]["value"].startswith("HjärtSvikt")
    xml = client(server, COUNT_PRODUCTS, XML).queryAndConvert()
    assert len(xml.getElementsByTagName("result")) == 4
    csv = client(server, COUNT_PRODUCTS, CSV).queryAndConvert().decode()
    assert csv.splitlines()[0] == "p,name" and len(csv.splitlines()) == 5
    tsv = client(server, COUNT_PRODUCTS, TSV).queryAndConvert().decode()
    assert tsv.splitlines()[0] == "?p\t?name" and len(tsv.splitlines()) == 5


def test_post_forms_and_ask(server):
    sw = client(server, "ASK { ?s a <https://w3id.org/kravbib/ontology#Requirement> }")
    sw.setMethod(POST)
    assert sw.queryAndConvert()["boolean"] is True
    status, ctype, body = http("POST", f"{server.url}/sparql", COUNT_PRODUCTS.encode(),
                               {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 4


def test_construct_in_graph_formats(server):
    q = ("PREFIX kb: <https://w3id.org/kravbib/ontology#> "
         "CONSTRUCT { ?p kb:deviceClass ?c } WHERE { ?p kb:deviceClass ?c }")
    g = client(server, q, TURTLE).queryAndConvert()
    assert len(Graph().parse(data=g, format="turtle")) == 3
    for accept, fmt in (("application/n-triples", "nt"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")):
        status, ctype, body = http("GET", f"{server.url}/sparql?" + urllib.parse.urlencode({"query": q}),
                                   headers={"Accept": accept})
        assert status == 200 and ctype == accept
        assert len(Graph().parse(data=body, format=fmt)) == 3


def test_service_description(server):
    status, ctype, body = http("GET", f"{server.url}/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and ctype == "text/turtle"
    g = Graph().parse(data=body, format="turtle")
    assert (None, None, None) in g and b"SPARQL11Query" in body


@pytest.mark.parametrize("method,body,headers,status", [
    ("POST", b"update=INSERT+DATA+%7B+%3Curn%3Aa%3E+%3Curn%3Ab%3E+%3Curn%3Ac%3E+%7D",
     {"Content-Type": "application/x-www-form-urlencoded"}, 403),
    ("POST", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", {"Content-Type": "application/sparql-update"}, 403),
    ("POST", b"LOAD <http://127.0.0.1:9/x.ttl>", {"Content-Type": "application/sparql-query"}, 403),
    ("POST", b"SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
     {"Content-Type": "application/sparql-query"}, 400),
    ("POST", b"SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }",
     {"Content-Type": "application/sparql-query"}, 400),
    ("POST", b"SELEKT nothing", {"Content-Type": "application/sparql-query"}, 400),
])
def test_refusals(server, method, body, headers, status):
    got, ctype, text = http(method, f"{server.url}/sparql", body, headers)
    assert got == status and ctype == "text/plain" and text.strip()


def test_refusals_through_sparqlwrapper(server):
    sw = SPARQLWrapper(f"{server.url}/sparql", updateEndpoint=f"{server.url}/sparql")
    sw.setMethod(POST)
    sw.setQuery("DELETE WHERE { ?s ?p ?o }")
    with pytest.raises(urllib.error.HTTPError) as exc:      # SPARQLWrapper passes 403 through as it is
        sw.query()
    assert exc.value.code == 403
    with pytest.raises(QueryBadFormed):
        client(server, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }").query()
    assert client(server, COUNT_PRODUCTS).queryAndConvert()["results"]["bindings"]   # the data is still there


def test_result_size_limit_is_an_error_not_a_cut(server):
    status, _, body = http("GET", f"{server.url}/sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"}))
    assert status == 400 and b"more than 500 rows" in body


def _slow_query(server) -> str:
    """A query that runs a few seconds on this data (the endpoint's limit is 1 s)."""
    labels = int(client(server, "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://www.w3.org/2000/01/rdf-schema#label> ?x }")
                 .queryAndConvert()["results"]["bindings"][0]["n"]["value"])
    repeat = max(1, int(40_000_000 / (labels * labels)))
    values = " ".join(str(i) for i in range(repeat))
    return (f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?i {{ {values} }} "
            "?a <http://www.w3.org/2000/01/rdf-schema#label> ?x . ?b <http://www.w3.org/2000/01/rdf-schema#label> ?y }")


def test_time_limit_and_the_server_stays_responsive(server):
    slow = _slow_query(server)
    started = time.monotonic()
    status, _, body = http("GET", f"{server.url}/sparql?" + urllib.parse.urlencode({"query": slow}))
    assert status == 503 and b"limit" in body
    assert time.monotonic() - started < 5
    # meanwhile other users are served
    t0 = time.monotonic()
    assert len(client(server, COUNT_PRODUCTS).queryAndConvert()["results"]["bindings"]) == 4
    assert time.monotonic() - t0 < 2


def test_named_queries_api(server):
    status, _, body = http("GET", f"{server.url}/api/queries")
    names = {q["name"] for q in json.loads(body)}
    assert "requirements-for-class" in names
    url = f"{server.url}/api/queries/requirements-for-class?" + urllib.parse.urlencode(
        {"class": "https://w3id.org/kravbib/ontology#ClassIIb"})
    status, ctype, body = http("GET", url, headers={"Accept": "application/sparql-results+json"})
    assert status == 200
    ids = {b.get("identifier", {}).get("value") for b in json.loads(body)["results"]["bindings"]}
    assert "MDR-86-PSUR" in ids
    status, _, body = http("GET", f"{server.url}/api/queries/requirements-for-class")
    assert status == 400 and b"required" in body
    status, _, _ = http("GET", f"{server.url}/api/queries/no-such-query")
    assert status == 404


# -- a remote store that answers with a cut-off body -----------------------------------------------
class CutOff(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"head":{"vars":["s"]},"results":{"bindings":[The SPARQL operation has been cancelled'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):
        pass


def test_a_cut_off_answer_is_an_error_not_a_result():
    port = free_port()
    httpd = HTTPServer(("127.0.0.1", port), CutOff)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with pytest.raises(StoreError, match="cut off"):
            RemoteStore(f"http://127.0.0.1:{port}/query").run("SELECT ?s WHERE { ?s ?p ?o }")
    finally:
        httpd.shutdown()


def test_endpoint_in_front_of_oxigraph_server_with_its_own_timeout(tmp_path):
    """Oxigraph's server cancels a long query with HTTP 200 and a cut-off body; our endpoint in
    front of it must answer with an error instead."""
    ox = oxigraph_server(tmp_path / "ox", timeout_s=1)
    app = None
    try:
        subprocess.run([KRAVBIB, "catalogue", "add", str(ROOT / "examples" / "wellness-app.json"),
                        "--endpoint", f"{ox.url}/query", "--update-endpoint", f"{ox.url}/update"],
                       check=True, capture_output=True)
        app = kravbib_server("--endpoint", f"{ox.url}/query", "--update-endpoint", f"{ox.url}/update",
                             env={"SPARQL_TIMEOUT": "20", "SPARQL_WORKERS": "2"})
        slow = "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?i { 1 2 3 4 5 6 7 8 9 10 } ?a ?p ?x . ?b ?q ?y }"
        status, ctype, body = http("GET", f"{app.url}/sparql?" + urllib.parse.urlencode({"query": slow}))
        assert status in (502, 503) and ctype == "text/plain"
        ok = client(app, COUNT_PRODUCTS).queryAndConvert()["results"]["bindings"]
        assert [b["name"]["value"] for b in ok] == ["Vardagssteg – steps and sleep diary"]
    finally:
        if app:
            app.stop()
        ox.stop()


# --- paged named queries --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def larger_server(tmp_path_factory):
    """24 catalogued products: copies of the examples under other identifiers."""
    from kravbib import ruleset
    from kravbib.catalogue import Catalogue
    from kravbib.store import EmbeddedStore

    data = tmp_path_factory.mktemp("paged") / "data"
    store = EmbeddedStore(data)
    cat = Catalogue(store, ruleset.load(ROOT))
    cat.ensure_ruleset()
    for i in range(6):
        for example in sorted((ROOT / "examples").glob("*.json")):
            obj = json.loads(example.read_text(encoding="utf-8"))
            obj["id"] = f"{example.stem}-{i}"
            cat.save(json.dumps(obj))
    store.close()
    srv = kravbib_server("--data", str(data), env={**LIMITS, "SPARQL_TIMEOUT": "10", "SPARQL_MAX_ROWS": "10000"})
    yield srv
    srv.stop()


def _get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        link = r.headers.get("Link")
        return json.loads(r.read())["results"]["bindings"], link


def test_paged_named_query_walks_the_catalogue_by_link(larger_server):
    """open-gaps-per-product answers 5 products a page; following Link rel=next visits every product
    once, and the pages together give exactly the rows of the per-product queries."""
    url = f"{larger_server.url}/api/queries/open-gaps-per-product?lang=en"
    pages, rows = [], []
    while url:
        page, link = _get(url)
        pages.append({int(r["number"]["value"]) for r in page})
        rows += page
        url = link[1:link.index(">")] if link else None
        assert link is None or link.endswith('rel="next"')
    assert [len(p) for p in pages] == [5, 5, 5, 5, 4]                      # the last page has no Link
    assert sorted(n for p in pages for n in p) == list(range(1, 25))      # catalogue order, no gaps, no repeats
    assert all(max(a) < min(b) for a, b in zip(pages, pages[1:]))
    ids = sorted({r["id"]["value"] for r in rows})
    assert len(ids) == 24
    key = lambda r: tuple(sorted((k, v["value"]) for k, v in r.items()))
    for pid in ids[:3] + ids[-2:]:
        one, link = _get(f"{larger_server.url}/api/queries/open-gaps-per-product?lang=en&product={pid}")
        assert link is None and sorted(map(key, one)) == sorted(key(r) for r in rows if r["id"]["value"] == pid)
    # a list of fewer products than a page has no next page; `after` must be a number
    page, link = _get(f"{larger_server.url}/api/queries/products-by-classification")
    assert len(page) == 24 and link is None
    status, _, body = http("GET", f"{larger_server.url}/api/queries/products-by-classification?after=ten")
    assert status == 400 and b"after" in body
