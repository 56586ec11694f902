"""Reason: apply the ruleset's SHACL-AF SPARQL rules to a product graph until nothing new follows.

The rules are evaluated on an in-memory Oxigraph store (pyoxigraph), stratified by sh:order:
for each order k in ascending order, every rule with sh:order <= k runs until a global fixpoint,
so a rule fed by a rule in another file or shape always fires, while a rule that negates derived
facts (FILTER NOT EXISTS) sees them complete as long as it has a higher sh:order than the rules
deriving them. Within a stratum, a rule runs again only when a predicate its WHERE clause matches
has gained a triple (Rule.reads), and not at all while a predicate it must match has no triple
(Rule.needs: it would find nothing). Every rule firing is recorded as a Derivation: which rule,
for which node, and which triples it concluded. pySHACL's `shacl_rules` is the reference engine
(see tests/test_reason.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from .ruleset import Ruleset

MAX_ROUNDS = 50
_THIS = ox.Variable("this")
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_XSD_STRING = str(XSD.string)


class RuleLoopError(RuntimeError):
    """The rules did not reach a fixpoint within MAX_ROUNDS rounds (a rule keeps minting new nodes)."""


@dataclass
class Derivation:
    rule: URIRef
    focus: URIRef
    triples: list          # rdflib triples the rule added
    stratum: int


def to_ox(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


def infer(g: Graph, rs: Ruleset) -> tuple[Graph, list[Derivation]]:
    """Return (the inferred triples, the derivations) for the product graph g."""
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in g)
    present = {str(p) for p in g.predicates()}    # predicates with a triple in the store
    derivations: dict[tuple, Derivation] = {}   # (rule, focus) -> what the rule concluded, in firing order
    orders = sorted({r.order for r in rs.rules})
    for k in orders:
        active = [r for r in rs.rules if r.order <= k]
        batch = [r for r in active if r.order == k]   # lower strata are at their fixpoint already
        for _ in range(MAX_ROUNDS):
            changed: set = set()                      # predicates that gained a triple this round
            for rule in batch:
                if not rule.needs <= present:         # a pattern it must match has no triple
                    continue
                target = ox.NamedNode(str(rule.target_class))
                for focus in [q.subject for q in store.quads_for_pattern(None, _RDF_TYPE, target)]:
                    for t in store.query(rule.query, substitutions={_THIS: focus}):
                        quad = ox.Quad(t.subject, t.predicate, t.object)
                        if quad not in store:
                            store.add(quad)
                            changed.add(t.predicate.value)
                            present.add(t.predicate.value)
                        # a rule that concludes what another rule already concluded still applies,
                        # and is part of the explanation (e.g. Rule 11 (a) and (b) both giving IIa)
                        key = (rule.iri, focus)
                        triple = (from_ox(t.subject), from_ox(t.predicate), from_ox(t.object))
                        d = derivations.get(key)
                        if d is None:
                            d = derivations[key] = Derivation(rule.iri, from_ox(focus), [], k)
                        if triple not in d.triples:
                            d.triples.append(triple)
            if not changed:
                break
            # again only the rules that match a predicate which gained a triple: the others would
            # conclude exactly what they concluded before
            batch = [r for r in active if r.reads is None or r.reads & changed]
        else:
            raise RuleLoopError(f"rules of sh:order <= {k} reached no fixpoint in {MAX_ROUNDS} rounds")
    derivations = list(derivations.values())
    inferred = Graph()
    for d in derivations:
        for t in d.triples:
            inferred.add(t)
    return inferred, derivations
