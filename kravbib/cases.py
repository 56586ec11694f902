"""Rule tests as data: a product description plus the outcome the rules must give.

A case file (JSON) holds "description", "source" (where the example comes from), "product" (the
vendor's input) and "expected": qualification, regulation, class, rules (ids that must appear in
the traces), missing (fields still to answer), determinations (key -> value), requirements
(requirement id -> met | unmet | not_yet_applicable | may_apply | information | not_applicable),
evidence_tier (A | B | C | null) and questions (question id -> open | answered | invalid |
not_asked). A regulator adds a
case by adding a file; `kravbib rules check` and the test suite run every case.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from .assess import assess_text
from .ruleset import Ruleset


# Cases are judged as of a fixed day, so that a requirement's kb:validFrom does not make a case
# change its outcome as time passes; a case may set its own "on" date.
CASE_DATE = dt.date(2026, 11, 25)


def fired_rules(result: dict) -> set[str]:
    traces = [result["qualification"]["trace"], result["classification"]["trace"], result["evidence_tier"]["trace"]]
    traces += [d["trace"] for d in result["determinations"].values()]
    return {step["rule"] for trace in traces for step in trace}


def mismatches(case: dict, rs: Ruleset) -> list[str]:
    """Every way the assessment of case["product"] differs from case["expected"]."""
    on = dt.date.fromisoformat(case["on"]) if "on" in case else CASE_DATE
    result = assess_text(json.dumps(case["product"]), rs, on=on).to_json()
    exp = case["expected"]
    found = []

    def compare(what, got, want):
        if got != want:
            found.append(f"{what}: expected {want!r}, got {got!r}")

    compare("qualification", result["qualification"]["status"], exp["qualification"])
    if "regulation" in exp:
        compare("regulation", result["classification"]["regulation"], exp["regulation"])
    if "class" in exp:
        compare("class", result["classification"]["class"], exp["class"])
    fired = fired_rules(result)
    for rule in exp.get("rules", []):
        if rule not in fired:
            found.append(f"rule {rule} expected in the trace; fired: {sorted(fired)}")
    if "missing" in exp:
        compare("missing", result["missing"], sorted(exp["missing"]))
    statuses = {r["id"]: r["status"] for r in result["requirements"]}
    for req, want in exp.get("requirements", {}).items():
        compare(f"requirement {req}", statuses.get(req, "not_applicable"), want)
    if "evidence_tier" in exp:
        compare("evidence tier", result["evidence_tier"]["tier"], exp["evidence_tier"])
    asked = {q["id"]: q["status"] for q in result["questions"]}
    for qid, want in exp.get("questions", {}).items():
        compare(f"question {qid}", asked.get(qid, "not_asked"), want)
    for key, want in exp.get("determinations", {}).items():
        got = result["determinations"].get(key, {}).get("value")
        compare(f"determination {key}", got, want)
    return found


def load_cases(folder: Path) -> list[tuple[Path, dict]]:
    return [(p, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.json"))]
