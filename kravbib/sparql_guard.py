"""What the public SPARQL endpoint accepts: read-only queries over kravbib's own graphs.

A query is parsed with rdflib before it reaches any store, because the stores themselves cannot be
trusted to refuse: Oxigraph (embedded and server) always executes SERVICE, and nothing stops an
update sent to a query endpoint of a store that accepts both. Refused: updates (including LOAD,
CLEAR, DROP), SERVICE, FROM / FROM NAMED / protocol dataset IRIs outside kravbib's namespace, and
queries longer than MAX_QUERY_LENGTH.

Every parse holds kravbib.locks.PARSER_LOCK (rdflib's SPARQL parser is not thread-safe).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from rdflib import RDF, URIRef

from .locks import PARSER_LOCK

MAX_QUERY_LENGTH = 20_000
OWN_GRAPHS = "https://w3id.org/kravbib/"


class Refused(ValueError):
    """The query is not accepted; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CheckedQuery:
    text: str
    kind: str            # "select", "ask", "graph"
    # no pattern of the query can match a triple of the private (audit) graph, so it may run over
    # the union of all graphs (fast) instead of an explicit list of the public ones (slow when the
    # catalogue has thousands of graphs); see may_read_private
    public_only: bool = False


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
    checked = _check_text(query)
    _own_graphs_only(list(default_graphs) + list(named_graphs))
    return checked


def _own_graphs_only(iris: list[str]) -> None:
    for iri in iris:
        if not iri.startswith(OWN_GRAPHS):
            raise Refused(f"FROM / FROM NAMED / graph IRIs must name kravbib's own graphs ({OWN_GRAPHS}…): {iri}")


@functools.lru_cache(maxsize=512)
def _check_text(query: str) -> CheckedQuery:
    """The checks that depend on the text alone, remembered per text: parsing a long query with
    rdflib costs up to a few hundred ms, and integrators ask the same (named) queries again."""
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
    dataset = [str(clause[key]) for clause in clauses for key in ("default", "named") if key in clause]
    _own_graphs_only(dataset)
    return CheckedQuery(query, kind, public_only=not may_read_private(algebra, parsed[1].name, dataset))


def may_read_private(algebra, query_type: str, dataset: list) -> bool:
    """Could the query read a triple of a private graph if it ran over the union of all graphs?
    Conservative: yes for DESCRIBE (it returns whatever is said about a resource), for FROM / FROM
    NAMED (they could name the private graph), for a variable predicate, a negated property path,
    a predicate audit events use, and an rdf:type pattern whose class is a variable or an audit class."""
    from .audit import PRIVATE_PREDICATES, PRIVATE_TYPES
    from .sparql_patterns import predicate_iris, triple_patterns

    if query_type == "DescribeQuery" or dataset:
        return True
    for _, p, o in triple_patterns(algebra):
        iris = predicate_iris(p)
        if iris is None or iris & PRIVATE_PREDICATES:
            return True
        if RDF.type in iris and (iris != {RDF.type} or not isinstance(o, URIRef) or o in PRIVATE_TYPES):
            return True
    return False
