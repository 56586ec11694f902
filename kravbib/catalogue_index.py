"""The catalogue index: bookkeeping that makes catalogue-wide named queries fast at 10,000 products.

- Each product's catalogue number (kb:catalogueNumber), given when it is first saved and never
  reused, is kept in its assessment graph (carried over when the graph is rewritten). Catalogue-wide
  lists are ordered and paged by it: Oxigraph sorts numbers quickly but strings of more than 15 bytes
  (most product identifiers) by reading each back per comparison, and a query can join results to
  their product's number by graph, in one pass, rather than by a lookup per result.
- Graph <https://w3id.org/kravbib/data/graph/catalogue-index> holds the last number given, and per
  requirement or question and status how many of the latest assessments give that status (a
  kb:ResultCount): counting them from the results themselves means visiting every result of the
  catalogue (about 380,000 requirement results at 10,000 products).

Nothing else writes it: `Store.write` adds the operations of `maintain` to every update that
replaces or removes assessment graphs, so the index changes in the same transaction as the data it
is derived from, on either backend. `rebuild` makes it from scratch (a store written before the
index existed, or by another index version); `differences` compares it with a recount.
"""

from __future__ import annotations

import re
import sys
import time

from .namespaces import DATA, KB

INDEX_GRAPH = DATA["graph/catalogue-index"]
CARRY_GRAPH = DATA["graph/catalogue-index/carry"]     # exists only within an update
VERSION = 1
CATALOGUE = DATA["catalogue"]
ASSESSMENT_GRAPHS = str(DATA["graph/assessment/"])
COUNT_PREFIX = str(DATA["count/"])

PREFIXES = f"PREFIX kb: <{KB}>\n"     # for queries; update operations spell IRIs out (Oxigraph
                                      # reads no PREFIX after the first operation of an update)


def _spelt_out(operation: str) -> str:
    return re.sub(r"\bkb:([A-Za-z]+)", lambda m: f"<{KB[m.group(1)]}>", operation)


# the results of the assessment graphs ?g, grouped into counters ?c (one per item and status)
_RESULTS = f"""
      GRAPH ?g {{ ?assessment kb:requirementResult|kb:questionResult ?result .
                 ?result kb:requirement|kb:question ?item ;
                     kb:status ?status }}
      BIND (IRI(CONCAT("{COUNT_PREFIX}", MD5(STR(?item)), "/", ENCODE_FOR_URI(STR(?status)))) AS ?c)"""


# a counter node as written (with ?m, the new count)
_COUNTER = "?c a kb:ResultCount ; kb:countedItem ?item ; kb:countedStatus ?status ; kb:resultCount ?m"


def _values(iris) -> str:
    return "VALUES ?g { " + " ".join(f"<{i}>" for i in iris) + " }"


def _subtract(assessment_graphs) -> str:
    """Take the results of these assessment graphs (as they are before the update) off the counts."""
    return _spelt_out(f"""DELETE {{ GRAPH <{INDEX_GRAPH}> {{ ?c kb:resultCount ?n }} }}
INSERT {{ GRAPH <{INDEX_GRAPH}> {{ ?c kb:resultCount ?m }} }}
WHERE {{
  {{ SELECT ?c (COUNT(?result) AS ?d) WHERE {{ {_values(assessment_graphs)}{_RESULTS} }} GROUP BY ?c }}
  GRAPH <{INDEX_GRAPH}> {{ ?c kb:resultCount ?n }}
  BIND (?n - ?d AS ?m)
}}""")


def _add(assessment_graphs) -> str:
    """Add the results of these assessment graphs (as written by the update) to the counts."""
    return _spelt_out(f"""DELETE {{ GRAPH <{INDEX_GRAPH}> {{ ?c kb:resultCount ?n }} }}
INSERT {{ GRAPH <{INDEX_GRAPH}> {{ {_COUNTER} }} }}
WHERE {{
  {{ SELECT ?c ?item ?status (COUNT(?result) AS ?d) WHERE {{ {_values(assessment_graphs)}{_RESULTS} }}
    GROUP BY ?c ?item ?status }}
  OPTIONAL {{ GRAPH <{INDEX_GRAPH}> {{ ?c kb:resultCount ?n }} }}
  BIND (COALESCE(?n, 0) + ?d AS ?m)
}}""")


def _carry(assessment_graphs) -> str:
    """Keep the catalogue numbers of these assessment graphs aside while they are rewritten."""
    return _spelt_out(f"""INSERT {{ GRAPH <{CARRY_GRAPH}> {{ ?p kb:catalogueNumber ?n }} }}
WHERE {{ {_values(assessment_graphs)} GRAPH ?g {{ ?p kb:catalogueNumber ?n }} }}""")


def _restore(assessment_graphs) -> str:
    pairs = " ".join(f"(<{g}> <{_product(g)}>)" for g in assessment_graphs)
    return _spelt_out(f"""INSERT {{ GRAPH ?g {{ ?p kb:catalogueNumber ?n }} }}
WHERE {{ VALUES (?g ?p) {{ {pairs} }} GRAPH <{CARRY_GRAPH}> {{ ?p kb:catalogueNumber ?n }} }}""")


def _number(assessment_graph) -> str:
    """Give the product of a (new) assessment graph the next catalogue number, unless it has one."""
    g, product = assessment_graph, _product(assessment_graph)
    return _spelt_out(f"""DELETE {{ GRAPH <{INDEX_GRAPH}> {{ <{CATALOGUE}> kb:lastCatalogueNumber ?last }} }}
INSERT {{ GRAPH <{INDEX_GRAPH}> {{ <{CATALOGUE}> kb:lastCatalogueNumber ?next }}
         GRAPH <{g}> {{ <{product}> kb:catalogueNumber ?next }} }}
WHERE {{
  FILTER NOT EXISTS {{ GRAPH <{g}> {{ <{product}> kb:catalogueNumber ?given }} }}
  OPTIONAL {{ GRAPH <{INDEX_GRAPH}> {{ <{CATALOGUE}> kb:lastCatalogueNumber ?last }} }}
  BIND (COALESCE(?last, 0) + 1 AS ?next)
}}""")


def _product(assessment_graph: str) -> str:
    return str(DATA["product/" + str(assessment_graph)[len(ASSESSMENT_GRAPHS):]])


def maintain(replace, remove) -> tuple[list[str], list[str]]:
    """The update operations to run before and after an update that replaces the graphs `replace`
    and drops the graphs `remove`, so that the index stays true to them."""
    changed = [str(g) for g in list(replace) + list(remove) if str(g).startswith(ASSESSMENT_GRAPHS)]
    written = [str(g) for g in replace if str(g).startswith(ASSESSMENT_GRAPHS)]
    if not changed:
        return [], []
    before = [_subtract(changed)]
    after = []
    if written:
        before.append(_carry(written))
        after = [_add(written), _restore(written)] + [_number(g) for g in written]
        after.append(f"DROP SILENT GRAPH <{CARRY_GRAPH}>")
    return before, after


# --- building and checking ----------------------------------------------------------------------
# every counter as it should be, counted from every assessment graph
_RECOUNT = f"""SELECT ?c ?item ?status (COUNT(?result) AS ?m) WHERE {{{_RESULTS}
  FILTER (STRSTARTS(STR(?g), "{ASSESSMENT_GRAPHS}"))
}} GROUP BY ?c ?item ?status"""


def is_current(store) -> bool:
    return bool(store.run(PREFIXES + f"ASK {{ GRAPH <{INDEX_GRAPH}> {{ <{INDEX_GRAPH}> kb:indexVersion {VERSION} }} }}").boolean)


def rebuild(store) -> None:
    """Make the index from scratch in one update: counts from every assessment graph, and numbers
    for the products that have none, in the order of their identifiers."""
    rows = store.run(PREFIXES + f"""SELECT ?g ?n WHERE {{
  GRAPH ?g {{ ?a a kb:Assessment }} FILTER (STRSTARTS(STR(?g), "{ASSESSMENT_GRAPHS}"))
  OPTIONAL {{ GRAPH ?g {{ ?p kb:catalogueNumber ?n }} }} }}""").rows
    given = {str(r["g"]): int(r["n"]) for r in rows if r.get("n") is not None}
    last = max(given.values(), default=0)
    new = []
    for g in sorted({str(r["g"]) for r in rows} - set(given)):
        last += 1
        new.append(f"GRAPH <{g}> {{ <{_product(g)}> kb:catalogueNumber {last} }}")
    store.update(_spelt_out(f"""DROP SILENT GRAPH <{INDEX_GRAPH}> ;
INSERT {{ GRAPH <{INDEX_GRAPH}> {{ {_COUNTER} }} }}
WHERE {{ {{ {_RECOUNT} }} }} ;
INSERT DATA {{
GRAPH <{INDEX_GRAPH}> {{ <{CATALOGUE}> kb:lastCatalogueNumber {last} . <{INDEX_GRAPH}> kb:indexVersion {VERSION} }}
{chr(10).join(new)}
}}"""))


def ensure(store) -> bool:
    """Rebuild the index if it is missing or of another version; True if it was rebuilt."""
    if is_current(store):
        return False
    started = time.monotonic()
    products = store.run(PREFIXES + "ASK { ?assessment a kb:Assessment }").boolean     # else: a new store
    if products:
        print("kravbib: building the catalogue index (once; about 2 s per 1,000 products) …", file=sys.stderr, flush=True)
    rebuild(store)
    if products:
        print(f"kravbib: catalogue index built in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    return True


def differences(store) -> list[str]:
    """Where the index disagrees with the data (empty when it is true): counts against a recount,
    and assessed products without a number or with a number given twice or never given."""
    problems = []
    stored = {str(r["c"]): int(r["n"]) for r in store.run(PREFIXES + f"""SELECT ?c ?n WHERE {{
        GRAPH <{INDEX_GRAPH}> {{ ?c kb:resultCount ?n }} }}""").rows}
    counted = {str(r["c"]): int(r["m"]) for r in store.run(PREFIXES + _RECOUNT).rows}
    for c in sorted(set(stored) | set(counted)):
        if stored.get(c, 0) != counted.get(c, 0):
            problems.append(f"{c}: index {stored.get(c, 0)}, recount {counted.get(c, 0)}")
    rows = store.run(PREFIXES + f"""SELECT ?g ?p ?n WHERE {{
        GRAPH ?g {{ ?a a kb:Assessment ; kb:about ?p }} FILTER (STRSTARTS(STR(?g), "{ASSESSMENT_GRAPHS}"))
        OPTIONAL {{ GRAPH ?g {{ ?p kb:catalogueNumber ?n }} }} }}""").rows
    last = store.run(PREFIXES + f"""SELECT ?n WHERE {{ GRAPH <{INDEX_GRAPH}> {{ <{CATALOGUE}> kb:lastCatalogueNumber ?n }} }}""").rows
    last = int(last[0]["n"]) if last else 0
    seen = {}
    for r in rows:
        n = int(r["n"]) if r.get("n") is not None else None
        if n is None:
            problems.append(f"{r['p']}: no catalogue number")
        elif n in seen and seen[n] != str(r["p"]):
            problems.append(f"{r['p']}: catalogue number {n} also given to {seen[n]}")
        elif n > last:
            problems.append(f"{r['p']}: catalogue number {n} is above the last one given ({last})")
        else:
            seen[n] = str(r["p"])
    return problems
