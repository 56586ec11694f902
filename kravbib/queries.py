"""Named SPARQL queries for integrators (queries/*.rq).

Each file starts with a header of comment lines:

    #+ summary: one line
    #+ description: what it answers
    #+ param: NAME TYPE required|optional  description       (TYPE: iri, string, integer, date)
    #+ page: N                                                 (a paged query; see below)
    #+ tags: a, b

A parameter appears in the query as the variable ?_NAME. A given value is substituted as an RDF
term written by rdflib (IRIs checked, literals escaped), so a parameter can never inject SPARQL; an
omitted optional parameter stays an unbound variable, which the query treats as "any".

A paged query (`#+ page: N`) answers N catalogue products at a time in catalogue order: it selects
?number (the catalogue number) and takes an integer parameter `after`; the next page is asked with
after = the last ?number of a page that had N products. (Catalogue-wide lists are paged because a
list of 10,000 products cannot be answered in 100 ms; see catalogue_index.py.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from .paths import default_ruleset_dir

TYPES = {"iri", "string", "integer", "date"}
IRI_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
INTEGER_PATTERN = re.compile(r"^[+-]?[0-9]{1,12}$")
DATE_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_STRING = 1000


class QueryError(ValueError):
    """A named query or its parameters are not usable; the message says which and why."""


@dataclass
class Param:
    name: str
    type: str
    required: bool
    description: str


@dataclass
class NamedQuery:
    name: str
    path: Path
    summary: str
    description: str
    params: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    text: str = ""
    page: int | None = None                     # products per page, for a paged query

    def to_json(self) -> dict:
        return {"name": self.name, "summary": self.summary, "description": self.description, "tags": self.tags,
                "params": [{"name": p.name, "type": p.type, "required": p.required, "description": p.description}
                           for p in self.params], "page": self.page}

    def next_after(self, rows) -> int | None:
        """The `after` value of the next page, given the rows of this one (None: the last page)."""
        distinct = {int(row["number"]) for row in rows if row.get("number") is not None}
        return max(distinct) if self.page and len(distinct) >= self.page else None

    def bind(self, values: dict) -> str:
        """The query text with the given parameter values substituted."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise QueryError(f"query {self.name}: unknown parameter(s) {', '.join(unknown)}; "
                             f"it takes {', '.join(known) or 'none'}")
        text = self.text
        for p in self.params:
            raw = values.get(p.name)
            if raw is None or raw == "":
                if p.required:
                    raise QueryError(f"query {self.name}: parameter {p.name} ({p.type}) is required")
                continue
            term = to_term(p, str(raw))
            text = re.sub(r"[?$]_" + re.escape(p.name) + r"(?![A-Za-z0-9_])", lambda _: term, text)
        return text


def _valid_iri(raw: str) -> bool:
    """An absolute IRI by RFC 3987, as the store parses it (the pattern alone lets through, e.g.,
    control characters, bad %-escapes and ports that are not numbers, which the store refuses)."""
    import pyoxigraph

    try:
        pyoxigraph.NamedNode(raw)
    except ValueError:
        return False
    return True


def to_term(p: Param, raw: str) -> str:
    if p.type == "iri":
        if not IRI_PATTERN.fullmatch(raw) or not _valid_iri(raw):
            raise QueryError(f"parameter {p.name}: not an IRI: {raw!r}")
        return URIRef(raw).n3()
    if p.type == "integer":
        if not INTEGER_PATTERN.fullmatch(raw):
            raise QueryError(f"parameter {p.name}: not an integer: {raw!r}")
        return Literal(int(raw)).n3()
    if p.type == "date":
        if not DATE_PATTERN.fullmatch(raw):
            raise QueryError(f"parameter {p.name}: not a date (YYYY-MM-DD): {raw!r}")
        return Literal(raw, datatype=XSD.date).n3()
    if len(raw) > MAX_STRING:
        raise QueryError(f"parameter {p.name}: longer than {MAX_STRING} characters")
    return Literal(raw).n3()


def parse_header(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    q = NamedQuery(name=path.stem, path=path, summary="", description="", text=text)
    for line in text.splitlines():
        if not line.startswith("#+"):
            continue
        key, _, value = line[2:].partition(":")
        key, value = key.strip(), value.strip()
        if key == "summary":
            q.summary = value
        elif key == "description":
            q.description = value
        elif key == "page":
            if not value.isdigit() or int(value) < 1:
                raise QueryError(f"{path.name}: bad '#+ page:' line (a number of products): {value!r}")
            q.page = int(value)
        elif key == "tags":
            q.tags = [t.strip() for t in value.split(",") if t.strip()]
        elif key == "param":
            parts = value.split(None, 3)
            if len(parts) < 3 or parts[1] not in TYPES or parts[2] not in ("required", "optional"):
                raise QueryError(f"{path.name}: bad '#+ param:' line (NAME TYPE required|optional description): {value!r}")
            q.params.append(Param(parts[0], parts[1], parts[2] == "required", parts[3] if len(parts) > 3 else ""))
    if not q.summary:
        raise QueryError(f"{path.name}: the header needs '#+ summary:'")
    if q.page and not any(p.name == "after" and p.type == "integer" and not p.required for p in q.params):
        raise QueryError(f"{path.name}: a paged query needs '#+ param: after integer optional …'")
    return q


def load_queries(directory: Path | None = None) -> dict[str, NamedQuery]:
    folder = directory or default_ruleset_dir() / "queries"
    return {p.stem: parse_header(p) for p in sorted(folder.glob("*.rq"))}
