"""Assess: a product graph in, one Assessment out (qualification, class, determinations, traces)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef

from . import describe, reason
from .namespaces import KB
from .ruleset import Ruleset, notation

STAGE_KEYS = {KB.StageQualification: "qualification", KB.StageClassification: "classification",
              KB.StageDetermination: "determination"}


@dataclass
class Assessment:
    ruleset: Ruleset
    node: URIRef
    asserted: Graph
    inferred: Graph
    derivations: list
    assessed_at: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))

    # -- reading the derived facts ------------------------------------------------------------
    def value(self, prop):
        return self.inferred.value(self.node, prop) or self.asserted.value(self.node, prop)

    def trace_entry(self, d: reason.Derivation) -> dict:
        info = self.ruleset.rule_info[d.rule]
        return {
            "rule": info.id,
            "iri": str(d.rule),
            "label": info.label,
            "premises": info.premise,
            "conclusion": info.conclusion,
            "sources": [self.ruleset.source(s) for s in info.sources],
            **({"note": info.note} if info.note else {}),
        }

    def derivations_in(self, stage) -> list:
        return [d for d in self.derivations if stage in self.ruleset.rule_info[d.rule].stages]

    def missing(self, stage=None) -> list[str]:
        found = set()
        for d in self.derivations:
            if stage is not None and stage not in self.ruleset.rule_info[d.rule].stages:
                continue
            found.update(str(o) for _, p, o in d.triples if p == KB.needsAnswer)
        return sorted(found)

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
        name = self.asserted.value(self.node, KB.name)
        ident = str(self.node).rsplit("/", 1)[-1]
        return {
            "product": {"id": ident, "iri": str(self.node), "name": str(name) if name is not None else None},
            "ruleset": {"version": rs.version, "hash": rs.hash},
            "assessed_at": self.assessed_at,
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
            "missing": self.missing(),
            "defaults_applied": sorted(str(o) for o in self.asserted.objects(self.node, KB.defaultApplied)),
        }


def assess_graph(g: Graph, node: URIRef, rs: Ruleset) -> Assessment:
    inferred, derivations = reason.infer(g, rs)
    return Assessment(rs, node, g, inferred, derivations)


def assess_text(text, rs: Ruleset, fmt: str = "json") -> Assessment:
    """Describe and assess; raises describe.InvalidInput for an invalid description."""
    g, node = describe.from_text(text, rs, fmt)
    return assess_graph(g, node, rs)
