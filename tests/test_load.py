"""Issue 9: a bounded load test on loopback — 50 concurrent users (locust, benchmarks/load.py)
assessing products, browsing the pages in Swedish and English, and querying /sparql and the named
queries of a real `kravbib serve` with a seeded catalogue. Zero errors, every kind of request
exercised. Latencies are recorded (printed with -s, and in benchmarks/RESULTS.md by the harness's
loadtest step), never asserted.

Locust monkeypatches the standard library with gevent when imported, so it runs in its own process
(benchmarks.load.run); this process only seeds the catalogue and starts the server."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from benchmarks import load
from servers import kravbib_server

ROOT = Path(__file__).resolve().parent.parent
USERS = 50
SECONDS = 20
PRODUCTS = 40


def _drain(stream, into: list) -> threading.Thread:
    """Read the server's output as it comes (a full pipe would block the server's logging)."""
    def read():
        for line in iter(stream.readline, b""):
            into.append(line.decode("utf-8", "replace"))
    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _summary(result: dict) -> str:
    lines = [f"{result['users']} users, {result['seconds']} s, {result['total'].get('count', 0)} requests, "
             f"{result['errors']} failed, {result['total'].get('per_s') or 0:.1f}/s"]
    for kind, k in result["kinds"].items():
        if k["count"]:
            lines.append(f"  {kind:12} {k['count']:5} requests {k['failures']:4} failed  median {k['median_ms']:7.1f} ms"
                         f"  p95 {k['p95_ms']:7.1f} ms  max {k['max_ms']:7.1f} ms  {k['per_s']:5.1f}/s")
    for name, r in sorted(result["requests"].items()):
        lines.append(f"    {name:58} {r['count']:5} {r['failures']:4} failed  p95 {r['p95_ms'] or 0:7.0f} ms")
    lines += [f"  FAILED {f['occurrences']}× {f['method']} {f['name']}: {f['error']}" for f in result["failures"]]
    return "\n".join(lines)


def test_fifty_users_mixed_load_without_errors(tmp_path, rs):
    data = tmp_path / "data"
    seeded = load.seed(data, PRODUCTS, rs)
    assert len(seeded) == PRODUCTS
    server = kravbib_server("--data", str(data))
    output: list[str] = []
    reader = _drain(server.process.stdout, output)
    try:
        result = load.run(server.url, users=USERS, spawn_rate=25, seconds=SECONDS,
                          csv_prefix=tmp_path / "locust" / "load")
    finally:
        server.stop()
        reader.join(5)
    summary = _summary(result)
    print("\n" + summary)
    server_log = "".join(output)
    assert result["setup"]["products"] == PRODUCTS, result["setup"]
    assert not result["exceptions"], result["exceptions"]            # none in the users' own code
    assert result["errors"] == 0, summary + "\n" + server_log[-3000:]
    assert "Traceback" not in server_log, server_log[-3000:]
    for kind in load.KINDS:                       # every kind of request was actually made, and answered
        assert result["kinds"].get(kind, {}).get("count", 0) > 0, (kind, summary)
    assert sum(k["count"] for k in result["kinds"].values()) == result["total"]["count"]


RACE = """
import sys, threading
from kravbib.queries import load_queries
from kravbib.sparql_guard import Refused, check

text = load_queries()["requirement-details"].bind({"requirement": "GDPR-35-DPIA"})
errors = []

def work():
    try:
        check(text)
    except Refused as exc:
        errors.append(str(exc))

sys.setswitchinterval(1e-5)                       # switch threads as often as possible
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
try:
    check(text)                                   # and the parser still works afterwards
except Refused as exc:
    errors.append("afterwards: " + str(exc))
print("\\n".join(errors))
"""


def test_concurrent_first_parses_do_not_break_the_sparql_parser():
    """Found by the load test: rdflib's SPARQL parser (pyparsing) is not thread-safe. Concurrent
    first uses of a parse action could leave it with the wrong argument count for the rest of the
    process, and every later query using it was refused with a 400 ("Param.postParse2() missing 1
    required positional argument"). In a fresh process, so that nothing has used the parser yet."""
    run = subprocess.run([sys.executable, "-c", RACE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "", run.stdout[:2000]


def test_concurrent_answer_checks_share_the_answer_shapes_safely(rs):
    """Found by the load test (an HTTP 500 from POST /api/assess): pySHACL adds its system triples
    to the shapes graph on every validate, and the request threads share the ruleset's answer
    shapes; two assessments checking answers at the same moment could break rdflib's in-memory
    store (KeyError). Many answer checks on many threads, switching as often as possible (without
    kravbib.locks.SHAPES_LOCK this fails in most runs)."""
    from rdflib import BNode, Graph, Literal

    from kravbib.namespaces import KB
    from kravbib.questions import answer_problems

    question = rs.questions[0]
    data, answer = Graph(), BNode()
    data.add((answer, KB.answerValue, Literal("not what was asked")))
    expected = answer_problems(answer, data, question, rs.answer_shapes)
    errors, results = [], []

    def work():
        for _ in range(300):
            try:
                results.append(answer_problems(answer, data, question, rs.answer_shapes))
            except Exception as exc:  # noqa: BLE001 (any error is the finding)
                errors.append(f"{type(exc).__name__}: {exc}")

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert all(r == expected for r in results)
