"""The measurements. Each step runs in a fresh (spawned) Python process, so that its peak memory
(ru_maxrss of that process) is its own; each returns a JSON-serialisable dict."""

from __future__ import annotations

import collections
import datetime as dt
import json
import math
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ON = dt.date(2026, 11, 25)          # every assessment is judged as of this day (deterministic statuses)
REPO = Path(__file__).resolve().parent.parent


# --- helpers -----------------------------------------------------------------------------------
def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def stats(samples: list[float]) -> dict:
    """Seconds in, milliseconds out: median, p95 (nearest rank), mean, min, max, n."""
    if not samples:
        return {"n": 0}
    s = sorted(samples)
    p95 = s[max(0, math.ceil(0.95 * len(s)) - 1)]
    return {"n": len(s), "median_ms": statistics.median(s) * 1000, "p95_ms": p95 * 1000,
            "mean_ms": statistics.fmean(s) * 1000, "min_ms": s[0] * 1000, "max_ms": s[-1] * 1000}


def _generator(ruleset_dir):
    from .generator import ProductGenerator
    return ProductGenerator(Path(ruleset_dir))


def _outcome(j: dict) -> str:
    q = j["qualification"]["status"]
    c = j["classification"]["class"]
    return f"{q} / {c}" if c else q


# --- 0. preparation ----------------------------------------------------------------------------
def prepare(cfg: dict) -> dict:
    """Scaled rulesets (200 and 1,000 requirements) and the impact head ruleset, in cfg['tmp']."""
    from kravbib import ruleset

    from .generator import changed_ruleset, count_active_requirements, scaled_ruleset

    base = ruleset.load(cfg["base"])
    tmp = Path(cfg["tmp"])
    out = {"shipped": {"dir": str(base.directory), "requirements": len(base.requirements), "added": 0},
           "rulesets": {}}
    out["rulesets"]["shipped"] = out["shipped"]
    for total in cfg["scales"]:
        folder, added = scaled_ruleset(base.directory, total, tmp / f"ruleset-{total}", base.graph)
        out["rulesets"][str(total)] = {"dir": str(folder), "requirements": count_active_requirements(base.graph) + added,
                                       "added": added}
    head, change = changed_ruleset(base.directory, tmp / "ruleset-head", base.graph)
    out["head"] = {"dir": str(head), "change": change}
    sample = _generator(base.directory).product(0)
    out["sample_product"] = sample
    return out


# --- 1. ruleset load ---------------------------------------------------------------------------
def load(cfg: dict) -> dict:
    t0 = time.perf_counter()
    from kravbib import ruleset
    import_s = time.perf_counter() - t0
    rss_import = current_rss_mb()
    times, rs = [], None
    for _ in range(cfg["repeats"]):
        t = time.perf_counter()
        rs = ruleset.load(cfg["ruleset"])
        times.append(time.perf_counter() - t)
    return {"import_s": import_s, "first_s": times[0], "median_s": statistics.median(times), "min_s": min(times),
            "repeats": len(times), "requirements": len(rs.requirements), "rules": len(rs.rules),
            "questions": len(rs.questions), "triples": len(rs.graph),
            "rss_after_import_mb": rss_import, "peak_rss_mb": peak_rss_mb()}


# --- 2. single assessment latency --------------------------------------------------------------
def single(cfg: dict) -> dict:
    from kravbib import ruleset
    from kravbib.assess import assess_text

    rs = ruleset.load(cfg["ruleset"])
    texts = _generator(cfg["ruleset"]).products(cfg["n"])
    for text in texts[: cfg["warmup"]]:
        assess_text(text, rs, on=ON).to_json()
    rss_ready = current_rss_mb()
    samples, cpu, outcomes, listed = [], [], collections.Counter(), []
    for text in texts:
        c = time.process_time()
        t = time.perf_counter()
        j = assess_text(text, rs, on=ON).to_json()
        samples.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        outcomes[_outcome(j)] += 1
        listed.append(len(j["requirements"]))
    return {**stats(samples), "cpu": stats(cpu), "requirements": len(rs.requirements), "outcomes": dict(outcomes),
            "listed_requirements_mean": statistics.fmean(listed), "rss_ready_mb": rss_ready,
            "peak_rss_mb": peak_rss_mb()}


# --- 3. naive pySHACL reference ----------------------------------------------------------------
def _naive_shapes(rs):
    """Every ontology, rule and shape file in one rdflib Graph, plus one wrapper shape per
    requirement (kb:appliesWhen) and benefit question (kb:askedWhen) that targets kb:Product, so
    that a single pySHACL validation decides every applicability: a wrapper that reports no
    violation for the product means "applies"."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    from kravbib.namespaces import KB, SH

    g = Graph()
    for folder in ("ontology", "rules", "shapes"):
        for path in sorted((Path(rs.directory) / folder).rglob("*.ttl")):
            g.parse(path, format="turtle")
    wrappers = {}
    for kind, items, prop in (("applies", rs.requirements, KB.appliesWhen), ("asked", rs.questions, KB.askedWhen)):
        for item in items:
            node = g.value(item.iri, prop)
            if node is None:
                continue
            w = URIRef(f"urn:x-kravbib-bench:{kind}/{item.id}")
            g.add((w, RDF.type, SH.NodeShape))
            g.add((w, SH.targetClass, KB.Product))
            g.add((w, SH.node, node))
            wrappers[w] = (kind, item)
    return g, wrappers


def _failing(report, wrappers) -> set:
    from kravbib.namespaces import SH
    return {s for s in report.objects(None, SH.sourceShape) if s in wrappers}


def _multi_valued_cause(cond, facts) -> bool:
    """Does the condition use sh:in or a value range on a property the product has several values
    for? There SHACL requires *every* value to conform, while kravbib asks for *some* value."""
    if cond.kind == "has" and cond.values is not None and len(cond.values) > 1:
        return len(facts.values.get(cond.path, ())) > 1
    if cond.kind == "range":
        return len(facts.values.get(cond.path, ())) > 1
    return any(_multi_valued_cause(c, facts) for c in cond.children)


def naive(cfg: dict) -> dict:
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import RDFS

    from kravbib import describe, ruleset
    from kravbib.assess import assess_graph, assess_text
    from kravbib.reason import infer
    from kravbib.requirements import evaluate

    rs = ruleset.load(cfg["ruleset"])
    t = time.perf_counter()
    shapes, wrappers = _naive_shapes(rs)
    # sh:class looks for rdfs:subClassOf in the data graph: give pySHACL the class hierarchy
    hierarchy = Graph()
    for triple in shapes.triples((None, RDFS.subClassOf, None)):
        hierarchy.add(triple)
    build_s = time.perf_counter() - t
    texts = _generator(cfg["ruleset"]).products(max(cfg["n_literal"], cfg["n_fixpoint"]))
    for text in texts[:2]:
        assess_text(text, rs, on=ON).to_json()
    ours, literal, fixpoint, rounds = [], [], [], []
    cpu = {"ours": [], "literal": [], "fixpoint": []}
    agree = {"literal_applicability": [0, 0], "fixpoint_applicability": [0, 0], "fixpoint_derived": [0, 0]}
    mismatches, causes = collections.Counter(), collections.Counter()

    def compare(key, failing, facts):
        decided = same = 0
        for w, (kind, item) in wrappers.items():
            cond = item.applies if kind == "applies" else item.asked
            value, _ = evaluate(cond, facts)
            if value is None:
                continue                      # three-valued "unknown": pySHACL has no such answer
            decided += 1
            if value == (w not in failing):
                same += 1
            elif key == "literal_applicability":
                mismatches[f"{item.id} (kravbib: {'applies' if value else 'does not apply'})"] += 1
                causes["sh:in / range over a multi-valued property" if _multi_valued_cause(cond, facts)
                       else "other"] += 1
        agree[key][0] += decided == same
        agree[key][1] += 1

    for i, text in enumerate(texts):
        c, t = time.process_time(), time.perf_counter()
        assess_text(text, rs, on=ON).to_json()
        ours.append(time.perf_counter() - t)
        cpu["ours"].append(time.process_time() - c)
        g, node = describe.from_text(text, rs)       # the same product graph for both engines (not timed)
        mine = assess_graph(g, node, rs, ON)
        facts = mine.facts()
        if i < cfg["n_literal"]:
            data = Graph()
            data += g
            c, t = time.process_time(), time.perf_counter()
            _, report, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=hierarchy, advanced=True,
                                            inference="none")
            literal.append(time.perf_counter() - t)
            cpu["literal"].append(time.process_time() - c)
            compare("literal_applicability", _failing(report, wrappers), facts)
        if i < cfg["n_fixpoint"]:
            c, t = time.process_time(), time.perf_counter()
            data = Graph()
            data += g
            n = 0
            while True:                                   # pySHACL's rules, until nothing new follows
                n += 1
                before = len(data)
                out = pyshacl.shacl_rules(data, shacl_graph=shapes, advanced=True, iterate_rules=True)
                data = Graph()
                for s, p, o, _ in out.quads((None, None, None, None)):
                    data.add((s, p, o))
                if len(data) == before:
                    break
            _, report, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=hierarchy, advanced=False,
                                            inference="none")
            fixpoint.append(time.perf_counter() - t)
            cpu["fixpoint"].append(time.process_time() - c)
            rounds.append(n)
            compare("fixpoint_applicability", _failing(report, wrappers), facts)
            inferred, _ = infer(g, rs)
            agree["fixpoint_derived"][0] += set(data) - set(g) == set(inferred)
            agree["fixpoint_derived"][1] += 1
    return {"requirements": len(rs.requirements), "shapes_triples": len(shapes), "build_s": build_s,
            "wrappers": len(wrappers), "ours": stats(ours), "literal": stats(literal), "fixpoint": stats(fixpoint),
            "cpu": {k: stats(v) for k, v in cpu.items()},
            "fixpoint_rounds_max": max(rounds) if rounds else None, "agreement": agree,
            "mismatches": dict(mismatches.most_common(12)), "mismatch_causes": dict(causes),
            "peak_rss_mb": peak_rss_mb()}


# --- 4. batch throughput -----------------------------------------------------------------------
def batch(cfg: dict) -> dict:
    from kravbib import ruleset
    from kravbib.assess import assess_text

    rs = ruleset.load(cfg["ruleset"])
    gen = _generator(cfg["ruleset"])
    out = {"requirements": len(rs.requirements), "runs": []}
    for text in gen.products(5, start=10**6):
        assess_text(text, rs, on=ON).to_json()
    for n in cfg["sizes"]:
        texts = gen.products(n)
        c, t = time.process_time(), time.perf_counter()
        for text in texts:
            json.dumps(assess_text(text, rs, on=ON).to_json())     # as the API would send it
        elapsed = time.perf_counter() - t
        out["runs"].append({"products": n, "seconds": elapsed, "per_s": n / elapsed,
                            "cpu_s": time.process_time() - c})
    out["peak_rss_mb"] = peak_rss_mb()
    return out


# --- 5a. catalogue fill ------------------------------------------------------------------------
def fill(cfg: dict) -> dict:
    from kravbib import ruleset
    from kravbib.catalogue import Catalogue
    from kravbib.namespaces import KB
    from kravbib.ruleset import notation
    from kravbib.store import EmbeddedStore

    rs = ruleset.load(cfg["ruleset"])
    gen = _generator(cfg["ruleset"])
    store = EmbeddedStore(cfg["store"])
    cat = Catalogue(store, rs)
    t = time.perf_counter()
    cat.ensure_ruleset()
    ensure_s = time.perf_counter() - t
    samples, chunks, outcomes = [], [], collections.Counter()
    chunk = max(1, cfg["n"] // 10)
    rss_before, blocks_before = current_rss_mb(), sys.getallocatedblocks()
    t_all = time.perf_counter()
    t_chunk = t_all
    for i in range(cfg["n"]):
        text = json.dumps(gen.product(i), ensure_ascii=False)
        t = time.perf_counter()
        a = cat.save(text, on=ON)
        samples.append(time.perf_counter() - t)
        qual = a.value(KB.qualification)
        cls = a.value(KB.deviceClass)
        q = notation(rs, qual) if qual is not None else "undetermined"
        outcomes[f"{q} / {notation(rs, cls)}" if cls is not None and qual in (KB.OutcomeMedicalDevice, KB.OutcomeIVDMedicalDevice) else q] += 1
        if (i + 1) % chunk == 0:
            now = time.perf_counter()
            chunks.append({"upto": i + 1, "per_s": chunk / (now - t_chunk)})
            t_chunk = now
    total = time.perf_counter() - t_all
    rss_after, blocks_after = current_rss_mb(), sys.getallocatedblocks()
    count = store.run("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    quads = int(count[0]["n"]) if count else None
    store.close()
    size = sum(p.stat().st_size for p in Path(cfg["store"]).rglob("*") if p.is_file())
    return {"products": cfg["n"], "ensure_ruleset_s": ensure_s, "seconds": total, "per_s": cfg["n"] / total,
            "save": stats(samples), "chunks": chunks, "outcomes": dict(outcomes), "quads": quads,
            "store_mb": size / 2**20, "rss_before_mb": rss_before, "rss_after_mb": rss_after,
            "py_blocks_before": blocks_before, "py_blocks_after": blocks_after, "peak_rss_mb": peak_rss_mb()}


# --- 5b. impact analysis -----------------------------------------------------------------------
def _product_ids(store) -> list[str]:
    from kravbib.namespaces import DATA, KB
    prefix = str(DATA["graph/product/"])
    rows = store.run(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?p a <{KB.Product}> }} "
                     f"FILTER(STRSTARTS(STR(?g), \"{prefix}\")) }}").rows
    return sorted(str(r["g"])[len(prefix):] for r in rows)


def impact(cfg: dict) -> dict:
    """kravbib.impact.analyse (the code behind `kravbib rules impact`) if it exists, else the
    equivalent loop: re-assess every stored product under base and head and diff the statuses."""
    from kravbib import ruleset
    from kravbib.catalogue import Catalogue
    from kravbib.store import EmbeddedStore

    base = ruleset.load(cfg["base"])
    head = ruleset.load(cfg["head"])
    store = EmbeddedStore(cfg["store"])
    t = time.perf_counter()
    ids = _product_ids(store)
    list_s = time.perf_counter() - t
    stored = len(ids)
    n = min(cfg["n"], stored)
    try:
        from kravbib import impact as impact_module
        analyse = impact_module.analyse
    except (ImportError, AttributeError):
        analyse = None
    if analyse is not None:
        class Sample(Catalogue):
            """The catalogue, listing only its first n products (to scale the step down)."""
            def list(self, filters=None):
                return super().list(filters)[:n]
        cat = Sample(store, base) if n < stored else Catalogue(store, base)
        t = time.perf_counter()
        listed = len(cat.list())
        catalogue_list_s = time.perf_counter() - t
        done = []
        t_all = time.perf_counter()
        report = analyse(cat, base, head, on=ON, progress=lambda i, total: done.append(time.perf_counter()))
        total = time.perf_counter() - t_all
        samples = [b - a for a, b in zip([t_all] + done[:-1], done)]
        transitions = collections.Counter()
        class_changes = 0
        for product in report["products"]:
            for c in product["changes"]:
                if c["what"] in ("qualification", "class", "regulation"):
                    class_changes += 1
                label = f"{c['what']} {c.get('id') or ''}".strip()
                transitions[f"{label}: {c.get('base')} → {c.get('head')}"] += 1
        jobs = getattr(impact_module, "default_jobs", lambda n: 1)(listed)
        result = {"method": "kravbib.impact.analyse", "products": listed, "list_s": catalogue_list_s, "jobs": jobs,
                  "seconds": total, "affected": report["summary"]["changed_products"],
                  "class_changes": class_changes}
    else:
        cats = (Catalogue(store, base), Catalogue(store, head))
        transitions, affected, class_changes, samples = collections.Counter(), 0, 0, []
        from kravbib.namespaces import KB
        t_all = time.perf_counter()
        for pid in ids[:n]:
            t = time.perf_counter()
            sides = []
            for cat in cats:
                a = cat.assess(pid, on=ON)
                sides.append(({r["id"]: r["status"] for r in a.requirement_results()},
                              (a.value(KB.qualification), a.value(KB.deviceClass))))
            (before, cls_b), (after, cls_a) = sides
            changed = False
            for rid in sorted(set(before) | set(after)):
                if before.get(rid) != after.get(rid):
                    transitions[f"requirement {rid}: {before.get(rid)} → {after.get(rid)}"] += 1
                    changed = True
            class_changes += cls_b != cls_a
            affected += changed
            samples.append(time.perf_counter() - t)
        total = time.perf_counter() - t_all
        result = {"method": "equivalent loop (Catalogue.assess under base and head)", "products": n,
                  "list_s": list_s, "seconds": total + list_s, "affected": affected, "class_changes": class_changes}
    store.close()
    # analyse() lists the catalogue once (a query over every stored product) and then works per product
    per = max(0.0, total - result["list_s"]) / max(1, result["products"])
    return {**result, "stored": stored, "per_product": stats(samples),
            "extrapolated_10000_s": per * 10000 + result["list_s"],
            "transitions": dict(transitions.most_common(10)), "peak_rss_mb": peak_rss_mb()}


# --- 6. named queries --------------------------------------------------------------------------
def _bind_values(q, rs) -> dict | None:
    from kravbib.namespaces import KB
    sensible = {"requirement": "GDPR-35-DPIA", "region": "example-region", "text": "programvara",
                "class": str(KB.ClassIIa), "tier": str(KB.TierC), "qualification": str(KB.OutcomeMedicalDevice),
                "product": "bench-00042", "version": rs.version, "hash": rs.hash[:12], "lang": "sv",
                "today": ON.isoformat(), "months": "12"}
    values = {}
    for p in q.params:
        if p.required:
            if p.name not in sensible:
                return None
            values[p.name] = sensible[p.name]
    return values


_BLOCK = re.compile(r"\b(OPTIONAL|FILTER\s+NOT\s+EXISTS|FILTER\s+EXISTS|MINUS)\s*\{", re.IGNORECASE)


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans of the OPTIONAL / FILTER (NOT) EXISTS / MINUS blocks of a query that lie in no other such block."""
    spans = []
    for m in _BLOCK.finditer(text):
        depth, i = 0, m.end() - 1
        while i < len(text):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            elif text[i] == "#" and (i == 0 or text[i - 1] in " \n\t"):
                i = text.find("\n", i)                   # a comment
                if i < 0:
                    break
            i += 1
        spans.append((m.start(), i + 1))
    return [a for a in spans if not any(b != a and b[0] <= a[0] and a[1] <= b[1] for b in spans)]


def _raw_time(raw_store, text: str, limit: int) -> float:
    t = time.perf_counter()
    answer = raw_store.query(text, use_default_graph_as_union=True)
    if type(answer).__name__ != "QueryBoolean":
        for i, _solution in enumerate(answer):
            if i + 1 >= limit:
                break
    elapsed = time.perf_counter() - t
    del answer
    return elapsed


def _ablation(raw_store, text: str, base_s: float, limit: int, deadline: float) -> list[dict]:
    """Time the query once with each block removed: which block costs the time? (diagnosis only;
    removing a block changes the answer)."""
    found = []
    # largest blocks first (the costly ones tend to be the big joins); stop at one that explains most
    for start, end in sorted(_blocks(text), key=lambda span: span[0] - span[1]):
        if time.perf_counter() + base_s > deadline:
            found.append({"block": None, "note": "time budget for the diagnosis spent"})
            break
        variant = text[:start] + text[end:]
        try:
            elapsed = _raw_time(raw_store, variant, limit)
        except (SyntaxError, OSError, ValueError):
            continue
        found.append({"block": " ".join(text[start:end].split())[:110], "without_ms": elapsed * 1000,
                      "saving": max(0.0, 1 - elapsed / base_s)})
        if found[-1]["saving"] >= 0.6:
            break
    return sorted(found, key=lambda x: -x.get("saving", -1))


def queries(cfg: dict) -> dict:
    from kravbib import ruleset
    from kravbib.queries import load_queries
    from kravbib.store import EmbeddedStore

    rs = ruleset.load(cfg["ruleset"])
    store = EmbeddedStore(cfg["store"])
    raw_store = getattr(store, "_store", None)      # pyoxigraph itself, without conversion to rdflib terms
    products = _product_ids(store)
    out = {"products": len(products), "queries": []}
    runs = []
    for name, q in sorted(load_queries().items()):
        values = _bind_values(q, rs)
        if values is None:
            out["queries"].append({"name": name, "skipped": "a required parameter the harness cannot fill"})
            continue
        runs.append((name, values))
        # a paged query is also asked for a page in the middle of the catalogue
        if q.page and products:
            runs.append((name, {**values, "after": str(len(products) // 2)}))
        # a per-product query is also asked for one product (the common case)
        if any(p.name == "product" and not p.required for p in q.params) and products:
            runs.append((name, {**values, "product": products[len(products) // 2]}))
    named = load_queries()
    for name, values in runs:
        text = named[name].bind(values)
        t = time.perf_counter()
        first = store.run(text, limit=cfg["limit"], timeout=cfg["timeout"])
        first_s = time.perf_counter() - t
        rows = len(first.rows) if first.kind == "select" else (len(first.graph) if first.graph is not None else 1)
        # the first run warms the store's caches; for a slow query it counts as a sample (warm-up is then
        # a small share of its time, and the step stays within its time budget)
        samples = [first_s] if first_s > cfg["budget_s"] else []
        t_budget = time.perf_counter() - sum(samples)
        while len(samples) < cfg["reps"]:
            spent = time.perf_counter() - t_budget
            # at least min_reps runs, then stop when the budget is spent; a very slow query stops after
            # 4 × the budget whatever its count (its p95 is then the maximum of a few runs)
            if spent > 4 * cfg["budget_s"] or (len(samples) >= cfg["min_reps"] and spent > cfg["budget_s"]):
                break
            t = time.perf_counter()
            store.run(text, limit=cfg["limit"], timeout=cfg["timeout"])
            samples.append(time.perf_counter() - t)
        median = statistics.median(samples)
        # Oxigraph alone (no conversion to rdflib terms); for slow queries conversion is a small share
        engine_reps = 0 if raw_store is None else min(len(samples), 5) if median < 1 else 1 if median < 5 else 0
        engine = [_raw_time(raw_store, text, cfg["limit"]) for _ in range(engine_reps)]
        out["queries"].append({"name": name, "params": values, "rows": rows, "truncated": first.truncated,
                               "first_ms": first_s * 1000, **stats(samples), "engine": stats(engine), "text": text})
    # diagnosis of the slow ones, cheapest first, within a time budget
    deadline = time.perf_counter() + cfg["ablation_budget_s"]
    for x in sorted(out["queries"], key=lambda x: x.get("median_ms", 0)):
        if raw_store is None or not x.get("n") or x["p95_ms"] <= cfg["target_ms"]:
            continue
        if time.perf_counter() + x["median_ms"] / 1000 > deadline:
            x["ablation"] = [{"block": None, "note": "time budget for the diagnosis spent"}]
            continue
        x["ablation"] = _ablation(raw_store, x["text"], x["median_ms"] / 1000, cfg["limit"], deadline)
    for x in out["queries"]:
        x.pop("text", None)
    store.close()
    out["peak_rss_mb"] = peak_rss_mb()
    return out


# --- 7. web ------------------------------------------------------------------------------------
def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _vm(pid: int, key: str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Server:
    """`python -m kravbib.cli serve` on a free loopback port, in its own process group."""

    def __init__(self, data: Path, log: Path, threads: int = 8):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "wb")
        args = [sys.executable, "-m", "kravbib.cli", "serve", "--data", str(data), "--port", str(self.port),
                "--threads", str(threads)]
        t = time.perf_counter()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True)
        try:
            deadline = time.monotonic() + 90
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"kravbib serve exited with {self.proc.returncode}; see {log}")
                try:
                    urllib.request.urlopen(f"{self.url}/sparql", timeout=2).read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("kravbib serve did not start within 90 s") from None
                    time.sleep(0.2)
        except BaseException:
            self.stop()
            raise
        self.startup_s = time.perf_counter() - t

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(15)
        self.log.close()


def web(cfg: dict) -> dict:
    import threading
    import urllib.error
    from concurrent.futures import ThreadPoolExecutor

    server = Server(Path(cfg["tmp"]) / "web-data", Path(cfg["tmp"]) / "web-server.log", cfg["threads"])
    try:
        startup_s = server.startup_s
        bodies = [t.encode("utf-8") for t in _generator(REPO).products(cfg["products"])]
        endpoint = f"{server.url}/api/assess?on={ON.isoformat()}"
        error_bodies: list[str] = []

        def post(body: bytes) -> tuple[float, str | None]:
            req = urllib.request.Request(endpoint, data=body, method="POST", headers={"Content-Type": "application/json"})
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=120) as resp:
                    resp.read()
                    err = None if resp.status == 200 else f"HTTP {resp.status}"
            except urllib.error.HTTPError as exc:
                err = f"HTTP {exc.code}"
                if len(error_bodies) < 3:
                    error_bodies.append(exc.read()[:300].decode("utf-8", "replace"))
            except Exception as exc:  # connection reset, timeout, …
                err = type(exc).__name__
            return time.perf_counter() - t, err

        for body in bodies[:5]:                          # warm-up (first request compiles lazily)
            post(body)
        runs = []
        for conc in cfg["concurrency"]:
            lock = threading.Lock()
            counter = [0]
            latencies, errors = [], collections.Counter()
            stop_at = time.perf_counter() + cfg["seconds"]

            def client():
                while time.perf_counter() < stop_at:
                    with lock:
                        body = bodies[counter[0] % len(bodies)]
                        counter[0] += 1
                    elapsed, err = post(body)
                    with lock:
                        if err:
                            errors[err] += 1
                        else:
                            latencies.append(elapsed)

            t = time.perf_counter()
            with ThreadPoolExecutor(conc) as pool:
                for f in [pool.submit(client) for _ in range(conc)]:
                    f.result()
            wall = time.perf_counter() - t
            runs.append({"concurrency": conc, "seconds": wall, "ok": len(latencies), "errors": dict(errors),
                         "per_s": len(latencies) / wall, **stats(latencies)})
        server_peak = _vm(server.proc.pid, "VmHWM")
    finally:
        server.stop()
    return {"threads": cfg["threads"], "startup_s": startup_s, "runs": runs, "server_peak_rss_mb": server_peak,
            "error_bodies": error_bodies,
            "client_peak_rss_mb": peak_rss_mb()}


# --- profile -----------------------------------------------------------------------------------
PHASES = ("describe (total)", "describe: input check (describe.validated)", "reason (reason.infer)",
          "to_json (total)", "to_json: requirements (requirement_results)", "to_json: questions (question_results)",
          "to_json: questions: answer check (questions.answer_problems)", "to_json: facts() (per section)",
          "to_json: trace entries (trace_entry)")
COUNTERS = {   # library calls worth counting: (file suffix, function name)
    "pySHACL validate": ("pyshacl/entrypoints.py", "validate"),
    "Oxigraph Store.query": ("~", "<method 'query' of 'pyoxigraph.Store' objects>"),
    "rdflib Graph.triples": ("rdflib/graph.py", "triples"),
    "rdflib JSON-LD to RDF": ("rdflib/plugins/parsers/jsonld.py", "to_rdf"),
    "rdflib SPARQL query": ("rdflib/graph.py", "query"),
}
def profile(cfg: dict) -> dict:
    """Where a single assessment spends its time: per phase (wrapped functions) and cProfile."""
    import cProfile
    import io
    import pstats

    from kravbib import assess, describe, questions, reason, ruleset
    from kravbib.assess import assess_text

    rs = ruleset.load(cfg["ruleset"])
    texts = _generator(cfg["ruleset"]).products(cfg["n"])
    for text in texts[:3]:
        assess_text(text, rs, on=ON).to_json()

    # phase timings: wrap the functions of the pipeline (wrapping adds ~1 µs per call)
    spent = collections.defaultdict(float)
    calls = collections.Counter()

    def timed(owner, name, label):
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - t
                calls[label] += 1
        setattr(owner, name, wrapper)
        return original

    patches = [(describe, "from_text", PHASES[0]), (describe, "validated", PHASES[1]), (reason, "infer", PHASES[2]),
               (assess.Assessment, "to_json", PHASES[3]), (assess.Assessment, "requirement_results", PHASES[4]),
               (assess.Assessment, "question_results", PHASES[5]), (questions, "answer_problems", PHASES[6]),
               (assess.Assessment, "facts", PHASES[7]), (assess.Assessment, "trace_entry", PHASES[8])]
    patches = [(owner, name, label) for owner, name, label in patches if hasattr(owner, name)]
    originals = [(owner, name, timed(owner, name, label)) for owner, name, label in patches]
    total = 0.0
    try:
        for text in texts:
            t = time.perf_counter()
            assess_text(text, rs, on=ON).to_json()
            total += time.perf_counter() - t
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    n = len(texts)
    phases = [{"phase": label, "ms_per_product": spent[label] / n * 1000, "share": spent[label] / total,
               "calls_per_product": calls[label] / n} for _, _, label in patches]

    prof = cProfile.Profile()
    prof.enable()
    for text in texts:
        assess_text(text, rs, on=ON).to_json()
    prof.disable()
    st = pstats.Stats(prof, stream=io.StringIO())
    rows = []
    counters = {}
    for (file, line, func), (cc, nc, tt, ct, _) in st.stats.items():
        for name, (suffix, fname) in COUNTERS.items():
            if file.endswith(suffix) and func == fname:
                c = counters.setdefault(name, {"calls_per_product": 0.0, "cumtime_ms": 0.0})
                c["calls_per_product"] += nc / n
                c["cumtime_ms"] += ct / n * 1000
        where = file.replace(str(REPO) + "/", "")
        if "site-packages/" in where:
            where = where.split("site-packages/", 1)[1]
        rows.append({"function": f"{where}:{line}({func})", "calls_per_product": nc / n,
                     "tottime_ms": tt / n * 1000, "cumtime_ms": ct / n * 1000})
    top_tot = sorted(rows, key=lambda r: -r["tottime_ms"])[:15]
    ours = ("kravbib/", "pyshacl/entrypoints.py", "rdflib/plugins/parsers/jsonld.py", "rdflib/graph.py")
    top_cum = sorted((r for r in rows if r["function"].startswith(ours) and "(<" not in r["function"]),
                     key=lambda r: -r["cumtime_ms"])[:20]
    return {"requirements": len(rs.requirements), "products": n, "mean_ms": total / n * 1000, "phases": phases,
            "counters": counters, "top_tottime": top_tot, "top_cumtime": top_cum, "peak_rss_mb": peak_rss_mb()}
