"""The rule engine: global fixpoint across files and shapes, same answers as pySHACL."""

import json
import shutil
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from kravbib import ruleset
from kravbib.assess import assess_text
from kravbib.cases import load_cases
from kravbib.describe import from_json
from kravbib.reason import infer

ROOT = Path(__file__).resolve().parent.parent
KB = "https://w3id.org/kravbib/ontology#"

CHAIN_RULES = """
@prefix kb: <https://w3id.org/kravbib/ontology#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<urn:x-test:ShapeA> a sh:NodeShape ; sh:targetClass kb:Product ; sh:rule <urn:x-test:RuleA> .
<urn:x-test:RuleA> a sh:SPARQLRule ; dcterms:identifier "TEST-A" ; sh:order 10 ;
    sh:prefixes <https://w3id.org/kravbib/ontology> ;
    sh:construct "CONSTRUCT { $this kb:testStep3 true } WHERE { $this kb:testStep2 true }" .
"""
CHAIN_RULES_B = """
@prefix kb: <https://w3id.org/kravbib/ontology#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<urn:x-test:ShapeB> a sh:NodeShape ; sh:targetClass kb:Product ; sh:rule <urn:x-test:RuleB> .
<urn:x-test:RuleB> a sh:SPARQLRule ; dcterms:identifier "TEST-B" ; sh:order 10 ;
    sh:prefixes <https://w3id.org/kravbib/ontology> ;
    sh:construct "CONSTRUCT { $this kb:testStep2 true } WHERE { $this kb:isSoftware true }" .
"""


def _ruleset_with(tmp_path, extra: dict) -> ruleset.Ruleset:
    for folder in ("ontology", "shapes"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "rules").mkdir()
    for name, text in extra.items():
        (tmp_path / "rules" / name).write_text(text)
    return ruleset.load(tmp_path)


def test_rule_fed_by_a_rule_in_another_file_fires(tmp_path):
    """RuleA (file a.ttl, shape A) needs RuleB's conclusion (file b.ttl, shape B) and is evaluated
    first, so a single pass (or pySHACL's per-shape iterate_rules) would miss it."""
    rs = _ruleset_with(tmp_path, {"a.ttl": CHAIN_RULES, "b.ttl": CHAIN_RULES_B})
    assert [r.id for r in rs.rules] == ["TEST-A", "TEST-B"]       # A is evaluated before B
    g, node = from_json({"name": "x", "intended_purpose": "y"}, rs)
    inferred, derivations = infer(g, rs)
    assert (node, URIRef(KB + "testStep3"), None) in inferred
    assert [rs.rule_info[d.rule].id for d in derivations] == ["TEST-B", "TEST-A"]


def _rules_graph(rs) -> Graph:
    """The rule shapes with their prefix declarations (the rest of the ruleset only slows pySHACL)."""
    g = Graph()
    for path in sorted((rs.directory / "rules").rglob("*.ttl")):
        g.parse(path)
    ontology = URIRef("https://w3id.org/kravbib/ontology")
    for decl in rs.graph.objects(ontology, SH.declare):
        g.add((ontology, SH.declare, decl))
        g += rs.graph.triples((decl, None, None))
    return g


def _pyshacl_fixpoint(g: Graph, rules: Graph) -> Graph:
    """The reference: pySHACL's rule expander, called until the graph stops growing."""
    data = Graph()
    data += g
    while True:
        before = len(data)
        out = pyshacl.shacl_rules(data, shacl_graph=rules, advanced=True, iterate_rules=True)
        data = Graph()
        for s, p, o, _ in out.quads((None, None, None, None)):   # pySHACL returns a Dataset
            data.add((s, p, o))
        if len(data) == before:
            return data


@pytest.fixture
def cached_sparql_parsing(monkeypatch):
    """pySHACL hands rdflib each rule as a string, once per focus node, and rdflib parses it every
    time. Cache the parsed query by its text: the evaluation is unchanged, only much faster."""
    from rdflib.plugins.sparql import processor

    cache = {}
    original = processor.SPARQLProcessor.query

    def query(self, str_or_query, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(str_or_query, str):
            key = (str_or_query, base, tuple(sorted((initNs or {}).items())))
            if key not in cache:
                cache[key] = processor.translateQuery(processor.parseQuery(str_or_query), base, initNs)
            str_or_query = cache[key]
        return original(self, str_or_query, initBindings, initNs, base, DEBUG)

    monkeypatch.setattr(processor.SPARQLProcessor, "query", query)
    return cache


def test_same_answers_as_pyshacl_on_every_case(rs, cached_sparql_parsing):
    """All case products in one graph (rules only look at $this, so products stay independent):
    pySHACL, iterated to its fixpoint, derives exactly what our engine derives for each."""
    ours, batch = Graph(), Graph()
    for path, case in load_cases(ROOT / "tests" / "cases"):
        g, node = from_json(case["product"], rs)
        inferred, _ = infer(g, rs)
        batch += g
        ours += g
        ours += inferred
    reference = _pyshacl_fixpoint(batch, _rules_graph(rs))
    assert set(ours) - set(reference) == set()
    assert set(reference) - set(ours) == set()
    assert cached_sparql_parsing                       # pySHACL really went through rdflib's SPARQL


def test_assessment_never_parses_turtle_or_starts_a_jvm(rs, monkeypatch):
    import subprocess

    import rdflib

    real_parse = rdflib.Graph.parse

    def guarded_parse(self, *args, **kwargs):
        assert kwargs.get("format") == "json-ld", "Turtle parsed during an assessment"
        return real_parse(self, *args, **kwargs)

    def no_process(*args, **kwargs):
        raise AssertionError("a process (JVM) was started during an assessment")

    monkeypatch.setattr(rdflib.Graph, "parse", guarded_parse)
    monkeypatch.setattr(subprocess, "Popen", no_process)
    product = {"name": "x", "intended_purpose": "y", "functions": ["analyse"], "for_individual_patients": True,
               "medical_purposes": ["diagnosis"], "informs_decisions": False, "monitors_physiological_processes": False}
    assert assess_text(json.dumps(product), rs).to_json()["classification"]["class"] == "I"
    assert ruleset.get() is rs                                   # compiled once per process


@pytest.mark.parametrize("where, needed", [
    ("$this ex:a ?x . ?x ex:b ?y", {"a", "b"}),
    ("$this ex:a ?x OPTIONAL { ?x ex:b ?y }", {"a"}),
    ("$this ex:a ?x FILTER NOT EXISTS { ?x ex:b ?y }", {"a"}),
    ("$this ex:a ?x MINUS { ?x ex:b ?y }", {"a"}),
    ("{ $this ex:a ?x } UNION { $this ex:a ?x ; ex:b ?y }", {"a"}),
    ("{ $this ex:a ?x } UNION { $this ex:b ?x }", set()),
    ("$this ex:a/ex:b ?x", set()),                       # a path: not a plain pattern
    ("{ SELECT $this (COUNT(?x) AS ?n) WHERE { $this ex:a ?x } GROUP BY $this }", set()),   # a count is 0 without any
    ("GRAPH ?g { $this ex:a ?x }", set()),
])
def test_a_rule_is_skipped_only_for_predicates_every_solution_needs(where, needed):
    """Rule.needs: the reasoner skips a rule while one of these has no triple, so it must never name a
    predicate the rule can do without (OPTIONAL, NOT EXISTS, MINUS, one UNION branch, paths, aggregates)."""
    from kravbib.ruleset import _predicates_read

    query = f"PREFIX ex: <http://example.org/> CONSTRUCT {{ $this ex:c true }} WHERE {{ {where} }}"
    _, needs = _predicates_read(query, "test")
    assert needs == {f"http://example.org/{p}" for p in needed}
