"""Impact analysis: what a change of the rules does to the products already in the catalogue.

Every catalogued product is assessed under the base and the head ruleset (as of the same day) and
the two assessments are compared: qualification, regulation, class, determinations, evidence tier,
requirements (added, removed, status changed) and benefit questions. The summary counts the
products that change, overall and per issuer of the requirements that changed.
"""

from __future__ import annotations

import datetime as dt
import html
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


def analyse(catalogue: Catalogue, base: Ruleset, head: Ruleset, on: dt.date | None = None,
            progress=None) -> dict:
    """Re-assess every catalogued product under both rulesets and report what changed."""
    on = on or dt.date.today()
    ids = sorted(row["id"] for row in catalogue.list())
    products, issuers = [], Counter()
    for i, pid in enumerate(ids, 1):
        g, node = catalogue.description(pid)
        before = _assess(g, node, base, on)
        after = _assess(g, node, head, on)
        changes = compare(before, after)
        if changes:
            products.append({"id": pid, "changes": changes})
            issuers.update({c["issuer"] for c in changes if c.get("issuer")})
        if progress:
            progress(i, len(ids))
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
