"""The product catalogue (source report proposal 8) on a Store.

Layout (the default graph of queries is the union of all named graphs):
- <https://w3id.org/kravbib/data/ruleset/{hash12}>: every triple of one ruleset version, with a
  kb:Ruleset node; <…/catalogue> kb:currentRuleset names the one in use (graph <…/graph/meta>);
- <https://w3id.org/kravbib/data/graph/product/{id}>: the vendor's description, as given;
- <https://w3id.org/kravbib/data/graph/assessment/{id}>: its latest assessment (derived facts,
  requirement and question results, PROV-O record with ruleset version and hash).
A save writes the product and its assessment in one update, so both change together or not at all.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, XSD

from . import describe
from .assess import Assessment, assess_graph
from .namespaces import DATA, KB, RDF
from .render import assessment_graph, description_graph, ruleset_iri
from .ruleset import Ruleset, notation
from .store import Store, StoreError

META_GRAPH = DATA["graph/meta"]
CATEGORY_PREFIX = "https://w3id.org/kravbib/vocab/category/"
CATALOGUE = DATA["catalogue"]
PRODUCT_PREFIX = str(DATA["product/"])
CATALOGUE_METADATA = {KB.savedAt}              # what the catalogue adds to a description
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def product_graph_iri(pid: str) -> URIRef:
    return DATA[f"graph/product/{pid}"]


def assessment_graph_iri(pid: str) -> URIRef:
    return DATA[f"graph/assessment/{pid}"]


class NotFound(LookupError):
    pass


@dataclass
class Filters:
    qualification: str | None = None      # medical_device | ivd_medical_device | not_medical_device
    device_class: str | None = None        # I, IIa, … D
    requirement: str | None = None         # a requirement identifier that applies (any status)
    condition: str | None = None           # ICD-10 code (prefix match: "I50" matches "I50.9")
    category: str | None = None            # a category notation
    region: str | None = None              # a region profile id the product is assessed for


def filter_term(rs: Ruleset, what: str, value: str) -> URIRef | None:
    """The individual a `what` filter (qualification, class, category) names by its skos:notation."""
    from rdflib.namespace import SKOS

    return next((iri for iri in rs.graph.subjects(SKOS.notation, Literal(value)) if _is_kind(rs, iri, what)), None)


def filter_terms(rs: Ruleset, what: str) -> dict[str, URIRef]:
    """Every value a `what` filter takes: notation -> individual."""
    from rdflib.namespace import SKOS

    return {str(value): iri for iri, value in rs.graph.subject_objects(SKOS.notation) if _is_kind(rs, iri, what)}


def _is_kind(rs: Ruleset, iri, what: str) -> bool:
    if what == "category":
        return str(iri).startswith(CATEGORY_PREFIX)
    kinds = {"qualification": [KB.QualificationOutcome], "class": [KB.MDRClass, KB.IVDRClass]}[what]
    return any((iri, RDF.type, k) in rs.graph for k in kinds)


def _literal(text: str) -> str:
    return Literal(text).n3()


class Catalogue:
    def __init__(self, store: Store, rs: Ruleset, archive_dir=None):
        self.store = store
        self.rs = rs
        self.archive_dir = archive_dir          # where ruleset versions are kept (the data folder)

    # -- the ruleset in the store ---------------------------------------------------------------
    def ensure_ruleset(self) -> URIRef:
        """Load this ruleset version into the store if absent, and make it the current one; build
        the catalogue index if the store has none of the current layout (catalogue_index.py)."""
        iri = ruleset_iri(self.rs)
        if self.archive_dir is not None:
            from .ruleset import archive

            archive(self.rs, self.archive_dir)
        graphs = {}
        if not self.store.has_graph(iri):
            g = Graph()
            g += self.rs.graph
            g.add((iri, RDF.type, KB.Ruleset))
            g.add((iri, OWL.versionInfo, Literal(self.rs.version)))
            g.add((iri, KB.rulesetHash, Literal(self.rs.hash)))
            g.add((iri, DCTERMS.created, Literal(dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                                                 datatype=XSD.dateTime)))
            graphs[iri] = g
        current = self.store.run(f"SELECT ?r WHERE {{ GRAPH <{META_GRAPH}> {{ <{CATALOGUE}> <{KB.currentRuleset}> ?r }} }}")
        if graphs or [row.get("r") for row in current.rows] != [iri]:
            meta = Graph()
            meta.add((CATALOGUE, KB.currentRuleset, iri))
            graphs[META_GRAPH] = meta
        if graphs:
            add = {}
            if iri in graphs:
                from .audit import AUDIT_GRAPH, event

                add = {AUDIT_GRAPH: event(None, "ruleset.current", iri, note=f"version {self.rs.version}")}
            self.store.write(replace=graphs, add=add)
        from . import catalogue_index

        catalogue_index.ensure(self.store)
        return iri

    # -- writing --------------------------------------------------------------------------------
    def save(self, text, fmt: str = "json", on: dt.date | None = None, actor: str | None = None,
             authorise=None) -> Assessment:
        """Describe, assess and store a product (new or updated). Raises describe.InvalidInput.
        `authorise(product_id)` may refuse the write (e.g. another vendor's product) by raising."""
        g, node = describe.from_text(text, self.rs, fmt)
        if not str(node).startswith(PRODUCT_PREFIX) or not ID_PATTERN.match(str(node)[len(PRODUCT_PREFIX):]):
            raise describe.InvalidInput([describe.Problem("(document)", {
                "sv": f"Produktens IRI måste vara {PRODUCT_PREFIX}<id>.", "en": f"The product IRI must be {PRODUCT_PREFIX}<id>."})])
        if authorise:
            authorise(product_id(node))
        return self.save_graph(g, node, on, actor)

    def save_graph(self, g: Graph, node: URIRef, on: dt.date | None = None, actor: str | None = None) -> Assessment:
        from .audit import AUDIT_GRAPH, event

        pid = product_id(node)
        a = assess_graph(g, node, self.rs, on)
        previous = self.store.run(f"SELECT ?t WHERE {{ GRAPH <{product_graph_iri(pid)}> {{ ?p <{KB.savedAt}> ?t }} }}").rows
        audit = event(actor, "catalogue.save", DATA[f"product/{pid}"],
                      previous=previous[0]["t"] if previous else None, note=f"ruleset {self.rs.hash[:12]}")
        self.store.write(replace=self._graphs_for(a), add={AUDIT_GRAPH: audit})
        return a

    def _graphs_for(self, a: Assessment) -> dict:
        pid = product_id(a.node)
        pg = description_graph(a)
        pg.add((a.node, KB.savedAt, Literal(a.assessed_at, datatype=XSD.dateTime)))
        return {product_graph_iri(pid): pg, assessment_graph_iri(pid): assessment_graph(a)}

    def remove(self, pid: str, actor: str | None = None) -> None:
        from .audit import AUDIT_GRAPH, event

        if not self.exists(pid):
            raise NotFound(pid)
        self.store.write(remove=[product_graph_iri(pid), assessment_graph_iri(pid)],
                         add={AUDIT_GRAPH: event(actor, "catalogue.remove", DATA[f"product/{pid}"])})

    # -- reading --------------------------------------------------------------------------------
    def exists(self, pid: str) -> bool:
        return ID_PATTERN.match(pid) is not None and self.store.has_graph(product_graph_iri(pid))

    def description(self, pid: str) -> tuple[Graph, URIRef]:
        if not self.exists(pid):
            raise NotFound(pid)
        g = self.store.graph(product_graph_iri(pid))
        for p in CATALOGUE_METADATA:
            g.remove((None, p, None))
        node = DATA[f"product/{pid}"]
        return g, node

    def assess(self, pid: str, on: dt.date | None = None) -> Assessment:
        """Assess a stored product again, with this catalogue's ruleset."""
        g, node = self.description(pid)
        g = describe.validated(g, node, self.rs)
        return assess_graph(g, node, self.rs, on)

    def list(self, filters: Filters | None = None) -> list[dict]:
        f = filters or Filters()
        clauses = []
        if f.qualification:
            iri = self._term(f.qualification, "qualification")
            clauses.append(f"?p <{KB.qualification}> <{iri}> .")
        if f.device_class:
            iri = self._term(f.device_class, "class")
            clauses.append(f"?p <{KB.deviceClass}> <{iri}> .")
        if f.requirement:
            clauses.append(f"?a <{KB.requirementResult}> ?rr . ?rr <{KB.requirement}> ?req . "
                           f"?req <{DCTERMS.identifier}> {_literal(f.requirement)} .")
        if f.condition:
            clauses.append(f"?p <{KB.condition}> ?cond . FILTER(STRSTARTS(?cond, {_literal(f.condition)}))")
        if f.category:
            iri = self._term(f.category, "category")
            clauses.append(f"?p <{KB.category}> <{iri}> .")
        if f.region:
            clauses.append(f"?p <{KB.regionProfile}> {_literal(f.region)} .")
        query = f"""
SELECT ?p ?name ?qual ?class ?tier ?saved ?version WHERE {{
  ?a a <{KB.Assessment}> ; <{KB.about}> ?p ; <{KB.rulesetVersion}> ?version .
  ?p <{KB.name}> ?name .
  OPTIONAL {{ ?p <{KB.qualification}> ?qual }}
  OPTIONAL {{ ?p <{KB.deviceClass}> ?class }}
  OPTIONAL {{ ?p <{KB.evidenceTier}> ?tier }}
  OPTIONAL {{ ?p <{KB.savedAt}> ?saved }}
  {' '.join(clauses)}
}} ORDER BY ?name"""
        rows = []
        seen = set()
        for row in self.store.run(query).rows:
            if row["p"] in seen:
                continue
            seen.add(row["p"])
            rows.append({
                "id": product_id(row["p"]),
                "name": str(row["name"]),
                "qualification": notation(self.rs, row.get("qual")) if row.get("qual") else "undetermined",
                "class": notation(self.rs, row.get("class")) if row.get("class") else None,
                "evidence_tier": notation(self.rs, row.get("tier")) if row.get("tier") else None,
                "saved_at": str(row["saved"]) if row.get("saved") else None,
                "ruleset_version": str(row["version"]),
            })
        return rows

    def _term(self, value: str, what: str) -> URIRef:
        """The individual with this skos:notation, of the kind the filter is about."""
        iri = filter_term(self.rs, what, value)
        if iri is not None:
            return iri
        raise ValueError(f"unknown {what}: {value!r}; one of {', '.join(sorted(filter_terms(self.rs, what)))}")

    # -- export and import ----------------------------------------------------------------------
    def export(self, fmt: str = "trig") -> bytes:
        return self.store.dump(fmt)

    def import_dump(self, data: bytes | str, fmt: str = "trig", actor: str | None = None) -> list[str]:
        """Import products from a TriG/N-Quads dump: each is validated and assessed with the
        current ruleset, and all are written in one update (all or nothing). Ruleset graphs in the
        dump are kept as they are. Returns the product ids imported."""
        ds = Dataset()
        try:
            ds.parse(data=data if isinstance(data, str) else data.decode("utf-8"), format=fmt)
        except Exception as exc:
            raise describe.InvalidInput([describe.Problem(
                "(document)", {"sv": f"Dumpen kan inte läsas som {fmt}: {exc}",
                               "en": f"The dump cannot be read as {fmt}: {exc}"})]) from None
        graphs, ids, problems = {}, [], []
        for ctx in ds.graphs():
            name = str(ctx.identifier)
            if name.startswith(str(DATA["graph/product/"])):
                pid = name.rsplit("/", 1)[-1]
                node = DATA[f"product/{pid}"]
                g = Graph()
                g += ctx
                for p in CATALOGUE_METADATA:
                    g.remove((None, p, None))
                try:
                    g = describe.validated(g, node, self.rs)
                except describe.InvalidInput as exc:
                    problems += [describe.Problem(f"{pid}.{p.field}", p.message, p.value) for p in exc.problems]
                    continue
                graphs.update(self._graphs_for(assess_graph(g, node, self.rs)))
                ids.append(pid)
            elif name.startswith(str(DATA["ruleset/"])):   # (another store's audit trail is not imported)
                g = Graph()
                g += ctx
                graphs[URIRef(name)] = g
        if problems:
            raise describe.InvalidInput(problems)
        if graphs:
            from .audit import AUDIT_GRAPH, event

            self.store.write(replace=graphs, add={AUDIT_GRAPH: event(actor, "catalogue.import", CATALOGUE,
                                                                     note=f"{len(ids)} products")})
        return sorted(ids)


def product_id(node) -> str:
    text = str(node)
    if not text.startswith(PRODUCT_PREFIX):
        raise StoreError(f"not a catalogue product IRI: {text}")
    return text[len(PRODUCT_PREFIX):]
