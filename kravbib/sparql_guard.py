"""What the public SPARQL endpoint accepts: read-only queries over kravbib's own graphs.

A query is parsed with rdflib before it reaches any store, because the stores themselves cannot be
trusted to refuse: Oxigraph (embedded and server) always executes SERVICE, and nothing stops an
update sent to a query endpoint of a store that accepts both. Refused: updates (including LOAD,
CLEAR, DROP), SERVICE, FROM / FROM NAMED / protocol dataset IRIs outside kravbib's namespace, and
queries longer than MAX_QUERY_LENGTH.

Every parse holds kravbib.locks.PARSER_LOCK (rdflib's SPARQL parser is not thread-safe).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from .locks import PARSER_LOCK

MAX_QUERY_LENGTH = 20_000
OWN_GRAPHS = "https://w3id.org/kravbib/"


class Refused(ValueError):
    """The query is not accepted; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class CheckedQuery:
    text: str
    kind: str            # "select", "ask", "graph"


KINDS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "graph", "DescribeQuery": "graph"}


def _names(node):
    if isinstance(node, CompValue):
        yield node.name
        for value in node.values():
            yield from _names(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _names(value)


def check(query: str, default_graphs: list[str] = (), named_graphs: list[str] = ()) -> CheckedQuery:
    if not query or not query.strip():
        raise Refused("the query is empty")
    if len(query) > MAX_QUERY_LENGTH:
        raise Refused(f"the query is longer than {MAX_QUERY_LENGTH} characters")
    with PARSER_LOCK:
        try:
            parsed = parseQuery(query)
        except Exception as exc:  # pyparsing raises its own exception types
            try:
                parseUpdate(query)
            except Exception:
                raise Refused(f"not a valid SPARQL 1.1 query: {exc}") from None
            raise Refused("this endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP …) "
                          "are not accepted", status=403) from None
        kind = KINDS.get(parsed[1].name)
        if kind is None:
            raise Refused("not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
        try:
            algebra = translateQuery(parsed).algebra
        except Exception as exc:
            raise Refused(f"the query cannot be evaluated: {exc}") from None
    if "ServiceGraphPattern" in set(_names(algebra)):
        raise Refused("SERVICE (federated queries) is not allowed on this endpoint")
    clauses = parsed[1]["datasetClause"] if "datasetClause" in parsed[1] else []
    dataset = [str(v) for clause in clauses for v in clause.values()]
    for iri in list(dataset) + list(default_graphs) + list(named_graphs):
        if not iri.startswith(OWN_GRAPHS):
            raise Refused(f"FROM / FROM NAMED / graph IRIs must name kravbib's own graphs ({OWN_GRAPHS}…): {iri}")
    return CheckedQuery(query, kind)
