"""The requirements library: which requirement shapes apply to a product, and are they met?

A requirement is a sh:NodeShape typed kb:Requirement (shapes/eu, shapes/se, shapes/regions). Its
applicability (kb:appliesWhen) is a node shape over the product's asserted and derived facts,
written in a small subset of SHACL core that is compiled once, when the ruleset loads:
sh:property with sh:path and one of sh:hasValue / sh:in / sh:minCount 1 / value ranges
(sh:minInclusive, sh:minExclusive, sh:maxInclusive, sh:maxExclusive); sh:class; sh:not;
sh:or; sh:and. It is evaluated in three-valued logic: a condition on an input field the vendor did
not answer is unknown, and the requirement is then listed as `may_apply`, naming the field.
pySHACL is the reference for the two-valued case (tests/test_requirements.py).
A requirement that applies is `met` when the vendor lists evidence of a type in kb:satisfiedBy,
`unmet` otherwise, and `not_yet_applicable` while its kb:validFrom lies ahead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection

from .namespaces import DCTERMS, KB, RDF, RDFS, SH

UNSUPPORTED = "unsupported"


class ApplicabilityError(ValueError):
    """A kb:appliesWhen shape uses SHACL beyond the supported subset."""


@dataclass(frozen=True)
class Cond:
    kind: str                      # "has", "in", "only", "range", "class", "not", "or", "and"
    path: URIRef | None = None
    values: frozenset | None = None   # None with kind "has": any value (sh:minCount 1)
    children: tuple = ()
    bounds: tuple = ()             # kind "range": ((operator, literal), ...), e.g. ((">", 2026-09-12),);
                                   # values is {"required"} when sh:minCount 1 asks for a value


@dataclass
class Requirement:
    iri: URIRef
    id: str
    title: dict
    description: dict
    message: dict
    issuer: URIRef | None
    supervisor: URIRef | None
    phases: list
    severity: URIRef | None
    sources: list
    valid_from: dt.date | None
    valid_until: dt.date | None
    applies: Cond | None
    satisfied_by: frozenset
    profile: URIRef | None = None


@dataclass
class RegionProfile:
    iri: URIRef
    id: str
    label: dict
    is_example: bool
    description: dict = field(default_factory=dict)


# One object per RDF term that a condition mentions: a product's facts looked up through `shared`
# are then found by identity, without rdflib's term comparison (a Python call) in every set and
# dict lookup of the evaluation. Filled as rulesets compile; product terms are never added.
_SHARED: dict = {}


def shared(term):
    """The one object for `term` if a condition mentions it, else `term` itself (an equal term)."""
    return _SHARED.get(term, term)


def _share(term):
    return _SHARED.setdefault(term, term)


_SHAPE_META = {RDF.type, SH.name, SH.description, SH.message, RDFS.label, RDFS.comment}
_BOUNDS = {SH.minInclusive: ">=", SH.minExclusive: ">", SH.maxInclusive: "<=", SH.maxExclusive: "<"}
_COMPARE = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b}


def compile_condition(g: Graph, node) -> Cond:
    parts = []
    for p, o in g.predicate_objects(node):
        if p in _SHAPE_META:
            continue
        if p == SH.property:
            parts.append(_compile_property(g, o))
        elif p == SH["class"]:
            parts.append(Cond("class", values=frozenset([_share(o)])))
        elif p == SH["not"]:
            parts.append(Cond("not", children=(compile_condition(g, o),)))
        elif p in (SH["or"], SH["and"]):
            members = tuple(compile_condition(g, m) for m in Collection(g, o))
            parts.append(Cond("or" if p == SH["or"] else "and", children=members))
        else:
            raise ApplicabilityError(f"{p} is not supported in kb:appliesWhen")
    if not parts:
        raise ApplicabilityError("an empty kb:appliesWhen shape")
    return parts[0] if len(parts) == 1 else Cond("and", children=tuple(parts))


def _compile_property(g: Graph, ps) -> Cond:
    path = g.value(ps, SH.path)
    if not isinstance(path, URIRef):
        raise ApplicabilityError("sh:path must be a single property IRI in kb:appliesWhen")
    path = _share(path)
    allowed = {SH.path, SH.hasValue, SH["in"], SH.minCount} | set(_BOUNDS) | _SHAPE_META
    extra = {p for p in g.predicates(ps) if p not in allowed}
    if extra:
        raise ApplicabilityError(f"{', '.join(sorted(extra))} is not supported in kb:appliesWhen")
    bounds = tuple((op, g.value(ps, p)) for p, op in _BOUNDS.items() if g.value(ps, p) is not None)
    if bounds:
        if any(p in (SH.hasValue, SH["in"]) for p in g.predicates(ps)):
            raise ApplicabilityError(f"property {path}: do not combine value ranges with sh:hasValue or sh:in")
        # as in SHACL, a range alone holds when there is no value; sh:minCount 1 asks for one
        required = g.value(ps, SH.minCount) is not None and int(g.value(ps, SH.minCount)) == 1
        return Cond("range", path=path, bounds=bounds, values=frozenset(["required"]) if required else None)
    has_value = [_share(v) for v in g.objects(ps, SH.hasValue)]
    in_list = g.value(ps, SH["in"])
    min_count = g.value(ps, SH.minCount)
    required = min_count is not None and int(min_count) == 1
    if min_count is not None and int(min_count) != 1:
        raise ApplicabilityError(f"property {path}: only sh:minCount 1 is supported")
    if has_value and in_list is None:
        return Cond("has", path=path, values=frozenset(has_value))
    if in_list is not None and not has_value:
        # SHACL: every value must be in the list; without sh:minCount 1 that holds for no value at all,
        # with it there must also be a value ("some value is one of" is sh:or of sh:hasValue)
        values = frozenset(_share(v) for v in Collection(g, in_list))
        return Cond("in" if required else "only", path=path, values=values)
    if required and not has_value and in_list is None:
        return Cond("has", path=path, values=None)
    raise ApplicabilityError(f"property {path}: give exactly one of sh:hasValue, sh:in or sh:minCount 1")


def _date(v) -> dt.date | None:
    if v is None:
        return None
    value = v.toPython() if isinstance(v, Literal) else v
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(v))


def compile_when(g: Graph, subject, prop, kind: str) -> Cond | None:
    """The compiled condition under `prop` (kb:appliesWhen, kb:askedWhen), or None if there is none;
    a RulesetError naming the requirement or question if it uses unsupported SHACL."""
    from .ruleset import RulesetError

    node = g.value(subject, prop)
    try:
        return compile_condition(g, node) if node is not None else None
    except ApplicabilityError as exc:
        raise RulesetError(f"{kind} {subject}: {exc}") from None


def compile_requirements(g: Graph) -> list[Requirement]:
    from .ruleset import lang_map, RulesetError

    out = []
    for iri in sorted(set(g.subjects(RDF.type, KB.Requirement))):
        if g.value(iri, SH.deactivated) == Literal(True):
            continue
        applies = compile_when(g, iri, KB.appliesWhen, "requirement")
        ident = g.value(iri, DCTERMS.identifier)
        out.append(Requirement(
            iri=iri, id=str(ident) if ident else str(iri).rsplit("/", 1)[-1],
            title=lang_map(g, iri, SH.name), description=lang_map(g, iri, SH.description),
            message=lang_map(g, iri, SH.message),
            issuer=g.value(iri, KB.issuer), supervisor=g.value(iri, KB.supervisor),
            phases=sorted(g.objects(iri, KB.phase)), severity=g.value(iri, KB.severity),
            sources=sorted(g.objects(iri, DCTERMS.source)),
            valid_from=_date(g.value(iri, KB.validFrom)), valid_until=_date(g.value(iri, KB.validUntil)),
            applies=applies, satisfied_by=frozenset(_share(t) for t in g.objects(iri, KB.satisfiedBy)),
            profile=g.value(iri, KB.profile),
        ))
    return out


def compile_profiles(g: Graph) -> dict[str, RegionProfile]:
    from .ruleset import lang_map

    profiles = {}
    for iri in g.subjects(RDF.type, KB.RegionProfile):
        ident = str(g.value(iri, DCTERMS.identifier) or str(iri).rsplit("/", 1)[-1])
        profiles[ident] = RegionProfile(iri, ident, lang_map(g, iri, RDFS.label),
                                        g.value(iri, KB.isExample) == Literal(True),
                                        lang_map(g, iri, DCTERMS.description))
    return profiles


# --- evaluation --------------------------------------------------------------------------------
@dataclass
class Facts:
    """What is known about one product: its property values and (closed) classes."""
    values: dict                     # property -> set of values (asserted and derived)
    types: set                       # rdf:type values and all their superclasses
    input_fields: dict               # property -> JSON field, for every property the vendor answers
    missing: list                    # fields the classification still needs (kb:needsAnswer)
    answered: set = field(default_factory=set)   # fields answered without a triple (an empty list, a default)

    def unknown_fields(self, path) -> list[str] | None:
        """Why `path` has no value: the field to answer, or None if absent simply means false."""
        if path in self.input_fields:
            name = self.input_fields[path]
            return None if name in self.answered else [name]
        return list(self.missing) or None


def _within(value, op: str, bound) -> bool:
    a, b = value.toPython(), bound.toPython()
    try:
        return _COMPARE[op](a, b)
    except TypeError:          # values of different kinds never satisfy a range (as in SHACL)
        return False


_VALUE_KINDS = frozenset(("has", "in", "only", "range"))


def evaluate(cond: Cond, facts: Facts) -> tuple[bool | None, set]:
    """(True | False | None for unknown, the fields that would decide an unknown)."""
    kind = cond.kind
    if kind in _VALUE_KINDS:
        have = facts.values.get(cond.path)
        if have:
            if kind == "has":             # sh:hasValue (any of them), or sh:minCount 1 (values None)
                return (cond.values is None or not have.isdisjoint(cond.values)), set()
            if kind == "range":
                return all(all(_within(v, op, bound) for op, bound in cond.bounds) for v in have), set()
            return have <= cond.values, set()       # "in", "only": every value in the list
        unknown = facts.unknown_fields(cond.path)
        if unknown:
            return None, set(unknown)
        # no value: "only" (sh:in without sh:minCount) holds, as does a range without sh:minCount 1
        return (kind == "only" or (kind == "range" and cond.values is None)), set()
    if kind == "class":
        if not cond.values.isdisjoint(facts.types):
            return True, set()
        return (None, set(facts.missing)) if facts.missing else (False, set())
    if kind == "not":
        value, fields = evaluate(cond.children[0], facts)
        return (None if value is None else not value), fields
    results = [evaluate(c, facts) for c in cond.children]
    decisive = kind != "and"              # and: one False decides; or: one True decides
    unknown = []
    for value, fields in results:
        if value is decisive:
            return decisive, set()
        if value is None:
            unknown.append(fields)
    if unknown:
        return None, set().union(*unknown)
    return not decisive, set()
