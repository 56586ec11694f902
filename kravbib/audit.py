"""The audit trail: every rule publication, catalogue write and account change, as PROV-O in the
store's graph <https://w3id.org/kravbib/data/graph/audit> (who, what, when, previous version).
The public SPARQL endpoint does not read this graph (see Store.run(public=True)); regulators read it
in the web app."""

from __future__ import annotations

import datetime as dt
import uuid

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from .namespaces import DATA, KB, PROV, RDF

AUDIT_GRAPH = DATA["graph/audit"]
PRIVATE_GRAPHS = (str(AUDIT_GRAPH),)
# every predicate and class an audit event uses (see event()): a query none of whose patterns can
# match one of them cannot read the audit graph (kravbib.sparql_guard.check: public_only)
PRIVATE_PREDICATES = frozenset({PROV.wasAssociatedWith, KB.action, KB.target, KB.previousVersion, KB.note,
                                KB.recordedAt})
PRIVATE_TYPES = frozenset({PROV.Activity, KB.AuditEvent})


def agent(name: str | None) -> URIRef:
    return DATA[f"agent/{name or 'cli'}"]


def event(actor: str | None, action: str, target, previous=None, note: str | None = None) -> Graph:
    """One audit event as a small graph, to be written in the same update as the change itself."""
    g = Graph()
    node = DATA[f"audit/{uuid.uuid4()}"]
    g.add((node, RDF.type, PROV.Activity))
    g.add((node, RDF.type, KB.AuditEvent))
    g.add((node, PROV.wasAssociatedWith, agent(actor)))
    g.add((node, KB.action, Literal(action)))
    g.add((node, KB.target, target if isinstance(target, URIRef) else Literal(str(target))))
    if previous is not None:
        g.add((node, KB.previousVersion, previous if isinstance(previous, URIRef) else Literal(str(previous))))
    if note:
        g.add((node, KB.note, Literal(note)))
    g.add((node, KB.recordedAt, Literal(dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds"),
                                           datatype=XSD.dateTime)))
    return g


def record(store, g: Graph) -> None:
    store.write(add={AUDIT_GRAPH: g})


def events(store, limit: int = 500) -> list[dict]:
    rows = store.run(f"""SELECT ?e ?who ?action ?target ?previous ?when ?note WHERE {{ GRAPH <{AUDIT_GRAPH}> {{
        ?e a <{KB.AuditEvent}> ; <{PROV.wasAssociatedWith}> ?who ; <{KB.action}> ?action ; <{KB.target}> ?target ;
           <{KB.recordedAt}> ?when .
        OPTIONAL {{ ?e <{KB.previousVersion}> ?previous }} OPTIONAL {{ ?e <{KB.note}> ?note }} }} }}
        ORDER BY DESC(?when) LIMIT {int(limit)}""").rows
    return [{"who": str(r["who"]).rsplit("/", 1)[-1], "action": str(r["action"]), "target": str(r["target"]),
             "previous": str(r["previous"]) if r.get("previous") else None, "when": str(r["when"]),
             "note": str(r["note"]) if r.get("note") else None} for r in rows]
