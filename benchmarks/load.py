"""Issue 9: a bounded load test of the web app on loopback — 50 concurrent users, a mix of
assessments, browsed pages, SPARQL queries and named queries, with locust.

This file has two roles:

- **locustfile** (`locust -f benchmarks/load.py --host URL`): the simulated users (the classes at the
  end, defined only inside the locust process). Every request is named `kind: what` with kind one of
  `assess`, `browse`, `sparql`, `named-query`; anything but a 2xx (or a page that says the catalogue
  could not be read) is a failure.
- **library** (`from benchmarks import load`): `seed` fills a data folder's catalogue, `run` runs locust
  headless in a subprocess and parses its CSV, `step` is the benchmark harness's `loadtest` step
  (seed, serve, run, stop). Locust monkeypatches the standard library with gevent when it is
  imported, so it is only ever imported in its own process: importing this module does not import
  locust.

`python -m benchmarks.load [--users 50] [--seconds 60] [--url URL]` runs it by hand (without --url: on
a freshly seeded temporary data folder with its own server).
"""

from __future__ import annotations

import csv
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ON = "2026-11-25"                       # every assessment is judged as of this day (as in benchmarks/steps.py)
KINDS = ("assess", "browse", "sparql", "named-query")
SEED_START = 100_000                    # seeded catalogue products are bench-100000, bench-100001, …
# a page that rendered although the store could not answer (webapp/pages.py catches StoreError,
# e.g. a busy SPARQL worker pool, and says so in the page with status 200): a failure all the same
STORE_ERROR_TEXTS = ("Katalogen kunde inte läsas just nu", "The catalogue could not be read just now")


# --- library side: seeding, running locust, parsing its output ------------------------------------
def seed(data_dir: str | Path, n: int, ruleset=None) -> list[str]:
    """Save n generated products in the catalogue of the embedded store in data_dir (no server
    may have it open) and let go of the store; returns the product ids. `ruleset`: a compiled
    kravbib Ruleset or a ruleset folder (default: the shipped rules)."""
    from kravbib import ruleset as rulesets
    from kravbib.catalogue import Catalogue
    from kravbib.store import EmbeddedStore

    from .generator import ProductGenerator

    rs = ruleset if isinstance(ruleset, rulesets.Ruleset) else rulesets.load(ruleset or REPO)
    gen = ProductGenerator(Path(rs.directory))
    store = EmbeddedStore(data_dir)
    ids = []
    try:
        cat = Catalogue(store, rs, archive_dir=data_dir)
        cat.ensure_ruleset()
        for text in gen.products(n, start=SEED_START):
            cat.save(text, on=_date(ON), actor="loadtest-seed")
            ids.append(json.loads(text)["id"])
    finally:
        store.close()
    return ids


def _date(text: str):
    import datetime as dt
    return dt.date.fromisoformat(text)


def run(url: str, users: int = 50, spawn_rate: float = 25, seconds: float = 60, csv_prefix: str | Path | None = None,
        wait: tuple[float, float] = (0.5, 2.5), pool: int = 100, stop_timeout: float = 30,
        request_timeout: float = 30) -> dict:
    """Run locust headless against url (a running kravbib server whose catalogue has products) in a
    subprocess and return its statistics:

    - `requests`: per request name (`kind: what`), from locust's CSV: count, failures, median, p95,
      max and mean (ms, locust's rounded histogram), requests/s;
    - `kinds`: per kind (assess, browse, sparql, named-query), from every response time the
      locustfile recorded: count, failures, median, p95 (nearest rank), max (ms), requests/s;
    - `total`: locust's aggregated row; `failures`: locust's failures.csv (method, name, error,
      occurrences); `errors`: the number of failed requests.

    Users think `wait` seconds (uniform) between requests; vendors post one of `pool` generated
    products to /api/assess (generated before the users start, so generation is not measured)."""
    prefix = Path(csv_prefix) if csv_prefix else Path(tempfile.mkdtemp(prefix="kravbib-load-")) / "load"
    prefix.parent.mkdir(parents=True, exist_ok=True)
    kinds_file = Path(f"{prefix}_kinds.json")
    for suffix in ("_kinds.json", "_final_stats.csv", "_final_failures.csv"):
        Path(f"{prefix}{suffix}").unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "locust", "-f", str(Path(__file__).resolve()), "--headless",
           "-u", str(users), "-r", str(spawn_rate), "-t", f"{int(math.ceil(seconds))}s", "--host", url.rstrip("/"),
           "--csv", str(prefix), "--only-summary", "--stop-timeout", str(int(stop_timeout)),
           "--loglevel", "WARNING"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           "KRAVBIB_LOAD_PREFIX": str(prefix), "KRAVBIB_LOAD_WAIT": f"{wait[0]},{wait[1]}",
           "KRAVBIB_LOAD_POOL": str(pool), "KRAVBIB_LOAD_TIMEOUT": str(request_timeout)}
    cpu_before = _children_cpu()
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=seconds + stop_timeout + 180)    # no stdin: locust reads keys from a terminal
    wall = time.perf_counter() - t
    output = proc.stdout + proc.stderr
    Path(f"{prefix}.log").write_text(output, encoding="utf-8")
    if not Path(f"{prefix}_stats.csv").exists():
        raise RuntimeError(f"locust wrote no statistics (exit code {proc.returncode}):\n{output[-3000:]}")
    # the locustfile writes the final statistics when locust quits (PREFIX_final_*.csv, same format):
    # locust's own CSV files are rewritten once a second while the test runs and miss the last requests
    out = parse_csv(f"{prefix}_final") if Path(f"{prefix}_final_stats.csv").exists() else parse_csv(prefix)
    kinds = json.loads(kinds_file.read_text(encoding="utf-8")) if kinds_file.exists() else {}
    if kinds.get("setup_error"):
        raise RuntimeError(f"the locustfile could not prepare the test: {kinds['setup_error']}")
    out.update({"locust": version("locust"), "url": url, "users": users, "spawn_rate": spawn_rate,
                "seconds": seconds, "wait_s": list(wait), "pool": pool, "kinds": kinds.get("kinds", {}),
                "measured_s": kinds.get("seconds"),
                "setup": kinds.get("setup", {}), "exceptions": kinds.get("exceptions", []),
                "exit_code": proc.returncode, "wall_s": wall,
                "client_cpu_s": _children_cpu() - cpu_before,
                "client_cpu_warning": "CPU usage above" in output, "csv_prefix": str(prefix)})
    out["errors"] = (out["total"].get("failures", 0) if out.get("total") else sum(
        k["failures"] for k in out["kinds"].values())) + sum(e["count"] for e in out["exceptions"])
    return out


def parse_csv(prefix: str | Path) -> dict:
    """locust's PREFIX_stats.csv and PREFIX_failures.csv as dicts."""
    requests, total = {}, {}
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            entry = {"method": row["Type"], "count": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                     "median_ms": _num(row["Median Response Time"]), "p95_ms": _num(row.get("95%")),
                     "max_ms": _num(row["Max Response Time"]), "mean_ms": _num(row["Average Response Time"]),
                     "per_s": _num(row["Requests/s"])}
            if row["Name"] == "Aggregated":
                total = entry
            else:
                requests[row["Name"]] = entry
    failures = []
    path = Path(f"{prefix}_failures.csv")
    if path.exists():
        with open(path, newline="", encoding="utf-8") as fh:
            failures = [{"method": r["Method"], "name": r["Name"], "error": r["Error"],
                         "occurrences": int(r["Occurrences"])} for r in csv.DictReader(fh)]
    return {"requests": requests, "total": total, "failures": failures}


def _num(text) -> float | None:
    if text in (None, "", "N/A"):
        return None
    return float(text)


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def summarise(samples: dict[str, list[tuple[float, bool]]], seconds: float) -> dict:
    """{kind: [(ms, failed)]} -> {kind: count, failures, median, p95 (nearest rank), max, per second}."""
    out = {}
    for kind, rows in samples.items():
        times = sorted(ms for ms, _ in rows)
        out[kind] = {"count": len(rows), "failures": sum(1 for _, failed in rows if failed),
                     "median_ms": statistics.median(times) if times else None,
                     "p95_ms": times[max(0, math.ceil(0.95 * len(times)) - 1)] if times else None,
                     "max_ms": times[-1] if times else None,
                     "per_s": len(rows) / seconds if seconds else None}
    return out


# --- the harness step (benchmarks/harness.py runs it in a fresh process) -----------------------------
def _proc_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a running process (/proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def step(cfg: dict) -> dict:
    """The harness's load test: seed cfg['products'] products into a fresh data folder under
    cfg['tmp'], serve it (cfg['threads'] waitress threads), run cfg['users'] users for cfg['seconds']."""
    from .steps import Server, _vm

    tmp = Path(cfg["tmp"])
    data = tmp / "loadtest-data"
    t = time.perf_counter()
    ids = seed(data, cfg["products"])
    seed_s = time.perf_counter() - t
    log = tmp / "loadtest-server.log"
    server = Server(data, log, cfg.get("threads", 8))
    try:
        cpu0 = _proc_cpu(server.proc.pid)
        result = run(server.url, users=cfg["users"], spawn_rate=cfg.get("spawn_rate", 25), seconds=cfg["seconds"],
                     csv_prefix=tmp / "loadtest" / "load", wait=tuple(cfg.get("wait", (0.5, 2.5))),
                     pool=cfg.get("pool", 100))
        cpu1 = _proc_cpu(server.proc.pid)
        server_peak = _vm(server.proc.pid, "VmHWM")
    finally:
        server.stop()
    text = log.read_text(encoding="utf-8", errors="replace")
    result.update({"products": len(ids), "seed_s": seed_s, "threads": cfg.get("threads", 8),
                   "startup_s": server.startup_s, "server_peak_rss_mb": server_peak,
                   "server_cpu_s": cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None,
                   "server_tracebacks": text.count("Traceback (most recent call last)")})
    return result


# --- by hand ---------------------------------------------------------------------------------------
def main(argv=None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    p.add_argument("--url", help="a running kravbib server (default: seed a temporary data folder and serve it)")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--products", type=int, default=100, help="products to seed (without --url)")
    args = p.parse_args(argv)
    if args.url:
        result = run(args.url, users=args.users, seconds=args.seconds)
    else:
        with tempfile.TemporaryDirectory(prefix="kravbib-load-") as tmp:
            result = step({"tmp": tmp, "products": args.products, "users": args.users, "seconds": args.seconds})
    for kind, k in result["kinds"].items():
        if not k["count"]:
            print(f"{kind:12} no requests")
            continue
        print(f"{kind:12} {k['count']:6} requests  {k['failures']:4} failed  median {k['median_ms']:7.1f} ms  "
              f"p95 {k['p95_ms']:7.1f} ms  max {k['max_ms']:7.1f} ms  {k['per_s']:5.1f}/s")
    for f in result["failures"]:
        print(f"FAILED {f['occurrences']}× {f['method']} {f['name']}: {f['error']}")
    return 1 if result["errors"] else 0



# --- locust side: the simulated users ---------------------------------------------------------------
# Defined only when locust loads this file as its locustfile (module name "load", locust imported).
if __name__ != "benchmarks.load" and __name__ != "__main__" and "locust" in sys.modules:
    from locust import FastHttpUser, between, events, task
    from locust.exception import StopUser
    from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

    sys.path.insert(0, str(REPO))
    from benchmarks.generator import ProductGenerator  # noqa: E402 (rdflib only; no kravbib import)

    WAIT = tuple(float(x) for x in os.environ.get("KRAVBIB_LOAD_WAIT", "0.5,2.5").split(","))
    TIMEOUT = float(os.environ.get("KRAVBIB_LOAD_TIMEOUT", "30"))
    PRODUCT_PREFIX = "https://w3id.org/kravbib/data/product/"
    PREFIXES = ("PREFIX kb: <https://w3id.org/kravbib/ontology#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
                "PREFIX sh: <http://www.w3.org/ns/shacl#>\n")
    CONCEPT_TEXTS = ("programvara", "MDSW", "monitoring", "journal", "data", "risk")

    class Shared:
        """What every user draws from, prepared once before the users start (not measured)."""
        bodies: list[bytes] = []
        requirements: list[str] = []
        products: list[str] = []
        regions: list[str] = []
        samples: dict[str, list[tuple[float, bool]]] = {kind: [] for kind in KINDS}
        started: float | None = None
        stopped: float | None = None
        setup: dict = {}
        setup_error: str | None = None
        exceptions: list[dict] = []     # Python exceptions in the users' code (locust's runner.exceptions)

    @events.test_start.add_listener
    def _prepare(environment, **_kwargs):
        try:
            host = environment.host.rstrip("/")
            gen = ProductGenerator(REPO)
            Shared.bodies = [t.encode("utf-8") for t in gen.products(int(os.environ.get("KRAVBIB_LOAD_POOL", "100")))]
            Shared.regions = list(gen.regions) or ["example-region"]
            with urllib.request.urlopen(f"{host}/api/requirements", timeout=60) as resp:
                Shared.requirements = [r["id"] for r in json.load(resp)]
            with urllib.request.urlopen(f"{host}/api/catalogue", timeout=60) as resp:
                Shared.products = [r["id"] for r in json.load(resp)]
            if not Shared.products or not Shared.requirements:
                raise RuntimeError(f"{len(Shared.products)} products in the catalogue and {len(Shared.requirements)} "
                                   "requirements: seed the catalogue first (benchmarks.load.seed)")
            Shared.setup = {"bodies": len(Shared.bodies), "requirements": len(Shared.requirements),
                            "products": len(Shared.products)}
        except Exception as exc:   # the users stop at once; run() reports the error
            Shared.setup_error = f"{type(exc).__name__}: {exc}"
            print(f"kravbib load test: setup failed: {Shared.setup_error}", file=sys.stderr, flush=True)
            _write_kinds()
            return
        Shared.started = time.perf_counter()

    @events.request.add_listener
    def _record(name, response_time, exception, **_kwargs):
        kind = name.split(":", 1)[0]
        Shared.samples.setdefault(kind, []).append((response_time, exception is not None))

    @events.test_stop.add_listener
    def _stopped(**_kwargs):
        Shared.stopped = time.perf_counter()

    @events.quitting.add_listener
    def _quitting(environment, **_kwargs):
        _final_csv(environment)
        _write_kinds()

    def _final_csv(environment):
        """locust's statistics as they are at the end, in the format of its CSV files."""
        prefix = os.environ.get("KRAVBIB_LOAD_PREFIX")
        if not prefix:
            return
        writer = StatsCSV(environment, PERCENTILES_TO_REPORT)
        with open(f"{prefix}_final_stats.csv", "w", newline="", encoding="utf-8") as fh:
            writer.requests_csv(csv.writer(fh))
        with open(f"{prefix}_final_failures.csv", "w", newline="", encoding="utf-8") as fh:
            writer.failures_csv(csv.writer(fh))
        Shared.exceptions = [{"count": e["count"], "message": e["msg"], "traceback": e["traceback"][-1500:]}
                             for e in (environment.runner.exceptions.values() if environment.runner else [])]

    def _write_kinds():
        prefix = os.environ.get("KRAVBIB_LOAD_PREFIX")
        if not prefix:
            return
        seconds = ((Shared.stopped or time.perf_counter()) - Shared.started) if Shared.started else 0.0
        Path(f"{prefix}_kinds.json").write_text(json.dumps(
            {"seconds": seconds, "kinds": summarise(Shared.samples, seconds), "setup": Shared.setup,
             "setup_error": Shared.setup_error, "exceptions": Shared.exceptions}, indent=1), encoding="utf-8")

    class KravbibUser(FastHttpUser):
        """Common to every persona: requests that fail on anything but a 2xx, with a checked body."""
        abstract = True
        wait_time = between(*WAIT)
        network_timeout = TIMEOUT
        connection_timeout = TIMEOUT

        def on_start(self):
            if Shared.setup_error:
                raise StopUser()
            self.lang = random.choices(("sv", "en"), weights=(7, 3))[0]     # most users read Swedish

        def call(self, method: str, path: str, name: str, check=None, **kwargs):
            with self.client.request(method, path, name=name, catch_response=True, allow_redirects=False,
                                     **kwargs) as resp:
                status = resp.status_code or 0
                error = getattr(resp, "error", None)
                if not 200 <= status < 300:
                    body = (resp.text or "")[:200].strip().replace("\n", " ") if status else ""
                    resp.failure(f"HTTP {status}: {body}" if status else f"{type(error).__name__}: {error}")
                    return None
                problem = check(resp) if check else None
                if problem:
                    resp.failure(problem)
                else:
                    resp.success()
                return resp

        # --- the request kinds ---
        def page(self, path: str, name: str, **params):
            params.setdefault("lang", self.lang)
            query = "&".join(f"{k}={urllib.parse.quote(str(v))}" for k, v in params.items())
            return self.call("GET", f"{path}?{query}", f"browse: {name}", check=_html_ok)

        def assess(self):
            body = random.choice(Shared.bodies)
            return self.call("POST", f"/api/assess?on={ON}", "assess: POST /api/assess", data=body,
                             headers={"Content-Type": "application/json"}, check=_assessment_ok)

        def sparql_get(self, name: str, query: str, accept: str = "application/sparql-results+json", check=None):
            return self.call("GET", f"/sparql?query={urllib.parse.quote(PREFIXES + query)}", f"sparql: {name}",
                             headers={"Accept": accept}, check=check or _sparql_json_ok)

        def sparql_post(self, name: str, query: str, form: bool = False, check=None):
            if form:
                data, ctype = urllib.parse.urlencode({"query": PREFIXES + query}), "application/x-www-form-urlencoded"
            else:
                data, ctype = PREFIXES + query, "application/sparql-query"
            return self.call("POST", "/sparql", f"sparql: {name}", data=data.encode("utf-8"),
                             headers={"Content-Type": ctype, "Accept": "application/sparql-results+json"},
                             check=check or _sparql_json_ok)

        def named(self, name: str, **params):
            query = urllib.parse.urlencode(params)
            return self.call("GET", f"/api/queries/{name}?{query}", f"named-query: {name}",
                             headers={"Accept": "application/sparql-results+json"}, check=_sparql_json_ok)

    def _html_ok(resp) -> str | None:
        text = resp.text or ""
        if "</html>" not in text:
            return "incomplete HTML page"
        for marker in STORE_ERROR_TEXTS:
            if marker in text:
                start = text.find(marker)
                return "page with a store error: " + " ".join(text[start:start + 200].split())
        return None

    def _assessment_ok(resp) -> str | None:
        try:
            j = resp.json()
        except ValueError:
            return "not JSON"
        return None if "qualification" in j and "requirements" in j else "not an assessment"

    def _sparql_json_ok(resp) -> str | None:
        try:
            j = resp.json()
        except ValueError:
            return "not JSON"
        return None if "boolean" in j or "bindings" in j.get("results", {}) else "not SPARQL results"

    class Visitor(KravbibUser):
        """Reads the requirements library and the catalogue (the web pages, Swedish or English)."""
        weight = 6

        @task(2)
        def home(self):
            self.page("/", "/")

        @task(2)
        def requirements(self):
            self.page("/requirements", "/requirements")

        @task(1)
        def requirements_filtered(self):
            filters = random.choice(({"class": "IIa"}, {"class": "B"}, {"q": "data"}, {"region": "national"},
                                     {"q": "gdpr"}))
            self.page("/requirements", "/requirements?filter", **filters)

        @task(3)
        def requirement(self):
            self.page(f"/requirements/{random.choice(Shared.requirements)}", "/requirements/[id]")

        @task(2)
        def catalogue(self):
            filters = random.choice(({}, {}, {"qualification": "medical_device"}, {"class": "IIa"}))
            self.page("/catalogue", "/catalogue", **filters)

        @task(3)
        def product(self):
            self.page(f"/catalogue/{random.choice(Shared.products)}", "/catalogue/[id]")

        @task(1)
        def query_page(self):
            self.page("/query", "/query")

    class Vendor(KravbibUser):
        """Describes products and has them assessed through the API; now and then reads a requirement."""
        weight = 3

        @task(5)
        def assess_product(self):
            self.assess()

        @task(1)
        def requirement(self):
            self.page(f"/requirements/{random.choice(Shared.requirements)}", "/requirements/[id]")

    class Integrator(KravbibUser):
        """Another system: small selective SPARQL queries and named queries through the API."""
        weight = 1

        @task(2)
        def requirement_titles(self):
            lang = random.choice(("sv", "en"))
            self.sparql_get("requirement titles (GET)", "SELECT ?id ?title WHERE { ?r a kb:Requirement ; "
                            f"dcterms:identifier ?id ; sh:name ?title . FILTER (LANG(?title) = \"{lang}\") }} "
                            "ORDER BY ?id LIMIT 20")

        @task(2)
        def product_outcome(self):
            iri = PRODUCT_PREFIX + random.choice(Shared.products)
            self.sparql_post("one product's outcome (POST query)",
                             f"SELECT ?name ?qual ?class WHERE {{ <{iri}> kb:name ?name . "
                             f"OPTIONAL {{ <{iri}> kb:qualification ?qual }} "
                             f"OPTIONAL {{ <{iri}> kb:deviceClass ?class }} }}")

        @task(1)
        def requirement_facts(self):
            rid = random.choice(Shared.requirements)
            self.sparql_post("one requirement's facts (POST form)", "SELECT ?p ?o WHERE { ?r a kb:Requirement ; "
                             f"dcterms:identifier \"{rid}\" ; ?p ?o }} LIMIT 100", form=True)

        @task(1)
        def requirement_exists(self):
            rid = random.choice(Shared.requirements)
            self.sparql_get("ASK requirement (GET)", f"ASK {{ ?r a kb:Requirement ; dcterms:identifier \"{rid}\" }}")

        @task(2)
        def requirement_details(self):
            self.named("requirement-details", requirement=random.choice(Shared.requirements),
                       lang=random.choice(("sv", "en")))

        @task(1)
        def concept_lookup(self):
            self.named("concept-lookup", text=random.choice(CONCEPT_TEXTS))

        @task(1)
        def open_gaps(self):
            self.named("open-gaps-per-product", product=random.choice(Shared.products))

        @task(1)
        def region_additions(self):
            self.named("region-additions", region=random.choice(Shared.regions))

        @task(1)
        def assessments_of_product(self):
            self.named("assessments-by-ruleset-version", product=random.choice(Shared.products))


if __name__ == "__main__":
    sys.exit(main())
