"""Load and compile a ruleset (ontology + rules + shapes) once per process.

A ruleset is the folder holding ontology/, rules/ and shapes/. Loading parses every Turtle file,
computes the version (owl:versionInfo of the ontology) and a content hash of all files, and
compiles the SHACL-AF SPARQL rules into query strings with their prefixes, so that assessing a
product never parses Turtle again.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection

from .namespaces import DCTERMS, KB, ONTOLOGY_IRI, OWL, RDF, RDFS, SH, SKOS
from .paths import default_ruleset_dir

CONTENT_FOLDERS = ("ontology", "rules", "shapes")
CATEGORY_SCHEME = "https://w3id.org/kravbib/vocab/category/ProductCategories"


class RulesetError(Exception):
    """A ruleset file could not be read; names the file and the reason."""


@dataclass(frozen=True)
class Rule:
    iri: URIRef
    id: str
    order: int
    query: str          # the full SPARQL CONSTRUCT, prefixes included, $this unbound
    target_class: URIRef
    reads: frozenset | None = None     # predicates its WHERE clause matches (None: any predicate)
    needs: frozenset = frozenset()     # predicates it cannot match without (see _predicates_needed)


@dataclass
class RuleInfo:
    id: str
    label: dict
    premise: dict
    conclusion: dict
    sources: list
    stages: set
    applies_from: str | None
    note: dict


@dataclass
class Ruleset:
    directory: Path
    version: str
    hash: str
    graph: Graph                      # everything, for lookups
    input_shapes: Graph               # shapes/input: what a valid product description is
    context: dict                     # the JSON-LD context (the "@context" object)
    rules: list[Rule]
    rule_info: dict[URIRef, RuleInfo]
    field_of: dict[URIRef, str]       # property IRI -> JSON field name
    term_of: dict[URIRef, str]        # value IRI -> JSON value (e.g. kb:ClassIIa -> "IIa")
    defaults: dict[URIRef, Literal]   # property IRI -> default value (sh:defaultValue)
    determinations: dict[URIRef, str] = field(default_factory=dict)  # property -> JSON key
    requirements: list = field(default_factory=list)                 # compiled requirement shapes
    profiles: dict = field(default_factory=dict)                     # region profile id -> profile
    superclasses: dict = field(default_factory=dict)                 # class -> itself and all superclasses
    questions: list = field(default_factory=list)                    # compiled benefit-scheme questions
    answer_shapes: Graph = field(default_factory=Graph)              # SHACL for answers, one shape per question
    categories: frozenset = frozenset()                              # the catalogue's product categories
    input_checks: list | None = None                                 # compiled input shapes (None: use pySHACL)
    memo: dict = field(default_factory=dict)                         # rendered static parts (see cached)

    def cached(self, key, make):
        """The value for `key`, made once per ruleset (static metadata rendered for output)."""
        value = self.memo.get(key)
        if value is None:
            value = self.memo[key] = make()
        return value

    def texts(self, subject, predicate) -> dict:
        return lang_map(self.graph, subject, predicate)

    def source(self, iri: URIRef) -> dict:
        g = self.graph
        url = g.value(iri, KB.url)
        return {
            "id": str(iri),
            "label": lang_map(g, iri, RDFS.label) or {"en": str(iri), "sv": str(iri)},
            "url": str(url) if url is not None else None,
        }


def lang_map(g: Graph, subject, predicate) -> dict:
    out = {}
    for o in g.objects(subject, predicate):
        if isinstance(o, Literal) and o.language in ("sv", "en"):
            out[o.language] = str(o)
    return out


def content_files(directory: Path) -> list[Path]:
    files = []
    for folder in CONTENT_FOLDERS:
        base = directory / folder
        if base.is_dir():
            files.extend(p for p in base.rglob("*") if p.is_file() and p.suffix in (".ttl", ".jsonld"))
    return sorted(files, key=lambda p: p.relative_to(directory).as_posix())


def content_hash(directory: Path) -> str:
    h = hashlib.sha256()
    for p in content_files(directory):
        h.update(p.relative_to(directory).as_posix().encode() + b"\0")
        h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


def parse_turtle(path: Path, into: Graph) -> None:
    try:
        into.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several exception types for bad Turtle
        raise RulesetError(f"{path}: cannot parse Turtle: {exc}") from exc


def _prefix_header(g: Graph, prefixes_node) -> str:
    lines = []
    for decl in g.objects(prefixes_node, SH.declare):
        prefix = g.value(decl, SH.prefix)
        namespace = g.value(decl, SH.namespace)
        if prefix is not None and namespace is not None:
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _predicates_needed(node) -> set:
    """The IRI predicates of the triple patterns that every solution of `node` (rdflib algebra)
    must match: outside OPTIONAL, MINUS, UNION (unless in both branches), (NOT) EXISTS, GRAPH and
    aggregates. While one of them has no triple at all, the rule has no solution."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if not isinstance(node, CompValue):
        return set()
    if node.name == "BGP":
        return {str(p) for _, p, _ in node.get("triples") or [] if isinstance(p, URIRef)}
    if node.name in ("ConstructQuery", "Project", "Filter", "Extend", "Distinct", "Reduced", "ToMultiSet"):
        return _predicates_needed(node.get("p"))
    if node.name == "Join":
        return _predicates_needed(node.get("p1")) | _predicates_needed(node.get("p2"))
    if node.name in ("LeftJoin", "Minus"):
        return _predicates_needed(node.get("p1"))
    if node.name == "Union":
        return _predicates_needed(node.get("p1")) & _predicates_needed(node.get("p2"))
    return set()


def _predicates_read(query: str, rule) -> tuple[frozenset | None, frozenset]:
    """Every predicate the rule's WHERE clause matches (in any pattern, EXISTS and NOT EXISTS
    included), so the engine need not run it again until one of them gains a triple; None when a
    pattern has a variable predicate (then it must always run). And the predicates it needs."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    from .locks import PARSER_LOCK
    from .sparql_patterns import predicate_iris, triple_patterns

    try:
        with PARSER_LOCK:
            algebra = translateQuery(parseQuery(query)).algebra
    except Exception as exc:
        raise RulesetError(f"rule {rule}: the SPARQL does not parse: {exc}") from None

    needs = frozenset(_predicates_needed(algebra))
    found: set = set()
    for _, p, _ in triple_patterns(algebra):
        iris = predicate_iris(p)
        if iris is None:
            return None, needs
        found |= {str(iri) for iri in iris}
    return frozenset(found), needs


def compile_rules(g: Graph) -> list[Rule]:
    rules = []
    for shape, rule in g.subject_objects(SH.rule):
        if (rule, RDF.type, SH.SPARQLRule) not in g:
            continue
        if g.value(rule, SH.deactivated) == Literal(True) or g.value(shape, SH.deactivated) == Literal(True):
            continue
        construct = g.value(rule, SH.construct)
        if construct is None:
            raise RulesetError(f"rule {rule} has no sh:construct")
        header = "\n".join(_prefix_header(g, p) for p in g.objects(rule, SH.prefixes))
        ident = g.value(rule, DCTERMS.identifier)
        order = g.value(rule, SH.order)
        query = f"{header}\n{construct}"
        reads, needs = _predicates_read(query, rule)
        for target in g.objects(shape, SH.targetClass):
            rules.append(Rule(
                iri=rule, id=str(ident) if ident else str(rule),
                order=int(order.toPython()) if order is not None else 0,
                query=query, target_class=target, reads=reads, needs=needs,
            ))
    rules.sort(key=lambda r: (r.order, r.id))
    return rules


def _rule_info(g: Graph, rule: URIRef) -> RuleInfo:
    ident = g.value(rule, DCTERMS.identifier)
    applies = g.value(rule, KB.appliesFrom)
    return RuleInfo(
        id=str(ident) if ident else str(rule),
        label=lang_map(g, rule, RDFS.label),
        premise=lang_map(g, rule, KB.premise),
        conclusion=lang_map(g, rule, KB.conclusionText),
        sources=sorted(g.objects(rule, DCTERMS.source)),
        stages=set(g.objects(rule, KB.stage)),
        applies_from=str(applies) if applies is not None else None,
        note=lang_map(g, rule, RDFS.comment),
    )


def _context_maps(context: dict, g: Graph) -> tuple[dict, dict]:
    """Property IRI -> field name, and value IRI -> JSON value, from the JSON-LD context.

    A term names a field when it has a term definition object or expands to an ontology property;
    every other term names a value (e.g. "IIa" -> kb:ClassIIa)."""
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))}

    def expand(curie: str) -> URIRef:
        pre, _, local = curie.partition(":")
        return URIRef(prefixes[pre] + local if pre in prefixes else curie)

    properties = set(g.subjects(RDF.type, OWL.ObjectProperty)) | set(g.subjects(RDF.type, OWL.DatatypeProperty))
    fields, terms = {}, {}
    for term, definition in context.items():
        if term.startswith("@") or term in prefixes:
            continue
        if isinstance(definition, dict):
            fields[expand(definition["@id"])] = term
        elif expand(definition) in properties:
            fields[expand(definition)] = term
        else:
            terms[expand(definition)] = term
    return fields, terms


def _superclass_closure(g: Graph) -> dict:
    closure = {}
    for cls in set(g.subjects(RDFS.subClassOf, None)) | set(g.objects(None, RDFS.subClassOf)):
        closure[cls] = set(g.transitive_objects(cls, RDFS.subClassOf))
    return closure


def load(directory: Path | str | None = None) -> Ruleset:
    directory = Path(directory) if directory else default_ruleset_dir()
    if not (directory / "ontology").is_dir():
        raise RulesetError(f"{directory}: not a ruleset folder (no ontology/ inside)")
    g = Graph()
    input_shapes = Graph()
    for path in content_files(directory):
        if path.suffix != ".ttl":
            continue
        parse_turtle(path, g)
        if path.parent == directory / "shapes" / "input":
            parse_turtle(path, input_shapes)
    context_path = directory / "ontology" / "context.jsonld"
    try:
        context = json.loads(context_path.read_text(encoding="utf-8"))["@context"]
    except (OSError, ValueError, KeyError) as exc:
        raise RulesetError(f"{context_path}: cannot read the JSON-LD context: {exc}") from exc

    version = g.value(URIRef(ONTOLOGY_IRI), OWL.versionInfo)
    rules = compile_rules(g)
    fields, terms = _context_maps(context, g)
    defaults = {}
    for shape, default in input_shapes.subject_objects(SH.defaultValue):
        path = input_shapes.value(shape, SH.path)
        if path is not None:
            defaults[path] = default
    determinations = {}
    for prop in g.subjects(RDFS.subPropertyOf, KB.determination):
        key = g.value(prop, KB.determinationKey)
        if key is not None:
            determinations[prop] = str(key)
    from .questions import compile_questions
    from .shacl_fast import compile_shapes
    from .requirements import compile_profiles, compile_requirements

    questions, answer_shapes = compile_questions(g)

    rs = Ruleset(
        directory=directory,
        version=str(version) if version is not None else "0.0.0",
        hash=content_hash(directory),
        graph=g,
        input_shapes=input_shapes,
        context=context,
        rules=rules,
        rule_info={r.iri: _rule_info(g, r.iri) for r in rules},
        field_of=fields,
        term_of=terms,
        defaults=defaults,
        determinations=determinations,
        requirements=compile_requirements(g),
        profiles=compile_profiles(g),
        superclasses=_superclass_closure(g),
        questions=questions,
        answer_shapes=answer_shapes,
        categories=frozenset(g.subjects(SKOS.inScheme, URIRef(CATEGORY_SCHEME))),
        input_checks=compile_shapes(input_shapes),
    )
    from .assess import prepare

    prepare(rs)
    return rs


_cache: dict[Path, Ruleset] = {}
_lock = threading.Lock()


def get(directory: Path | str | None = None) -> Ruleset:
    """The compiled ruleset for a folder, loaded once per process."""
    key = Path(directory).resolve() if directory else default_ruleset_dir().resolve()
    with _lock:
        if key not in _cache:
            _cache[key] = load(key)
        return _cache[key]


def notation(rs: Ruleset, iri) -> str | None:
    if iri is None:
        return None
    n = rs.graph.value(iri, SKOS.notation)
    if n is not None:
        return str(n)
    return rs.term_of.get(iri) or str(iri).rsplit("#", 1)[-1]


ARCHIVE_FOLDER = "rulesets"


def archive(rs: Ruleset, data_dir: Path | str) -> Path:
    """Keep a copy of this ruleset version in <data>/rulesets/<hash12>/, so that assessments made
    with it can be reproduced after the rules change (`kravbib assess --ruleset <hash12>`)."""
    import shutil

    target = Path(data_dir) / ARCHIVE_FOLDER / rs.hash[:12]
    if not target.is_dir():
        tmp = target.with_name(target.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        for folder in CONTENT_FOLDERS + ("queries",):
            if (rs.directory / folder).is_dir():
                shutil.copytree(rs.directory / folder, tmp / folder)
        tmp.rename(target)                      # the archive appears whole or not at all
    return target


def resolve(arg: str | None, data_dir: Path | str | None = None) -> Path | None:
    """A ruleset folder from --ruleset: a folder, or a version hash (prefix) or version number
    archived in <data>/rulesets/. None means the shipped ruleset."""
    if not arg:
        return None
    if Path(arg).is_dir():
        return Path(arg)
    base = Path(data_dir or "kravbib-data") / ARCHIVE_FOLDER
    matches = sorted(p for p in base.glob("*") if p.is_dir() and p.name.startswith(arg[:12]) and len(arg) >= 6) \
        if base.is_dir() else []
    if not matches and base.is_dir():
        from rdflib import Graph

        for p in sorted(base.glob("*")):
            g = Graph()
            header = p / "ontology" / "kravbib.ttl"
            if header.is_file():
                g.parse(header)
                if str(g.value(URIRef(ONTOLOGY_IRI), OWL.versionInfo)) == arg:
                    matches.append(p)
    if len(matches) != 1:
        known = ", ".join(sorted(p.name for p in base.glob("*"))) if base.is_dir() else "none"
        raise RulesetError(f"--ruleset {arg!r} is no folder and names {'no' if not matches else 'more than one'} "
                           f"archived ruleset in {base} (archived: {known})")
    return matches[0]
