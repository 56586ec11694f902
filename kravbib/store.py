"""The catalogue store: one interface, two backends.

- EmbeddedStore: an on-disk Oxigraph store (pyoxigraph) in a data folder. One process may have it
  open for writing; the web app and the CLI share it as one process with threads. (The web app's
  public SPARQL queries run in worker processes on snapshots of it: see query_workers.py.)
- RemoteStore: any SPARQL 1.1 server, spoken to through SPARQLWrapper (query and update endpoints).

Both are written to only through SPARQL Update requests, each applied atomically (Oxigraph applies
an update in one transaction; SPARQL servers apply one request as a unit), so a failed or
interrupted write leaves the previous state intact. Queries see the default graph as the union
of all named graphs.

Results come back in one shape whatever the backend: a `Result` with `kind` "select", "ask" or
"graph", `vars` and `rows` (lists of rdflib terms) or `boolean` or `graph`. A remote answer that
cannot be read in full (Oxigraph's server answers a cancelled query with HTTP 200 and a cut-off
body) raises StoreError, never a partial result.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from .reason import from_ox

DEFAULT_TIMEOUT = 30.0
FLUSH_EVERY = 100          # updates between flushes of the embedded store's in-memory table


class StoreError(Exception):
    """The store could not answer: unreachable, refused, or an answer that could not be read."""


class QueryTimeout(StoreError):
    """The query did not finish within its time limit."""


class Busy(StoreError):
    """Every query worker is taken; try again shortly."""


@dataclass
class Result:
    kind: str                                   # "select", "ask" or "graph"
    vars: list = field(default_factory=list)
    rows: list = field(default_factory=list)    # list of dicts var -> rdflib term (unbound: absent)
    boolean: bool | None = None
    graph: Graph | None = None
    truncated: bool = False                     # more rows existed than the limit allowed

    def to_json(self) -> dict:
        """W3C SPARQL 1.1 Query Results JSON (for SELECT and ASK)."""
        if self.kind == "ask":
            return {"head": {}, "boolean": bool(self.boolean)}
        return {"head": {"vars": self.vars},
                "results": {"bindings": [{v: term_json(t) for v, t in row.items()} for row in self.rows]}}


def term_json(t) -> dict:
    if isinstance(t, URIRef):
        return {"type": "uri", "value": str(t)}
    if isinstance(t, BNode):
        return {"type": "bnode", "value": str(t)}
    out = {"type": "literal", "value": str(t)}
    if t.language:
        out["xml:lang"] = t.language
    elif t.datatype is not None:
        out["datatype"] = str(t.datatype)
    return out


def term_from_json(b: dict):
    kind = b.get("type")
    if kind == "uri":
        return URIRef(b["value"])
    if kind == "bnode":
        return BNode(b["value"])
    if kind in ("literal", "typed-literal"):
        return Literal(b["value"], lang=b.get("xml:lang"), datatype=URIRef(b["datatype"]) if b.get("datatype") else None)
    raise StoreError(f"unreadable term in a query result: {b!r}")


def query_kind(query: str) -> str:
    """"select", "ask" or "graph" (CONSTRUCT/DESCRIBE); raises ValueError if it is no query."""
    from rdflib.plugins.sparql.parser import parseQuery

    from .locks import PARSER_LOCK

    try:
        with PARSER_LOCK:
            parsed = parseQuery(query)
    except Exception as exc:  # pyparsing's own exception types
        raise ValueError(f"not a valid SPARQL query: {exc}") from None
    name = parsed[1].name
    return {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "graph", "DescribeQuery": "graph"}[name]


def graph_to_ntriples(g: Graph) -> str:
    return g.serialize(format="nt")


def write_update(replace: dict | None = None, remove: list = (), add: dict | None = None) -> str:
    """One SPARQL Update (atomic as one request) that rewrites the `replace` graphs, drops the
    `remove` graphs and adds triples to the `add` graphs, and keeps the catalogue index true to them."""
    from . import catalogue_index

    replace, add = replace or {}, add or {}
    before, after = catalogue_index.maintain(replace, remove)     # the index changes with the data
    ops = before + [f"DROP SILENT GRAPH <{iri}>" for iri in list(replace) + list(remove)]
    for iri, g in list(replace.items()) + list(add.items()):
        if len(g):
            ops.append(f"INSERT DATA {{ GRAPH <{iri}> {{\n{graph_to_ntriples(g)}}} }}")
    return " ;\n".join(ops + after)


def replace_graphs_update(graphs: dict, remove: list = ()) -> str:
    return write_update(graphs, remove)


class Store:
    """What every backend provides."""

    def run(self, query: str, *, limit: int | None = None, timeout: float | None = None,
            public: bool = False) -> Result:
        raise NotImplementedError

    def update(self, update: str) -> None:
        raise NotImplementedError

    def dump(self, fmt: str = "trig") -> bytes:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    # -- built on run/update --------------------------------------------------------------------
    def replace_graphs(self, graphs: dict, remove: list = ()) -> None:
        self.update(write_update(graphs, remove))

    def write(self, replace: dict | None = None, remove: list = (), add: dict | None = None) -> None:
        """Replace, drop and add to named graphs in one atomic update."""
        update = write_update(replace, remove, add)
        if update:
            self.update(update)

    def graph(self, iri) -> Graph:
        result = self.run(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
        return result.graph

    def has_graph(self, iri) -> bool:
        return bool(self.run(f"ASK {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}").boolean)

    def close(self) -> None:
        pass


class EmbeddedStore(Store):
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(f"cannot open the store in {self.path}: {exc} "
                             "(is another kravbib process using it? An on-disk store admits one process)") from None
        self._lock = threading.Lock()       # serialise writers within this process
        self.generation = 0                 # counts writes: a snapshot of an older generation is stale

    def describe(self) -> str:
        return f"embedded Oxigraph store in {self.path}"

    def run(self, query: str, *, limit: int | None = None, timeout: float | None = None,
            public: bool = False) -> Result:
        # pyoxigraph's result objects must be dropped on the thread that made them, and nothing
        # here may touch rdflib's SPARQL parser (its packrat cache keeps frames, and so results, alive)
        deadline = time.monotonic() + timeout if timeout else None
        options = {"use_default_graph_as_union": True}
        if public:               # the public endpoint sees every graph but the private ones (audit)
            from .audit import PRIVATE_GRAPHS

            graphs = [g for g in self._store.named_graphs() if g.value not in PRIVATE_GRAPHS]
            options = {"default_graph": graphs, "named_graphs": graphs}
        try:
            answer = self._store.query(query, **options)
        except SyntaxError as exc:
            raise ValueError(str(exc)) from None
        except OSError as exc:
            raise StoreError(str(exc)) from None
        message = None
        try:
            return _collect(answer, limit, deadline, timeout)
        except QueryTimeout as exc:
            message = str(exc)          # re-raised below, once the traceback (and answer) are gone
        finally:
            del answer
        raise QueryTimeout(message)

    def update(self, update: str) -> None:
        with self._lock:
            try:
                self._store.update(update)
            except (SyntaxError, OSError) as exc:
                raise StoreError(f"the store refused the update: {exc}") from None
            finally:
                self.generation += 1
            # Every save rewrites the catalogue index's counts (catalogue_index.py): the old values stay
            # in RocksDB's in-memory table as deletion markers that every later read of the counts
            # steps over, so saves grew slower and slower (30 -> 60 ms in 500 saves, 150 ms after
            # 7,500). Writing the table out now and then keeps them flat.
            if self.generation % FLUSH_EVERY == 0:
                self._store.flush()

    def dump(self, fmt: str = "trig") -> bytes:
        rdf_format = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}[fmt]
        return self._store.dump(format=rdf_format) or b""

    def backup(self, target: Path | str) -> None:
        self._store.flush()
        self._store.backup(str(target))

    def close(self) -> None:
        """Flush and let go of the store, so that another process may open it."""
        if self._store is not None:
            import gc

            self._store.flush()
            self._store = None
            gc.collect()        # results still in reference cycles hold the database open


def _collect(answer, limit, deadline, timeout) -> Result:
    if isinstance(answer, ox.QueryBoolean):
        return Result("ask", boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        g = Graph()
        for i, t in enumerate(answer):
            if limit is not None and i >= limit:
                return Result("graph", graph=g, truncated=True)
            if deadline and time.monotonic() > deadline:
                raise QueryTimeout(f"the query ran longer than {timeout:g} s")
            g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        return Result("graph", graph=g)
    variables = [v.value for v in answer.variables]
    rows = []
    for i, solution in enumerate(answer):
        if limit is not None and i >= limit:
            return Result("select", vars=variables, rows=rows, truncated=True)
        if deadline and time.monotonic() > deadline:
            raise QueryTimeout(f"the query ran longer than {timeout:g} s")
        row = {}
        for v in variables:
            term = solution[v]
            if term is not None:
                row[v] = from_ox(term)
        rows.append(row)
    return Result("select", vars=variables, rows=rows)


class RemoteStore(Store):
    def __init__(self, endpoint: str, update_endpoint: str | None = None, timeout: float = DEFAULT_TIMEOUT):
        from SPARQLWrapper import SPARQLWrapper

        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.timeout = timeout
        self._wrapper = SPARQLWrapper  # a fresh wrapper per request: SPARQLWrapper objects are not thread-safe

    def describe(self) -> str:
        return f"SPARQL endpoint {self.endpoint} (updates: {self.update_endpoint})"

    def _client(self, timeout: float | None):
        from SPARQLWrapper import POST

        sw = self._wrapper(self.endpoint, updateEndpoint=self.update_endpoint)
        sw.setMethod(POST)
        sw.setTimeout(int(max(1, round(timeout or self.timeout))))
        return sw

    def _fetch(self, query: str, accept: str, timeout: float | None, kind: str) -> bytes:
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException
        from urllib.error import URLError

        sw = self._client(timeout)
        sw.setQuery(query)
        # SPARQLWrapper guesses the query type from the text and can be misled by words in
        # comments ("…adds…" reads as ADD, an update); we know the type, so say it
        sw.queryType = {"select": "SELECT", "ask": "ASK", "graph": "CONSTRUCT"}[kind]
        sw.addCustomHttpHeader("Accept", accept)
        try:
            return sw.query().response.read()
        except SPARQLWrapperException as exc:
            raise StoreError(f"the SPARQL server refused the query: {str(exc).splitlines()[0]}") from None
        except TimeoutError:
            raise QueryTimeout(f"the SPARQL server did not answer within {timeout or self.timeout:g} s") from None
        except (URLError, OSError) as exc:
            if "timed out" in str(exc):
                raise QueryTimeout(f"the SPARQL server did not answer within {timeout or self.timeout:g} s") from None
            raise StoreError(f"cannot reach the SPARQL server at {self.endpoint}: {exc}") from None

    def run(self, query: str, *, limit: int | None = None, timeout: float | None = None,
            public: bool = False) -> Result:
        # public: a remote server's dataset is its own to configure (see docs/sparql-servers.md)
        kind = query_kind(query)
        if kind == "graph":
            body = self._fetch(query, "application/n-triples", timeout, kind)
            g = Graph()
            try:
                g.parse(data=body.decode("utf-8"), format="nt")
            except Exception:
                raise StoreError("the SPARQL server's answer was cut off or unreadable "
                                 "(a cancelled query is answered with a partial body)") from None
            if limit is not None and len(g) > limit:
                kept = Graph()
                for i, t in enumerate(g):
                    if i >= limit:
                        break
                    kept.add(t)
                return Result("graph", graph=kept, truncated=True)
            return Result("graph", graph=g)
        body = self._fetch(query, "application/sparql-results+json", timeout, kind)
        try:
            data = json.loads(body)
        except ValueError:
            raise StoreError("the SPARQL server's answer was cut off or unreadable "
                             "(a cancelled query is answered with a partial body)") from None
        if kind == "ask":
            return Result("ask", boolean=bool(data.get("boolean")))
        variables = data.get("head", {}).get("vars", [])
        bindings = data.get("results", {}).get("bindings", [])
        truncated = limit is not None and len(bindings) > limit
        rows = [{v: term_from_json(b) for v, b in row.items()} for row in bindings[:limit]]
        return Result("select", vars=variables, rows=rows, truncated=truncated)

    def update(self, update: str) -> None:
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException
        from urllib.error import URLError

        sw = self._client(None)
        sw.setQuery(update)
        try:
            sw.query()
        except SPARQLWrapperException as exc:
            raise StoreError(f"the SPARQL server refused the update: {str(exc).splitlines()[0]}") from None
        except (URLError, OSError) as exc:
            raise StoreError(f"cannot reach the SPARQL server at {self.update_endpoint}: {exc}") from None

    def dump(self, fmt: str = "trig") -> bytes:
        result = self.run("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
        from rdflib import Dataset

        ds = Dataset()
        for row in result.rows:
            ds.add((row["s"], row["p"], row["o"], row["g"]))
        return ds.serialize(format={"trig": "trig", "nquads": "nquads"}[fmt]).encode("utf-8")


def open_store(data: str | Path | None = None, endpoint: str | None = None,
               update_endpoint: str | None = None) -> Store:
    if endpoint:
        return RemoteStore(endpoint, update_endpoint)
    return EmbeddedStore(data or "kravbib-data")
