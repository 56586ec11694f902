"""The triple patterns of a SPARQL query, read from rdflib's algebra: what the rule engine needs to
know which predicates a rule reads, and what the public endpoint needs to know whether a query
could read a private graph.

rdflib leaves the group graph pattern of FILTER (NOT) EXISTS untranslated (a parser TriplesBlock,
whose `triples` are flat lists s p o s p o …), so both forms are walked; property paths stay rdflib
Path objects."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath
from rdflib.plugins.sparql.parserutils import CompValue


def triple_patterns(node):
    """Every (s, p, o) pattern the query matches, EXISTS / NOT EXISTS / sub-queries included,
    the CONSTRUCT template not (it writes, it does not read)."""
    if isinstance(node, CompValue):
        if node.name == "BGP":
            yield from node.get("triples") or []
        elif node.name == "TriplesBlock":
            for flat in node.get("triples") or []:
                for i in range(0, len(flat) - 2, 3):
                    yield flat[i], flat[i + 1], flat[i + 2]
        for key, value in node.items():
            if key != "template":
                yield from triple_patterns(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from triple_patterns(value)


def predicate_iris(p) -> set | None:
    """The predicates a pattern's predicate position can match: {p} for an IRI, every IRI a
    property path steps along; None when it can match any predicate (a variable, a negated path)."""
    if isinstance(p, URIRef):
        return {p}
    if not isinstance(p, Path) or isinstance(p, NegatedPath):
        return None
    if isinstance(p, (SequencePath, AlternativePath)):
        parts = p.args
    elif isinstance(p, MulPath):
        parts = [p.path]
    elif isinstance(p, InvPath):
        parts = [p.arg]
    else:
        return None
    found = set()
    for part in parts:
        iris = predicate_iris(part)
        if iris is None:
            return None
        found |= iris
    return found
