"""Impact analysis: what a change of the rules does to the products already in the catalogue.

Every catalogued product is assessed under the base and the head ruleset (as of the same day) and
the two assessments are compared: qualification, regulation, class, determinations, evidence tier,
requirements (added, removed, status changed) and benefit questions. The summary counts the
products that change, overall and per issuer of the requirements that changed.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from . import describe
from .assess import assess_graph
from .catalogue import Catalogue
from .ruleset import CONTENT_FOLDERS, Ruleset, RulesetError, load


@contextmanager
def ruleset_at(ref: str, repo: Path):
    """A ruleset folder: `ref` itself if it is a folder, else the ruleset at git revision `ref`."""
    path = Path(ref)
    if path.is_dir():
        yield path
        return
    tmp = Path(tempfile.mkdtemp(prefix="kravbib-base-"))
    try:
        archive = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", ref, *CONTENT_FOLDERS],
                                 capture_output=True)
        if archive.returncode != 0:
            raise RulesetError(f"{ref!r} is neither a ruleset folder nor a git revision of {repo}: "
                               f"{archive.stderr.decode(errors='replace').strip()}")
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive.stdout, check=True)
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _summary(j: dict | None) -> dict:
    if j is None:
        return {}
    return {
        "qualification": j["qualification"]["status"],
        "regulation": j["classification"]["regulation"],
        "class": j["classification"]["class"],
        "determinations": {k: v["value"] for k, v in j["determinations"].items()},
        "evidence_tier": j["evidence_tier"]["tier"],
        "requirements": {r["id"]: (r["status"], (r["issuer"] or {}).get("id")) for r in j["requirements"]},
        "questions": {q["id"]: q["status"] for q in j["questions"]},
    }


def compare(base: dict | None, head: dict | None) -> list[dict]:
    """The changes from the base assessment to the head assessment, one dict per change."""
    b, h = _summary(base), _summary(head)
    if base is None or head is None:
        return [{"what": "validity", "base": "invalid" if base is None else "valid",
                 "head": "invalid" if head is None else "valid"}]
    changes = []
    for key in ("qualification", "regulation", "class", "evidence_tier"):
        if b[key] != h[key]:
            changes.append({"what": key, "base": b[key], "head": h[key]})
    for key in sorted(set(b["determinations"]) | set(h["determinations"])):
        if b["determinations"].get(key) != h["determinations"].get(key):
            changes.append({"what": "determination", "id": key, "base": b["determinations"].get(key),
                            "head": h["determinations"].get(key)})
    for rid in sorted(set(b["requirements"]) | set(h["requirements"])):
        before, after = b["requirements"].get(rid), h["requirements"].get(rid)
        if before == after:
            continue
        kind = "requirement_added" if before is None else "requirement_removed" if after is None else "requirement_status"
        changes.append({"what": kind, "id": rid, "issuer": (after or before)[1],
                        "base": before[0] if before else None, "head": after[0] if after else None})
    for qid in sorted(set(b["questions"]) | set(h["questions"])):
        if b["questions"].get(qid) != h["questions"].get(qid):
            changes.append({"what": "question", "id": qid, "base": b["questions"].get(qid), "head": h["questions"].get(qid)})
    return changes


def _assess(g, node, rs: Ruleset, on: dt.date) -> dict | None:
    try:
        checked = describe.validated(g, node, rs)
    except describe.InvalidInput:
        return None
    return assess_graph(checked, node, rs, on).to_json()


def _compare_one(g, node, base: Ruleset, head: Ruleset, on: dt.date) -> list[dict]:
    return compare(_assess(g, node, base, on), _assess(g, node, head, on))


# --- parallel work: each worker process loads both rulesets once and compares chunks of products ----
PARALLEL_FROM = 200          # products; below this, starting worker processes costs more than it saves
CHUNK = 25                   # products per task
_worker_rulesets: tuple | None = None


def _worker_init(base_dir: str, base_hash: str, head_dir: str, head_hash: str) -> None:
    global _worker_rulesets
    base, head = load(base_dir), load(head_dir)
    if (base.hash, head.hash) != (base_hash, head_hash):
        raise RulesetError("a ruleset folder changed while the impact analysis was starting")
    _worker_rulesets = (base, head)


def _worker_compare(chunk: list[tuple[str, str, str]], on: dt.date) -> list[tuple[str, list[dict]]]:
    from rdflib import Graph, URIRef

    base, head = _worker_rulesets
    out = []
    for pid, ntriples, node in chunk:
        g = Graph()
        g.parse(data=ntriples, format="nt")
        out.append((pid, _compare_one(g, URIRef(node), base, head, on)))
    return out


def default_jobs(products: int) -> int:
    """Worker processes for a catalogue of this size: one per usable core, none for small catalogues."""
    if products < PARALLEL_FROM:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def _compare_all(catalogue: Catalogue, ids: list[str], base: Ruleset, head: Ruleset, on: dt.date,
                 jobs: int, progress):
    """(pid, changes) for every product, in the order of `ids`."""
    if jobs <= 1:
        for i, pid in enumerate(ids, 1):
            g, node = catalogue.description(pid)
            yield pid, _compare_one(g, node, base, head, on)
            if progress:
                progress(i, len(ids))
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    # "spawn": the parent may hold an open store and threads, which a forked child must not inherit
    context = multiprocessing.get_context("spawn")
    chunks = [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]
    results: dict[str, list[dict]] = {}
    done = 0
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_init,
                             initargs=(str(base.directory), base.hash, str(head.directory), head.hash)) as pool:
        pending = set()
        for chunk in chunks:
            payload = []
            for pid in chunk:       # the parent reads the store; workers only compute
                g, node = catalogue.description(pid)
                payload.append((pid, g.serialize(format="nt"), str(node)))
            pending.add(pool.submit(_worker_compare, payload, on))
            while len(pending) >= 2 * jobs:         # a bounded number of chunks in flight
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                done = _collect(finished, results, done, len(ids), progress)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            done = _collect(finished, results, done, len(ids), progress)
    for pid in ids:
        yield pid, results[pid]


def _collect(finished, results: dict, done: int, total: int, progress) -> int:
    for future in finished:
        for pid, changes in future.result():
            results[pid] = changes
            done += 1
            if progress:
                progress(done, total)
    return done


def analyse(catalogue: Catalogue, base: Ruleset, head: Ruleset, on: dt.date | None = None,
            progress=None, jobs: int | None = None) -> dict:
    """Re-assess every catalogued product under both rulesets and report what changed. Large
    catalogues are shared out over `jobs` worker processes (default: one per core)."""
    on = on or dt.date.today()
    ids = sorted(row["id"] for row in catalogue.list())
    jobs = default_jobs(len(ids)) if jobs is None else max(1, jobs)
    products, issuers = [], Counter()
    for pid, changes in _compare_all(catalogue, ids, base, head, on, jobs, progress):
        if changes:
            products.append({"id": pid, "changes": changes})
            issuers.update({c["issuer"] for c in changes if c.get("issuer")})
    return {
        "summary": {"products": len(ids), "changed_products": len(products),
                    "by_issuer": dict(sorted(issuers.items())), "on": on.isoformat(),
                    "base": {"version": base.version, "hash": base.hash},
                    "head": {"version": head.version, "hash": head.hash}},
        "products": products,
    }


def progress_bar(stream=sys.stderr):
    """A terminal progress bar (only when the stream is a terminal)."""
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            stream.write("\n")
        stream.flush()
    return show


def to_text(report: dict) -> str:
    s = report["summary"]
    lines = [f"Impact of ruleset {s['head']['version']} ({s['head']['hash'][:12]}) against "
             f"{s['base']['version']} ({s['base']['hash'][:12]}), as of {s['on']}:",
             f"{s['changed_products']} of {s['products']} products change."]
    if s["by_issuer"]:
        lines.append("Changed requirements per issuer: " + ", ".join(f"{k.rsplit('#', 1)[-1].rsplit('/', 1)[-1]} {v}"
                                                                    for k, v in s["by_issuer"].items()))
    for p in report["products"]:
        lines.append(f"\n{p['id']}:")
        for c in p["changes"]:
            ident = f" {c['id']}" if c.get("id") else ""
            lines.append(f"  {c['what']}{ident}: {c['base']} -> {c['head']}")
    return "\n".join(lines) + "\n"


def to_html(report: dict) -> str:
    s = report["summary"]
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(p['id'])}</td><td><ul>"
        + "".join(f"<li>{e(c['what'])} {e(str(c.get('id') or ''))}: {e(str(c['base']))} → {e(str(c['head']))}</li>"
                  for c in p["changes"])
        + "</ul></td></tr>" for p in report["products"])
    issuers = "".join(f"<li>{e(k)}: {v}</li>" for k, v in s["by_issuer"].items())
    return (f"<!doctype html><html lang=en><meta charset=utf-8><title>kravbib impact</title>"
            f"<h1>Impact of ruleset {e(s['head']['version'])} ({e(s['head']['hash'][:12])})</h1>"
            f"<p>Against {e(s['base']['version'])} ({e(s['base']['hash'][:12])}), as of {e(s['on'])}: "
            f"<strong>{s['changed_products']}</strong> of {s['products']} products change.</p>"
            f"<h2>Per issuer</h2><ul>{issuers}</ul>"
            f"<table><thead><tr><th>Product</th><th>Changes</th></tr></thead><tbody>{rows}</tbody></table></html>\n")


def load_pair(base: Path, head: Path | None) -> tuple[Ruleset, Ruleset]:
    from .ruleset import get

    return load(base), (load(head) if head else get())
