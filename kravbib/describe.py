"""Describe: turn a vendor's product description (JSON, JSON-LD or Turtle) into a product graph.

The JSON is mapped to ontology terms with the published JSON-LD context (ontology/context.jsonld)
and checked against the SHACL shapes in shapes/input/. Every problem is reported by JSON field
name, in Swedish and English; nothing is assessed until the description is valid.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef

from .locks import SHAPES_LOCK
from .namespaces import DATA, KB, RDF, SH, UNKNOWN_FIELD
from .ruleset import Ruleset, lang_map

MAX_INPUT_BYTES = 1_000_000
MAX_DEPTH = 20


@dataclass
class Problem:
    field: str
    message: dict          # {"sv": ..., "en": ...}
    value: str | None = None

    def to_json(self) -> dict:
        out = {"field": self.field, "message": self.message}
        if self.value is not None:
            out["value"] = self.value
        return out


class InvalidInput(Exception):
    """The product description is not valid; `problems` lists every problem by field."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message.get('en', '')}" for p in problems))


def _problem(field: str, sv: str, en: str, value=None) -> Problem:
    return Problem(field, {"sv": sv, "en": en}, value)


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:64].strip("-") or "product"


def _check_structure(obj, path: str = "", depth: int = 0) -> list[Problem]:
    """JSON-LD keywords ("@…") are ours to set; refuse them anywhere in the input."""
    problems = []
    if depth > MAX_DEPTH:
        return [_problem(path or "(document)", "För djupt nästlad.", "Nested too deeply.")]
    if isinstance(obj, dict):
        for key, value in obj.items():
            where = f"{path}.{key}" if path else key
            if key.startswith("@"):
                problems.append(_problem(where, "Fältnamn får inte börja med @.", "Field names may not start with @."))
            else:
                problems.extend(_check_structure(value, where, depth + 1))
    elif isinstance(obj, list):
        for item in obj:
            problems.extend(_check_structure(item, path, depth + 1))
    return problems


def _decoded(text: str | bytes) -> str:
    """The description as text: at most MAX_INPUT_BYTES, valid UTF-8; else InvalidInput."""
    if len(text) > MAX_INPUT_BYTES:
        raise InvalidInput([_problem("(document)", f"Beskrivningen är större än {MAX_INPUT_BYTES} byte.",
                                     f"The description is larger than {MAX_INPUT_BYTES} bytes.")])
    if isinstance(text, bytes):
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput([_problem("(document)", f"Inte giltig UTF-8: {exc.reason} vid byte {exc.start}.",
                                         f"Not valid UTF-8: {exc.reason} at byte {exc.start}.")]) from None
    return text


def parse_json_text(text: str | bytes) -> dict:
    """Parse JSON text into the description object, or raise InvalidInput."""
    text = _decoded(text)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput([_problem("(document)", f"Inte giltig JSON: {exc.msg} (rad {exc.lineno}, kolumn {exc.colno}).",
                                     f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).")]) from None
    except RecursionError:
        raise InvalidInput([_problem("(document)", "För djupt nästlad.", "Nested too deeply.")]) from None
    return obj


def product_iri(obj: dict) -> URIRef:
    ident = obj.get("id")
    if isinstance(ident, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", ident):
        return DATA["product/" + ident]
    name = obj.get("name")
    return DATA["product/" + slugify(name if isinstance(name, str) else "product")]


def from_json(obj, rs: Ruleset) -> tuple[Graph, URIRef]:
    """Map a description object to a product graph, validate it, fill in defaults."""
    if not isinstance(obj, dict):
        raise InvalidInput([_problem("(document)", "Beskrivningen måste vara ett JSON-objekt.",
                                     "The description must be a JSON object.")])
    problems = _check_structure(obj)
    if problems:
        raise InvalidInput(problems)
    node = product_iri(obj)
    doc = {"@context": rs.context, "@id": str(node), "@type": "kb:Product", **obj}
    g = Graph()
    try:
        g.parse(data=json.dumps(doc), format="json-ld")
    except Exception as exc:  # the JSON-LD processor rejects some shapes of input outright
        raise InvalidInput([_problem("(document)", f"Beskrivningen kan inte tolkas: {exc}",
                                     f"The description cannot be interpreted: {exc}")]) from None
    g = validated(g, node, rs)
    # An empty list is an answer ("none"), but RDF has no triple for it: record it, so that a
    # requirement depending on the field is decided rather than listed as may_apply.
    for key in sorted(k for k, v in obj.items() if v == [] and k in rs.field_of.values()):
        g.add((node, KB.answeredEmpty, Literal(key)))
    return g, node


def from_turtle(text: str, rs: Ruleset) -> tuple[Graph, URIRef]:
    """Read a description written as Turtle (one node of type kb:Product)."""
    g = Graph()
    try:
        g.parse(data=text, format="turtle")
    except Exception as exc:
        raise InvalidInput([_problem("(document)", f"Inte giltig Turtle: {exc}", f"Not valid Turtle: {exc}")]) from None
    products = sorted(set(g.subjects(RDF.type, KB.Product)))
    if len(products) != 1:
        raise InvalidInput([_problem("(document)", f"Turtle-beskrivningen måste ha exakt en nod av typen kb:Product (hittade {len(products)}).",
                                     f"The Turtle description must have exactly one node of type kb:Product (found {len(products)}).")])
    return validated(g, products[0], rs), products[0]


def from_text(text: str | bytes, rs: Ruleset, fmt: str = "json") -> tuple[Graph, URIRef]:
    if fmt == "turtle":
        return from_turtle(_decoded(text), rs)
    return from_json(parse_json_text(text), rs)


def _display(value, rs: Ruleset) -> str | None:
    if value is None:
        return None
    if isinstance(value, BNode):
        return "(object)"
    if isinstance(value, URIRef):
        if value in rs.term_of:
            return rs.term_of[value]
        if str(value).startswith(UNKNOWN_FIELD):
            return str(value)[len(UNKNOWN_FIELD):]
    return str(value)


def field_name(path, shape, rs: Ruleset) -> str:
    if path is not None:
        if path in rs.field_of:
            return rs.field_of[path]
        if str(path).startswith(UNKNOWN_FIELD):
            return str(path)[len(UNKNOWN_FIELD):]
        return str(path)
    report = rs.input_shapes.value(shape, KB.reportField)
    return str(report) if report is not None else "(product)"


def shape_results(g: Graph, rs: Ruleset, reference: bool = False) -> list[tuple]:
    """(shape, path, focus, value) for every way g breaks the input shapes. The compiled checks
    are used when the shapes allow (kravbib.shacl_fast); pySHACL otherwise, or when asked for."""
    if rs.input_checks is not None and not reference:
        from .shacl_fast import validate

        return [(v.shape, v.path, v.focus, v.value) for v in validate(rs.input_checks, g)]
    with SHAPES_LOCK:        # the input shapes are shared between request threads
        conforms, report, _ = pyshacl.validate(g, shacl_graph=rs.input_shapes, inference="none", advanced=False)
    return [(report.value(r, SH.sourceShape), report.value(r, SH.resultPath), report.value(r, SH.focusNode),
             report.value(r, SH.value)) for r in report.subjects(RDF.type, SH.ValidationResult)]


def problems_from(results: list[tuple], g: Graph, node: URIRef, rs: Ruleset) -> list[Problem]:
    problems = []
    for shape, path, focus, raw in results:
        message = lang_map(rs.input_shapes, shape, SH.message) or {"sv": "Ogiltigt värde.", "en": "Invalid value."}
        field = field_name(path, shape, rs)
        if focus != node and path is not None:          # inside a nested object, e.g. evidence
            parent = next((rs.field_of.get(p, str(p)) for p in g.predicates(node, focus)), "(object)")
            field = f"{parent}.{field}"
        # an unknown field's name says it all; a node-level result's value is the product itself
        value = None if raw in (node, focus) or (path is not None and path not in rs.field_of) else _display(raw, rs)
        problems.append(Problem(field, message, value))
    problems.sort(key=lambda p: (p.field, p.value or ""))
    return problems


def validated(g: Graph, node: URIRef, rs: Ruleset) -> Graph:
    """Check a description against the input shapes; return it with the defaults filled in."""
    results = shape_results(g, rs)
    if results:
        raise InvalidInput(problems_from(results, g, node, rs))
    asked = [str(q) for a in g.objects(node, KB.answer) for q in g.objects(a, KB.answersQuestion)]
    known_questions = {q.id for q in rs.questions}
    problems = [_problem("answers", "Okänd fråga.", "Unknown question.", q) for q in sorted(set(asked) - known_questions)]
    problems += [_problem("answers", "Frågan är besvarad mer än en gång.", "The question is answered more than once.", q)
                 for q in sorted({q for q in asked if asked.count(q) > 1})]
    if problems:
        raise InvalidInput(problems)
    categories = rs.categories
    unknown = sorted(str(c) for c in g.objects(node, KB.category) if c not in categories)
    if unknown:
        raise InvalidInput([_problem("categories", "Okänd kategori; se katalogens kategorier.",
                                     "Unknown category; see the catalogue's categories.",
                                     c.rsplit("/", 1)[-1]) for c in unknown])
    unknown_regions = sorted(str(r) for r in g.objects(node, KB.regionProfile) if str(r) not in rs.profiles)
    if unknown_regions:
        known = ", ".join(sorted(rs.profiles)) or "-"
        raise InvalidInput([_problem("regions", f"Okänd regionprofil; kända är: {known}.",
                                     f"Unknown region profile; known are: {known}.", r) for r in unknown_regions])
    described = Graph()                 # a new graph: the caller's description stays as it was
    described += g
    for prop, default in rs.defaults.items():
        if described.value(node, prop) is None:
            described.add((node, prop, default))
            described.add((node, KB.defaultApplied, Literal(rs.field_of.get(prop, str(prop)))))
    return described
