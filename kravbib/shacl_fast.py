"""A compiled SHACL validator for the input shapes (shapes/input), for speed.

pySHACL takes ~10 ms per product description; the input shapes use a small part of SHACL core,
which is compiled here once, when the ruleset loads, into plain Python checks (~0.2 ms). pySHACL
stays the reference: `compile_shapes` returns None for a shapes graph that uses anything outside
the supported part, and describe then validates with pySHACL; tests/test_shacl_fast.py requires
identical results on every test case and on hundreds of generated descriptions.

Supported: targets sh:targetClass (no subclass inference), sh:targetSubjectsOf, sh:targetObjectsOf;
node shapes with sh:property, sh:closed/sh:ignoredProperties and sh:or of property shapes;
property shapes with a single-IRI sh:path and sh:minCount, sh:maxCount, sh:datatype, sh:in,
sh:hasValue, sh:pattern, sh:minLength, sh:maxLength, sh:nodeKind.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from .namespaces import RDF, SH, XSD

NODE_KEYS = {RDF.type, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.property, SH.closed,
             SH.ignoredProperties, SH["or"], SH.message, SH.name, SH.description, SH.order, SH.group}
PROPERTY_KEYS = {RDF.type, SH.path, SH.minCount, SH.maxCount, SH.datatype, SH["in"], SH.hasValue, SH.pattern,
                 SH.minLength, SH.maxLength, SH.nodeKind, SH.message, SH.name, SH.description, SH.defaultValue,
                 SH.order, SH.group}
LANG_STRING = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")


@dataclass
class Violation:
    shape: object            # the shape whose sh:message explains it
    focus: object
    path: URIRef | None
    value: object | None


@dataclass
class PropertyCheck:
    shape: object
    path: URIRef
    min_count: int | None = None
    max_count: int | None = None
    datatype: URIRef | None = None
    allowed: frozenset | None = None
    has_value: tuple = ()
    pattern: re.Pattern | None = None
    min_length: int | None = None
    max_length: int | None = None
    node_kind: URIRef | None = None

    def violations(self, g: Graph, focus) -> list[Violation]:
        values = list(g.objects(focus, self.path))
        out = []
        bad = lambda v: out.append(Violation(self.shape, focus, self.path, v))
        if self.min_count is not None and len(values) < self.min_count:
            out.append(Violation(self.shape, focus, self.path, None))
        if self.max_count is not None and len(values) > self.max_count:
            out.append(Violation(self.shape, focus, self.path, None))
        for v in values:
            if self.datatype is not None and not _has_datatype(v, self.datatype):
                bad(v)
            if self.allowed is not None and v not in self.allowed:
                bad(v)
            if self.pattern is not None and (isinstance(v, BNode) or not self.pattern.search(str(v))):
                bad(v)
            if self.min_length is not None and (isinstance(v, BNode) or len(str(v)) < self.min_length):
                bad(v)
            if self.max_length is not None and (isinstance(v, BNode) or len(str(v)) > self.max_length):
                bad(v)
            if self.node_kind is not None and not _has_kind(v, self.node_kind):
                bad(v)
        for required in self.has_value:
            if required not in values:
                out.append(Violation(self.shape, focus, self.path, None))
        return out


@dataclass
class NodeCheck:
    shape: object
    target_classes: list = field(default_factory=list)
    subjects_of: list = field(default_factory=list)
    objects_of: list = field(default_factory=list)
    properties: list = field(default_factory=list)
    closed: frozenset | None = None        # allowed predicates when closed
    any_of: list = field(default_factory=list)   # one entry per sh:or: its members, each a list of PropertyCheck

    def focus_nodes(self, g: Graph) -> set:
        nodes = set()
        for cls in self.target_classes:
            nodes |= set(g.subjects(RDF.type, cls))
        for p in self.subjects_of:
            nodes |= set(g.subjects(p, None))
        for p in self.objects_of:
            nodes |= {o for o in g.objects(None, p) if not isinstance(o, Literal)}
        return nodes

    def violations(self, g: Graph) -> list[Violation]:
        out = []
        for focus in self.focus_nodes(g):
            for check in self.properties:
                out += check.violations(g, focus)
            if self.closed is not None:
                for p, o in g.predicate_objects(focus):
                    if p not in self.closed:
                        out.append(Violation(self.shape, focus, p, o))
            for group in self.any_of:         # each sh:or: some member shape must hold
                if not any(all(not c.violations(g, focus) for c in member) for member in group):
                    out.append(Violation(self.shape, focus, None, focus))
        return out


PYTHON_TYPES = {XSD.string: (str, bytes), XSD.integer: int, XSD.boolean: bool, XSD.date: dt.date,
                XSD.dateTime: dt.datetime, XSD.decimal: Decimal, XSD.float: float}


def _has_datatype(v, datatype) -> bool:
    """As pySHACL decides it: the datatype matches, the literal is well-typed and its value is
    of the datatype's Python type."""
    if not isinstance(v, Literal):
        return False
    if v.datatype is None and v.language is None:
        if datatype != XSD.string:
            return False
    elif datatype == LANG_STRING:
        return v.language is not None and isinstance(v.value, (str, bytes))
    elif v.datatype != datatype:
        return False
    elif getattr(v, "ill_typed", None) is True:
        return False
    expected = PYTHON_TYPES.get(datatype)
    return expected is None or isinstance(v.value, expected)


def _has_kind(v, kind) -> bool:
    return {SH.IRI: isinstance(v, URIRef), SH.Literal: isinstance(v, Literal), SH.BlankNode: isinstance(v, BNode),
            SH.BlankNodeOrIRI: isinstance(v, (BNode, URIRef)), SH.IRIOrLiteral: isinstance(v, (URIRef, Literal)),
            SH.BlankNodeOrLiteral: isinstance(v, (BNode, Literal))}[kind]


class Unsupported(Exception):
    pass


def _shacl(predicates) -> set:
    """The SHACL terms among a shape's predicates (annotations of other vocabularies are ignored)."""
    return {p for p in predicates if str(p).startswith(str(SH)) or p == RDF.type}


def _property(g: Graph, ps) -> PropertyCheck:
    extra = _shacl(g.predicates(ps)) - PROPERTY_KEYS
    if extra:
        raise Unsupported(f"{ps}: {sorted(extra)}")
    path = g.value(ps, SH.path)
    if not isinstance(path, URIRef):
        raise Unsupported(f"{ps}: only single-IRI paths")
    value = lambda p: g.value(ps, p)
    pattern = value(SH.pattern)
    allowed = value(SH["in"])
    return PropertyCheck(
        shape=ps, path=path,
        min_count=int(value(SH.minCount)) if value(SH.minCount) is not None else None,
        max_count=int(value(SH.maxCount)) if value(SH.maxCount) is not None else None,
        datatype=value(SH.datatype),
        allowed=frozenset(Collection(g, allowed)) if allowed is not None else None,
        has_value=tuple(g.objects(ps, SH.hasValue)),
        pattern=re.compile(str(pattern)) if pattern is not None else None,
        min_length=int(value(SH.minLength)) if value(SH.minLength) is not None else None,
        max_length=int(value(SH.maxLength)) if value(SH.maxLength) is not None else None,
        node_kind=value(SH.nodeKind),
    )


def compile_shapes(g: Graph) -> list[NodeCheck] | None:
    """The shapes graph as checks, or None if it uses SHACL beyond the supported part."""
    try:
        checks = []
        node_shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(SH.targetClass, None)) \
            | set(g.subjects(SH.targetSubjectsOf, None)) | set(g.subjects(SH.targetObjectsOf, None))
        for shape in node_shapes:
            extra = _shacl(g.predicates(shape)) - NODE_KEYS
            if extra:
                raise Unsupported(f"{shape}: {sorted(extra)}")
            check = NodeCheck(shape, list(g.objects(shape, SH.targetClass)), list(g.objects(shape, SH.targetSubjectsOf)),
                              list(g.objects(shape, SH.targetObjectsOf)),
                              [_property(g, ps) for ps in g.objects(shape, SH.property)])
            if g.value(shape, SH.closed) == Literal(True):
                ignored = g.value(shape, SH.ignoredProperties)
                check.closed = frozenset(c.path for c in check.properties) | (
                    frozenset(Collection(g, ignored)) if ignored is not None else frozenset())
            for members in g.objects(shape, SH["or"]):
                check.any_of.append([_member(g, m) for m in Collection(g, members)])
            if not (check.target_classes or check.subjects_of or check.objects_of):
                continue                     # not targeted: only used from other shapes (none here)
            checks.append(check)
        return checks
    except Unsupported:
        return None


def _member(g: Graph, member) -> list[PropertyCheck]:
    """A member of sh:or: a property shape, or a node shape made only of property shapes."""
    if g.value(member, SH.path) is not None:
        return [_property(g, member)]
    extra = _shacl(g.predicates(member)) - {SH.property, RDF.type}
    if extra:
        raise Unsupported(f"sh:or member {member}: {sorted(extra)}")
    return [_property(g, ps) for ps in g.objects(member, SH.property)]


def validate(checks: list[NodeCheck], g: Graph) -> list[Violation]:
    out = []
    for check in checks:
        out += check.violations(g)
    return out
