"""Render an Assessment as text (a checklist to read) or as Turtle (asserted + inferred + trace)."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from .assess import Assessment
from .namespaces import DATA, KB, PROV, RDF

WORDS = {
    "sv": {"product": "Produkt", "ruleset": "Regelverk", "qualification": "Kvalificering",
           "classification": "Klassificering", "determinations": "Följdbestämningar", "missing": "Obesvarade frågor",
           "premise": "Premiss", "conclusion": "Slutsats", "source": "Källa", "note": "Obs",
           "defaults": "Antagna standardvärden", "regulation": "förordning", "class": "klass",
           "none": "ingen", "applies_from": "gäller från", "yes": "ja", "no": "nej",
           "medical_device": "medicinteknisk produkt", "ivd_medical_device": "medicinteknisk produkt för in vitro-diagnostik",
           "not_medical_device": "inte en medicinteknisk produkt", "undetermined": "kan inte avgöras ännu",
           "notified_body_required": "Anmält organ krävs", "ai_act_high_risk": "AI-system med hög risk (AI-förordningen)",
           "gdpr_special_category_data": "Särskilda kategorier av personuppgifter (GDPR art. 9)",
           "requirements": "Krav som gäller produkten", "region": "Region", "regions": "Regionprofiler",
           "example": "exempel", "added": "tillägg", "answer": "besvara",
           "met": "uppfyllt", "unmet": "ej visat", "not_yet_applicable": "gäller senare", "may_apply": "kan gälla", "information": "information",
           "tier": "Evidensnivå (NICE ESF)", "standards": "evidensstandarder", "questions": "Frågor från betalare (förmån, upphandling)",
           "open": "öppen", "answered": "besvarad", "invalid": "ogiltigt svar", "why": "Varför", "anchors": "Ankare",
           "depends_on": "beror på",
           "idea": "Idé", "development": "Utveckling", "clinical_evaluation": "Klinisk utvärdering",
           "implementation": "Införande", "operation": "Drift och förvaltning", "other": "Övrigt"},
    "en": {"product": "Product", "ruleset": "Ruleset", "qualification": "Qualification",
           "classification": "Classification", "determinations": "Determinations", "missing": "Questions to answer",
           "premise": "Premise", "conclusion": "Conclusion", "source": "Source", "note": "Note",
           "defaults": "Defaults assumed", "regulation": "regulation", "class": "class",
           "none": "none", "applies_from": "applies from", "yes": "yes", "no": "no",
           "medical_device": "medical device", "ivd_medical_device": "in vitro diagnostic medical device",
           "not_medical_device": "not a medical device", "undetermined": "cannot be decided yet",
           "notified_body_required": "Notified body required", "ai_act_high_risk": "High-risk AI system (AI Act)",
           "gdpr_special_category_data": "Special categories of personal data (GDPR Art 9)",
           "requirements": "Requirements that apply", "region": "Region", "regions": "Region profiles",
           "example": "example", "added": "added", "answer": "answer",
           "met": "met", "unmet": "not shown", "not_yet_applicable": "applies later", "may_apply": "may apply", "information": "information",
           "tier": "Evidence tier (NICE ESF)", "standards": "evidence standards", "questions": "Questions a payer will ask (benefit scheme, procurement)",
           "open": "open", "answered": "answered", "invalid": "invalid answer", "why": "Why", "anchors": "Anchors",
           "depends_on": "depends on",
           "idea": "Idea", "development": "Development", "clinical_evaluation": "Clinical evaluation",
           "implementation": "Implementation", "operation": "Operation and maintenance", "other": "Other"},
}


def _trace_lines(trace: list, lang: str, w: dict) -> list[str]:
    lines = []
    for i, step in enumerate(trace, 1):
        lines.append(f"  {i}. [{step['rule']}] {step['label'].get(lang, '')}")
        lines.append(f"     {w['premise']}: {step['premises'].get(lang, '')}")
        lines.append(f"     {w['conclusion']}: {step['conclusion'].get(lang, '')}")
        for src in step["sources"]:
            url = f" <{src['url']}>" if src.get("url") else ""
            lines.append(f"     {w['source']}: {src['label'].get(lang, src['id'])}{url}")
        if step.get("note"):
            lines.append(f"     {w['note']}: {step['note'].get(lang, '')}")
    return lines


def to_text(j: dict, lang: str = "sv") -> str:
    w = WORDS[lang]
    out = [f"{w['product']}: {j['product']['name']} ({j['product']['id']})",
           f"{w['ruleset']}: {j['ruleset']['version']} ({j['ruleset']['hash'][:12]})", ""]
    q = j["qualification"]
    out.append(f"{w['qualification']}: {w.get(q['status'], q['status'])}")
    out += _trace_lines(q["trace"], lang, w)
    c = j["classification"]
    out.append("")
    label = (f"{c['regulation'] or w['none']}, {w['class']} {c['class']}" if c["class"]
             else f"{c['regulation'] or w['none']}, {w['class']}: {w['none']}")
    out.append(f"{w['classification']}: {label}")
    out += _trace_lines(c["trace"], lang, w)
    if j["determinations"]:
        out += ["", f"{w['determinations']}:"]
        for key, d in j["determinations"].items():
            value = w["yes"] if d["value"] is True else w["no"] if d["value"] is False else str(d["value"])
            when = f" ({w['applies_from']} {d['applies_from']})" if d.get("applies_from") else ""
            out.append(f"- {w.get(key, key)}: {value}{when}")
            out += _trace_lines(d["trace"], lang, w)
    out += _requirement_lines(j, lang, w)
    out += _tier_and_question_lines(j, lang, w)
    if j["missing"]:
        out += ["", f"{w['missing']}: {', '.join(j['missing'])}"]
    if j["defaults_applied"]:
        out += ["", f"{w['defaults']}: {', '.join(j['defaults_applied'])}"]
    return "\n".join(out) + "\n"


PHASES = ("idea", "development", "clinical_evaluation", "implementation", "operation")
MARK = {"met": "[x]", "unmet": "[ ]", "not_yet_applicable": "[-]", "may_apply": "[?]", "information": "[i]"}


def _requirement_lines(j: dict, lang: str, w: dict) -> list[str]:
    """The requirements as a checklist, grouped by lifecycle phase and issuer."""
    reqs = j.get("requirements", [])
    if not reqs:
        return []
    out = ["", f"{w['requirements']} ({len(reqs)}):"]
    for phase in PHASES + ("other",):
        in_phase = [r for r in reqs if (r["phase"][:1] or ["other"])[0] == phase]
        if not in_phase:
            continue
        out += ["", f"== {w[phase]} =="]
        issuers = sorted({(r["issuer"] or {}).get("label", {}).get(lang, "-") for r in in_phase})
        for issuer in issuers:
            out.append(f"  {issuer}")
            for r in in_phase:
                if (r["issuer"] or {}).get("label", {}).get(lang, "-") != issuer:
                    continue
                when = f", {w['applies_from']} {r['valid_from']}" if r["status"] == "not_yet_applicable" else ""
                region = f" [{w['region']} {r['region']}]" if r["region"] else ""
                out.append(f"    {MARK[r['status']]} {r['id']}: {r['title'].get(lang, '')} ({w[r['status']]}{when}){region}")
                sources = "; ".join(src["label"].get(lang, src["id"]) for src in r["source"])
                out.append(f"        {w['source']}: {sources}")
                if r["status"] == "may_apply":
                    out.append(f"        {w['answer']}: {', '.join(r['missing'])}")
                elif r["status"] == "unmet" and r["message"]:
                    out.append(f"        {r['message'].get(lang, '')}")
    for view in j.get("regions", []):
        example = f" ({w['example']})" if view["is_example"] else ""
        out += ["", f"{w['region']} {view['label'].get(lang, view['id'])}{example}: {len(view['added'])} {w['added']},"
                    f" {view['met']} {w['met']}, {view['unmet']} {w['unmet']}"]
    return out


QMARK = {"open": "[ ]", "answered": "[x]", "invalid": "[!]"}


def _tier_and_question_lines(j: dict, lang: str, w: dict) -> list[str]:
    out = []
    tier = j.get("evidence_tier") or {}
    if tier.get("tier"):
        numbers = ", ".join(str(s["number"]) for s in tier["standards"])
        out += ["", f"{w['tier']}: {tier['label'].get(lang, tier['tier'])} ({w['standards']} {numbers})"]
        out += _trace_lines(tier["trace"], lang, w)
    elif tier.get("missing"):
        out += ["", f"{w['tier']}: {w['undetermined']} ({w['answer']}: {', '.join(tier['missing'])})"]
    questions = j.get("questions", [])
    if questions:
        out += ["", f"{w['questions']} ({len(questions)}):"]
        for q in questions:
            depends = f" ({w['depends_on']} {', '.join(q['depends_on'])})" if q["depends_on"] else ""
            out.append(f"  {QMARK[q['status']]} {q['id']}: {q['text'].get(lang, '')} ({w[q['status']]}){depends}")
            out.append(f"        {w['why']}: {q['why'].get(lang, '')}")
            anchors = "; ".join(a["label"].get(lang, a["id"]) for a in q["anchors"])
            out.append(f"        {w['anchors']}: {anchors}")
            for problem in q["problems"]:
                out.append(f"        {problem.get(lang, '')}")
    return out


def ruleset_iri(rs) -> URIRef:
    return DATA[f"ruleset/{rs.hash[:12]}"]


def product_id(a: Assessment) -> str:
    return str(a.node).rsplit("/", 1)[-1]


def description_graph(a: Assessment) -> Graph:
    """The vendor's description as given: without the defaults kravbib filled in."""
    defaulted = {str(o) for o in a.asserted.objects(a.node, KB.defaultApplied)}
    props = {p for p, f in a.ruleset.field_of.items() if f in defaulted}
    g = Graph()
    for s_, p, o in a.asserted:
        if p == KB.defaultApplied or (s_ == a.node and p in props):
            continue
        g.add((s_, p, o))
    return g


def assessment_graph(a: Assessment, result: dict | None = None) -> Graph:
    """What the rules derived, the requirement and question results, and one PROV-O record per
    rule firing, linked to a kb:Assessment that names the ruleset version and hash."""
    result = result or a.to_json()
    g = Graph()
    g.bind("kb", KB)
    g.bind("prov", PROV)
    for t in a.inferred:
        g.add(t)
    for field in a.asserted.objects(a.node, KB.defaultApplied):      # what was assumed, for the record
        g.add((a.node, KB.defaultApplied, field))
    activity = DATA[f"assessment/{product_id(a)}"]
    g.add((activity, RDF.type, KB.Assessment))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, KB.about, a.node))
    g.add((activity, PROV.used, ruleset_iri(a.ruleset)))
    g.add((activity, KB.rulesetVersion, Literal(a.ruleset.version)))
    g.add((activity, KB.rulesetHash, Literal(a.ruleset.hash)))
    g.add((activity, PROV.endedAtTime, Literal(a.assessed_at, datatype=XSD.dateTime)))
    g.add((activity, KB.assessedOn, Literal(a.on.isoformat(), datatype=XSD.date)))
    for req in result["requirements"]:
        node = URIRef(f"{activity}/requirement/{req['id']}")
        g.add((activity, KB.requirementResult, node))
        g.add((node, RDF.type, KB.RequirementResult))
        g.add((node, KB.requirement, URIRef(req["iri"])))
        g.add((node, KB.status, Literal(req["status"])))
        for field in req["missing"]:
            g.add((node, KB.missingField, Literal(field)))
    for q in result["questions"]:
        node = URIRef(f"{activity}/question/{q['id']}")
        g.add((activity, KB.questionResult, node))
        g.add((node, RDF.type, KB.QuestionResult))
        g.add((node, KB.question, URIRef(q["iri"])))
        g.add((node, KB.status, Literal(q["status"])))
    for i, d in enumerate(a.derivations):
        node = BNode()
        g.add((node, RDF.type, KB.Derivation))
        g.add((node, KB.byRule, d.rule))
        g.add((node, KB.about, d.focus))
        g.add((node, KB.step, Literal(i + 1)))
        g.add((node, PROV.wasInformedBy, activity))
        for s_, p, o in d.triples:
            statement = BNode()
            g.add((node, KB.derived, statement))
            g.add((statement, RDF.type, RDF.Statement))
            g.add((statement, RDF.subject, s_))
            g.add((statement, RDF.predicate, p))
            g.add((statement, RDF.object, o))
    return g


def to_graph(a: Assessment) -> Graph:
    """The description, what the rules derived and the assessment record, in one graph."""
    g = assessment_graph(a)
    g += description_graph(a)
    return g


def to_turtle(a: Assessment) -> str:
    return to_graph(a).serialize(format="turtle")
