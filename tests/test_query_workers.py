"""Public SPARQL queries on the embedded store run in worker processes (kravbib/query_workers.py):
an overrunning query is killed at its time limit, so its CPU and its worker are free again at once;
the workers read a snapshot of the store that follows every write; their answers are those of the
in-process EmbeddedStore.run(public=True); the app leaves no process and no snapshot behind."""

import concurrent.futures
import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from kravbib.query_workers import SNAPSHOTS, QueryWorkers
from kravbib.store import Busy, EmbeddedStore, QueryTimeout
from servers import kravbib_server

psutil = pytest.importorskip("psutil")

ROOT = Path(__file__).resolve().parent.parent
KRAVBIB = str(Path(sys.executable).parent / "kravbib")
TIMEOUT = 2                     # the endpoint's limit, s
MARGIN = 4                      # generous: the answer comes at the limit, not when the query would end
WORKERS = 2
KB = "PREFIX kb: <https://w3id.org/kravbib/ontology#> "
PRODUCTS = KB + "SELECT ?p ?name WHERE { ?p a kb:Product ; kb:name ?name } ORDER BY ?name"
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"       # hours on this data
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
PATH = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a ({LABEL}|!{LABEL})* ?b }}"
PASSWORD = "a long enough password"


def sparql(url, query):
    req = urllib.request.Request(f"{url}/sparql?" + urllib.parse.urlencode({"query": query}),
                                 headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def call(url, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url + path, data=body.encode() if body else None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def workers_of(pid: int) -> list:
    """The query worker processes of the server with this pid."""
    out = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if "kravbib.query_workers" in " ".join(child.cmdline()):
                out.append(child)
        except psutil.NoSuchProcess:
            pass
    return out


def cpu_seconds(processes: list) -> float:
    total = 0.0
    for p in processes:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    data = tmp_path_factory.mktemp("query-workers") / "data"
    for example in sorted((ROOT / "examples").glob("*.json")):
        if example.name != "digital-therapy.json":          # saved through the API in a test below
            subprocess.run([KRAVBIB, "catalogue", "add", str(example), "--data", str(data)], check=True,
                           capture_output=True)
    subprocess.run([KRAVBIB, "users", "add", "vendor", "--role", "vendor", "--data", str(data)],
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    shutil.copytree(data, data.with_name("closed"))     # for the in-process tests: a copy no server has open
    return data


@pytest.fixture(scope="module")
def server(data):
    token = subprocess.run([KRAVBIB, "users", "token", "vendor", "--data", str(data)], text=True, check=True,
                           capture_output=True).stdout.strip()
    srv = kravbib_server("--data", str(data), env={"SPARQL_TIMEOUT": str(TIMEOUT), "SPARQL_WORKERS": str(WORKERS),
                                                   "SPARQL_MAX_ROWS": "500"})
    srv.token = token
    yield srv
    srv.stop()


# --- over HTTP, against `kravbib serve` -------------------------------------------------------------
def test_an_overrunning_query_is_killed_at_the_limit(server):
    assert sparql(server.url, PRODUCTS)[0] == 200
    before = workers_of(server.process.pid)
    assert 1 <= len(before) <= WORKERS
    for query in (CROSS_JOIN, PATH):
        started = time.monotonic()
        status, body = sparql(server.url, query)
        assert status == 503 and b"limit" in body
        assert time.monotonic() - started < TIMEOUT + MARGIN
        # the worker that ran it is gone, and no worker left is still computing
        after = workers_of(server.process.pid)
        assert len(after) <= WORKERS
        assert {p.pid for p in before} - {p.pid for p in after}, "the overrunning worker was not killed"
        time.sleep(0.5)                                  # let a fresh worker finish starting
        used = cpu_seconds(after)
        time.sleep(1.0)
        assert cpu_seconds(after) - used < 0.5, "a query worker is still busy after the time limit"
        before = after


def test_workers_are_not_exhausted_by_overrunning_queries(server):
    """Many more overrunning queries than workers, each followed at once by ordinary ones: with queries
    that keep their worker after the limit, the endpoint would answer "busy" after the first two."""
    for _ in range(3 * WORKERS):
        started = time.monotonic()
        assert sparql(server.url, CROSS_JOIN)[0] == 503
        assert time.monotonic() - started < TIMEOUT + MARGIN
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            answers = list(pool.map(lambda _: sparql(server.url, PRODUCTS), range(WORKERS)))
        assert [status for status, _ in answers] == [200] * WORKERS
        assert len(workers_of(server.process.pid)) <= WORKERS
    # and with every worker taken by an overrunning query at once, both are answered at the limit
    with concurrent.futures.ThreadPoolExecutor(WORKERS + 1) as pool:
        slow = [pool.submit(sparql, server.url, CROSS_JOIN) for _ in range(WORKERS)]
        results = [f.result() for f in slow]
    assert [status for status, _ in results] == [503] * WORKERS
    assert sparql(server.url, PRODUCTS)[0] == 200


def names(url) -> list[str]:
    status, body = sparql(url, PRODUCTS)
    assert status == 200
    return [b["name"]["value"] for b in json.loads(body)["results"]["bindings"]]


def test_queries_see_every_write_before_them(server, data):
    body = (ROOT / "examples" / "digital-therapy.json").read_text()
    name = json.loads(body)["name"]
    assert name not in names(server.url)
    assert call(server.url, "POST", "/api/catalogue", body, server.token)[0] == 201
    assert name in names(server.url)
    renamed = json.dumps({**json.loads(body), "name": "SömnKBT 2"})
    assert call(server.url, "POST", "/api/catalogue", renamed, server.token)[0] == 201
    assert "SömnKBT 2" in names(server.url) and name not in names(server.url)
    assert call(server.url, "DELETE", "/api/catalogue/somn-kbt-internet", token=server.token)[0] == 204
    assert "SömnKBT 2" not in names(server.url)
    # old snapshots are removed once no worker has them open: at most one per worker and the current one
    assert 1 <= len(list((data / SNAPSHOTS).iterdir())) <= WORKERS + 1
    # the audit trail the writes made is not in the public dataset
    status, raw = sparql(server.url, "SELECT ?e WHERE { ?e a <https://w3id.org/kravbib/ontology#AuditEvent> }")
    assert status == 200 and json.loads(raw)["results"]["bindings"] == []


def test_the_server_leaves_no_worker_and_no_snapshot(data, tmp_path):
    closed, data = data.with_name("closed"), tmp_path / "data"
    shutil.copytree(closed, data)
    srv = kravbib_server("--data", str(data), env={"SPARQL_TIMEOUT": str(TIMEOUT), "SPARQL_WORKERS": "3"})
    try:
        assert sparql(srv.url, PRODUCTS)[0] == 200
        pids = [p.pid for p in workers_of(srv.process.pid)]
        assert len(pids) == 3 and (data / SNAPSHOTS).is_dir()
    finally:
        srv.process.send_signal(15)                 # SIGTERM to the server alone, not its process group
        srv.process.wait(30)
        srv.stop()
    assert srv.process.returncode == 0
    deadline = time.monotonic() + 10
    while any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE for pid in pids):
        assert time.monotonic() < deadline, "query workers outlived the server"
        time.sleep(0.1)
    assert not (data / SNAPSHOTS).exists()


# --- in process: the same answers as EmbeddedStore.run(public=True) --------------------------------
@pytest.fixture
def store(data, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(data.with_name("closed"), copy)
    s = EmbeddedStore(copy)
    yield s
    s.close()


SAME = [
    PRODUCTS,
    KB + "ASK { ?s a kb:Requirement }",
    KB + "ASK { ?s a kb:NoSuchThing }",
    KB + "CONSTRUCT { ?p kb:deviceClass ?c } WHERE { ?p kb:deviceClass ?c }",
    KB + "DESCRIBE ?p WHERE { ?p a kb:Product }",
    f"SELECT ?s ?o WHERE {{ ?s {LABEL} ?o }} ORDER BY ?s ?o",                          # language tags
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",  # typed literals
    "SELECT ?x ?y WHERE { ?x a <https://w3id.org/kravbib/ontology#Product> OPTIONAL { ?x <urn:none> ?y } } ORDER BY ?x",
    "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o",                                   # truncated at 200
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",                                       # truncated at 200
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/kravbib/data/graph/audit> { ?s ?p ?o } }",
    # the audit trail stays private whichever way a query asks
    KB + "SELECT ?e WHERE { ?e a kb:AuditEvent }",
    KB + "SELECT ?e ?t WHERE { ?e kb:target ?t }",
    KB + "SELECT ?e ?x WHERE { ?e <http://www.w3.org/ns/prov#wasAssociatedWith>|kb:action ?x }",
    KB + "SELECT ?e WHERE { ?p a kb:Product FILTER NOT EXISTS { ?e kb:note ?p } }",
    KB + "SELECT ?p ?id WHERE { GRAPH ?g { ?p kb:identifier ?id } } ORDER BY ?id",
    "SELECT ?o FROM <https://w3id.org/kravbib/data/graph/audit> WHERE { ?s <https://w3id.org/kravbib/ontology#target> ?o }",
]


@pytest.mark.parametrize("query", SAME)
def test_answers_are_those_of_the_in_process_store(store, query):
    """As the endpoint runs it: over the union of all graphs when the guard finds the query cannot
    read the private audit graph, else over the explicit list of public graphs."""
    from kravbib.sparql_guard import check

    assert store.run("ASK { GRAPH <https://w3id.org/kravbib/data/graph/audit> { ?e ?p ?o } }").boolean
    workers = QueryWorkers(store, 1)
    try:
        got = workers.run(query, limit=200, timeout=30, union=check(query).public_only)
        expected = store.run(query, limit=200, timeout=30, public=True)
    finally:
        workers.close()
    assert (got.kind, got.vars, got.boolean, got.truncated) == \
           (expected.kind, expected.vars, expected.boolean, expected.truncated)
    if got.kind == "graph":
        assert len(got.graph) == len(expected.graph)
        assert got.truncated or isomorphic(got.graph, expected.graph)
    else:
        assert got.rows == expected.rows
    if "SELECT * WHERE" in query or "CONSTRUCT { ?s ?p ?o }" in query:
        assert got.truncated


def test_errors_busy_and_close(store):
    workers = QueryWorkers(store, 1)
    try:
        with pytest.raises(ValueError):
            workers.run("SELEKT nothing", limit=10, timeout=10)
        with pytest.raises(ValueError):
            store.run("SELEKT nothing", limit=10, timeout=10, public=True)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            slow = pool.submit(workers.run, CROSS_JOIN, limit=10, timeout=3)
            time.sleep(1)
            with pytest.raises(Busy):
                workers.run("ASK {}", timeout=3)
            with pytest.raises(QueryTimeout):
                slow.result()
        assert workers.run("ASK {}", timeout=10).boolean is True          # its successor answers
        pids = workers.pids()
        assert len(pids) == 1 and (store.path / SNAPSHOTS).is_dir()
    finally:
        workers.close()
    assert not (store.path / SNAPSHOTS).exists()
    time.sleep(0.1)
    assert not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE for pid in pids)


def test_a_query_waits_briefly_for_a_worker_to_come_free(store):
    """A burst of queries queues for a moment instead of failing: one that arrives while the only
    worker is taken gets it when it comes free within BUSY_WAIT."""
    workers = QueryWorkers(store, 1)
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            slow = pool.submit(workers.run, CROSS_JOIN, limit=10, timeout=1.5)
            time.sleep(0.5)
            assert workers.run("ASK {}", timeout=10).boolean is True    # waited ~1 s, then ran
            with pytest.raises(QueryTimeout):
                slow.result()
    finally:
        workers.close()


def test_start_up_removes_snapshots_a_killed_server_left(store):
    stale = store.path / SNAPSHOTS / "7"
    stale.mkdir(parents=True)
    (stale / "CURRENT").write_text("x")
    workers = QueryWorkers(store, 2)
    try:
        assert not stale.exists()
        workers.start()
        assert len(workers.pids()) == 2
        assert [p.name for p in (store.path / SNAPSHOTS).iterdir()] == ["1"]
    finally:
        workers.close()


def test_apps_made_and_dropped_leave_no_workers(data, tmp_path):
    """create_app in a test: workers start with the first query and stop with Services.close(), or
    when the app is dropped."""
    import gc

    from webapp import create_app

    folder = tmp_path / "data"
    shutil.copytree(data.with_name("closed"), folder)
    all_pids = []
    for round_ in range(3):
        app = create_app({"KRAVBIB_DATA": str(folder), "SPARQL_WORKERS": 2, "COOKIE_SECURE": False})
        services = app.extensions["kravbib"]
        assert services.workers.pids() == []                 # none until a query comes
        response = app.test_client().get("/sparql?" + urllib.parse.urlencode({"query": PRODUCTS}),
                                         headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200 and len(response.get_json()["results"]["bindings"]) == 3
        pids = services.workers.pids()
        assert len(pids) == 1
        all_pids += pids
        if round_ % 2 == 0:
            services.close()
        else:
            services.store.close()                           # the next app opens the same folder
            del app, services, response
            gc.collect()
    deadline = time.monotonic() + 10
    while any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE for pid in all_pids):
        assert time.monotonic() < deadline, "query workers outlived their app"
        time.sleep(0.1)
    assert not (folder / SNAPSHOTS).exists()
