"""Assess: a product graph in, one Assessment out (qualification, class, determinations, traces)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef

from . import describe, reason
from .namespaces import KB, RDF, RDFS
from .requirements import Facts, evaluate, shared
from .ruleset import Ruleset, lang_map, notation

STAGE_KEYS = {KB.StageQualification: "qualification", KB.StageClassification: "classification",
              KB.StageDetermination: "determination"}


@dataclass
class Assessment:
    ruleset: Ruleset
    node: URIRef
    asserted: Graph
    inferred: Graph
    derivations: list
    on: dt.date = field(default_factory=dt.date.today)
    assessed_at: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))

    # -- reading the derived facts ------------------------------------------------------------
    def value(self, prop):
        return self.inferred.value(self.node, prop) or self.asserted.value(self.node, prop)

    def trace_entry(self, d: reason.Derivation) -> dict:
        rs = self.ruleset
        return dict(trace_static(rs, d.rule))

    def derivations_in(self, stage) -> list:
        return [d for d in self.derivations if stage in self.ruleset.rule_info[d.rule].stages]

    def missing(self, stage=None) -> list[str]:
        found = set()
        for d in self.derivations:
            if stage is not None and stage not in self.ruleset.rule_info[d.rule].stages:
                continue
            found.update(str(o) for _, p, o in d.triples if p == KB.needsAnswer)
        return sorted(found)

    # -- the requirements library ---------------------------------------------------------------
    def facts(self) -> Facts:
        rs = self.ruleset
        values: dict = {}
        for graph in (self.asserted, self.inferred):
            for p, o in graph.predicate_objects(self.node):
                values.setdefault(shared(p), set()).add(shared(o))
        types = set()
        for t in values.get(RDF.type, ()):
            types.update(shared(c) for c in rs.superclasses.get(t, {t}))
        answered = {str(o) for o in self.asserted.objects(self.node, KB.answeredEmpty)}
        answered |= {rs.field_of[p] for p in rs.defaults if p in rs.field_of}
        return Facts(values, types, dict(rs.field_of), self.missing(), answered)

    def requirement_results(self) -> list[dict]:
        rs = self.ruleset
        facts = self.facts()
        regions = {str(r) for r in facts.values.get(KB.regionProfile, ())}
        evidence = []
        for item in self.asserted.objects(self.node, KB.evidence):
            ident = self.asserted.value(item, KB.identifier)
            kind = shared(self.asserted.value(item, KB.evidenceType))
            evidence.append((kind, notation(rs, kind), str(ident) if ident is not None else None))
        profiles = {}
        for p in rs.profiles.values():
            profiles.setdefault(p.iri, p)
        out = []
        for req in rs.requirements:
            if req.valid_until is not None and req.valid_until < self.on:
                continue                                   # no longer in force
            profile = None
            if req.profile is not None:
                profile = profiles.get(req.profile)
                if profile is None or profile.id not in regions:
                    continue
            applies, fields = evaluate(req.applies, facts) if req.applies is not None else (True, set())
            if applies is False:
                continue
            shown = [{"type": n, "id": i} for t, n, i in evidence if t in req.satisfied_by]
            if applies is None:
                status = "may_apply"
            elif req.valid_from is not None and req.valid_from > self.on:
                status = "not_yet_applicable"
            elif not req.satisfied_by:
                status = "information"                     # applies, and asks for no evidence
            else:
                status = "met" if shown else "unmet"
            static = requirement_static(rs, req)
            out.append({**static, "status": status, "evidence": shown, "missing": sorted(fields),
                        "region": profile.id if profile else None})
        return out

    def question_results(self) -> list[dict]:
        from .questions import answer_problems

        rs = self.ruleset
        facts = self.facts()
        answers = {str(self.asserted.value(a, KB.answersQuestion)): a for a in self.asserted.objects(self.node, KB.answer)}
        out = []
        for q in rs.questions:
            asked, fields = evaluate(q.asked, facts) if q.asked is not None else (True, set())
            if asked is False:
                continue
            answer = answers.get(q.id)
            problems = []
            if answer is None:
                status, given = "open", None
            else:
                problems = answer_problems(answer, self.asserted, q, rs.answer_shapes)
                status = "invalid" if problems else "answered"
                value = self.asserted.value(answer, KB.answerValue)
                detail = self.asserted.value(answer, KB.answerDetail)
                given = {"value": value.toPython() if value is not None else None,
                         "detail": str(detail) if detail is not None else None}
            out.append({
                **question_static(rs, q),
                "status": status, "answer": given, "problems": [_ANSWER_PROBLEMS[p](q) for p in problems],
                "depends_on": sorted(fields),
            })
        return out

    def evidence_tier(self) -> dict:
        rs = self.ruleset
        tier = self.inferred.value(self.node, KB.evidenceTier)
        static = tier_static(rs, tier)
        return {
            "tier": static["tier"],
            "label": static["label"],
            "trace": [self.trace_entry(d) for d in self.derivations_in(KB.StageEvidenceTier)],
            "missing": sorted(str(o) for o in self.inferred.objects(self.node, KB.tierNeedsAnswer)),
            "standards": static["standards"],
        }

    def region_views(self, requirements: list[dict]) -> list[dict]:
        rs = self.ruleset
        views = []
        for rid in sorted(str(r) for r in self.asserted.objects(self.node, KB.regionProfile)):
            profile = rs.profiles[rid]
            own = [r for r in requirements if r["region"] == rid]
            views.append({"id": rid, "label": profile.label, "is_example": profile.is_example,
                          "added": [r["id"] for r in own],
                          "met": sum(r["status"] == "met" for r in own),
                          "unmet": sum(r["status"] == "unmet" for r in own)})
        return views

    def to_json(self) -> dict:
        rs = self.ruleset
        qual = self.value(KB.qualification)
        status = notation(rs, qual) if qual is not None else "undetermined"
        is_device = qual in (KB.OutcomeMedicalDevice, KB.OutcomeIVDMedicalDevice)
        determinations = {}
        for prop, key in sorted(rs.determinations.items(), key=lambda kv: kv[1]):
            val = self.inferred.value(self.node, prop)
            if val is None:
                continue
            ds = [d for d in self.derivations if any(p == prop for _, p, _ in d.triples)]
            applies = next((rs.rule_info[d.rule].applies_from for d in ds if rs.rule_info[d.rule].applies_from), None)
            determinations[key] = {"value": val.toPython() if isinstance(val, Literal) else notation(rs, val),
                                   "applies_from": applies,
                                   "trace": [self.trace_entry(d) for d in ds]}
        requirements = self.requirement_results()
        name = self.asserted.value(self.node, KB.name)
        ident = str(self.node).rsplit("/", 1)[-1]
        return {
            "product": {"id": ident, "iri": str(self.node), "name": str(name) if name is not None else None},
            "ruleset": {"version": rs.version, "hash": rs.hash},
            "assessed_at": self.assessed_at,
            "assessed_on": self.on.isoformat(),
            "qualification": {
                "status": status,
                "trace": [self.trace_entry(d) for d in self.derivations_in(KB.StageQualification)],
                "missing": self.missing(KB.StageQualification),
            },
            "classification": {
                "regulation": notation(rs, self.value(KB.regulation)) if is_device else None,
                "class": notation(rs, self.value(KB.deviceClass)) if is_device else None,
                "trace": [self.trace_entry(d) for d in self.derivations_in(KB.StageClassification)],
                "missing": self.missing(KB.StageClassification),
            },
            "determinations": determinations,
            "evidence_tier": self.evidence_tier(),
            "questions": self.question_results(),
            "requirements": requirements,
            "regions": self.region_views(requirements),
            "missing": self.missing(),
            "defaults_applied": sorted(str(o) for o in self.asserted.objects(self.node, KB.defaultApplied)),
        }


_ANSWER_PROBLEMS = {
    "value": lambda q: {
        "sv": "Svaret passar inte frågan: " + (f"välj ett av {', '.join(q.choices)}." if q.choices
                                                else f"svaret ska vara av typen {q.answer_type.rsplit('#', 1)[-1][6:].lower()}."),
        "en": "The answer does not fit the question: " + (f"choose one of {', '.join(q.choices)}." if q.choices
                                                          else f"the answer must be of type {q.answer_type.rsplit('#', 1)[-1][6:].lower()}.")},
    "detail": lambda q: {"sv": "Frågan kräver en detalj (detail), t.ex. en referens eller ett intygsnummer.",
                         "en": "The question requires a detail, e.g. a reference or a certificate number."},
}


def _actor(rs: Ruleset, iri) -> dict | None:
    if iri is None:
        return None
    return {"id": str(iri), "label": lang_map(rs.graph, iri, RDFS.label)}


def requirement_static(rs: Ruleset, req) -> dict:
    """The parts of a requirement's result that depend only on the ruleset (built once, then kept)."""
    return rs.cached(("requirement", req.iri), lambda: {
        "id": req.id,
        "iri": str(req.iri),
        "title": req.title,
        "description": req.description,
        "issuer": _actor(rs, req.issuer),
        "supervisor": _actor(rs, req.supervisor),
        "phase": [notation(rs, p) for p in sorted(req.phases, key=lambda p: _phase_order(rs, p))],
        "severity": notation(rs, req.severity),
        "source": [rs.source(s) for s in req.sources],
        "valid_from": req.valid_from.isoformat() if req.valid_from else None,
        "valid_until": req.valid_until.isoformat() if req.valid_until else None,
        "message": req.message,
        "satisfied_by": sorted(notation(rs, t) for t in req.satisfied_by),
    })


def question_static(rs: Ruleset, q) -> dict:
    """The parts of a question's result that depend only on the ruleset (built once, then kept)."""
    return rs.cached(("question", q.iri), lambda: {
        "id": q.id, "iri": str(q.iri), "title": q.title, "text": q.text, "why": q.why,
        "anchors": [rs.source(s) for s in q.sources],
        "answer_type": notation(rs, q.answer_type), "choices": q.choices,
        "detail_required": q.detail_required})


def tier_static(rs: Ruleset, tier) -> dict:
    """An evidence tier's notation, label and standards (the same for every product; built once)."""
    return rs.cached(("tier", tier), lambda: _tier_parts(rs, tier))


def _tier_parts(rs: Ruleset, tier) -> dict:
    standards = []
    for std in rs.graph.objects(tier, KB.requiresStandard) if tier is not None else ():
        group = rs.graph.value(std, KB.standardGroup)
        standards.append({"number": int(rs.graph.value(std, KB.standardNumber)),
                          "label": lang_map(rs.graph, std, RDFS.label),
                          "group": lang_map(rs.graph, group, RDFS.label)})
    return {"tier": notation(rs, tier) if tier is not None else None,
            "label": lang_map(rs.graph, tier, RDFS.label) if tier is not None else {},
            "standards": sorted(standards, key=lambda s: s["number"])}


def trace_static(rs: Ruleset, rule) -> dict:
    """A rule's entry in a trace (the same for every product; built once, then kept)."""
    info = rs.rule_info[rule]
    return rs.cached(("trace", rule), lambda: {
        "rule": info.id, "iri": str(rule), "label": info.label, "premises": info.premise,
        "conclusion": info.conclusion, "sources": [rs.source(s) for s in info.sources],
        **({"note": info.note} if info.note else {})})


def prepare(rs: Ruleset) -> None:
    """Render the static parts of every rule, requirement and question once, when the ruleset
    loads, so that no assessment pays for them (they are the same for every product)."""
    for rule in rs.rule_info:
        trace_static(rs, rule)
    for req in rs.requirements:
        requirement_static(rs, req)
    for q in rs.questions:
        question_static(rs, q)


def _phase_order(rs: Ruleset, phase) -> int:
    order = rs.graph.value(phase, KB.order)
    return int(order) if order is not None else 99


def assess_graph(g: Graph, node: URIRef, rs: Ruleset, on: dt.date | None = None, at: str | None = None) -> Assessment:
    """Assess a described product. `on` is the day validity dates are judged against; `at`, if
    given, is recorded as the assessment time (to reproduce an earlier assessment exactly)."""
    inferred, derivations = reason.infer(g, rs)
    a = Assessment(rs, node, g, inferred, derivations, on=on or dt.date.today())
    if at:
        a.assessed_at = at
    return a


def assess_text(text, rs: Ruleset, fmt: str = "json", on: dt.date | None = None, at: str | None = None) -> Assessment:
    """Describe and assess; raises describe.InvalidInput for an invalid description."""
    g, node = describe.from_text(text, rs, fmt)
    return assess_graph(g, node, rs, on, at)
