"""`kravbib rules check` passes on the shipped rules and names file and IRI for each problem."""

import shutil
from pathlib import Path

import pytest

from kravbib.check import check_reasoner, check_ruleset

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def shipped_problems():
    return check_ruleset(ROOT, reasoner=False)


def test_shipped_ruleset_passes(shipped_problems):
    assert shipped_problems == []


def test_hermit_finds_the_ontology_consistent():
    """owlready2 + HermiT: consistent, and no class unsatisfiable."""
    assert check_reasoner(ROOT) == []


def _copy(tmp_path):
    for folder in ("ontology", "rules", "shapes"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def test_broken_turtle_is_reported_with_its_file(tmp_path):
    d = _copy(tmp_path)
    (d / "rules" / "eu" / "broken.ttl").write_text("@prefix x: <urn:x#> .\nx:a x:b ")
    problems = check_ruleset(d, reasoner=False)
    assert len(problems) == 1 and "broken.ttl" in problems[0]


def test_rule_without_metadata_is_reported_with_its_iri(tmp_path):
    d = _copy(tmp_path)
    (d / "rules" / "eu" / "bare.ttl").write_text("""
@prefix kb: <https://w3id.org/kravbib/ontology#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:x-test:Shape> a sh:NodeShape ; sh:targetClass kb:Product ; sh:rule <urn:x-test:BareRule> .
<urn:x-test:BareRule> a sh:SPARQLRule ; sh:prefixes <https://w3id.org/kravbib/ontology> ;
    sh:construct "CONSTRUCT { $this kb:x true } WHERE { $this kb:isSoftware true }" .
""")
    problems = check_ruleset(d, reasoner=False)
    bare = [p for p in problems if "urn:x-test:BareRule" in p]
    assert any("identifier" in p for p in bare)
    assert any("source" in p for p in bare)
    assert any("Swedish and English" in p for p in bare)


def test_invalid_shacl_is_reported(tmp_path):
    d = _copy(tmp_path)
    (d / "shapes" / "input" / "bad.ttl").write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:x-test:S> a sh:PropertyShape ; sh:path <urn:x-test:p> ; sh:minCount "one" .
""")
    problems = check_ruleset(d, reasoner=False)
    assert any("bad.ttl" in p and "SHACL-SHACL" in p for p in problems)


def test_failing_rule_test_is_reported(tmp_path):
    d = _copy(tmp_path)
    shutil.copytree(ROOT / "tests" / "cases", d / "tests" / "cases")
    (d / "tests" / "cases" / "wrong.json").write_text("""{"description": "x", "source": {"title": "t"},
      "product": {"name": "x", "intended_purpose": "y", "functions": ["store"]},
      "expected": {"qualification": "medical_device"}}""")
    problems = check_ruleset(d, reasoner=False)
    assert problems == ["wrong.json: qualification: expected 'medical_device', got 'not_medical_device'"]


def test_unsatisfiable_class_is_reported(tmp_path):
    d = _copy(tmp_path)
    (d / "ontology" / "zz-bad.ttl").write_text("""
@prefix kb: <https://w3id.org/kravbib/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
kb:Impossible a owl:Class ; rdfs:subClassOf kb:MedicalDevice , kb:NotMedicalDevice .
""")
    assert check_reasoner(d) == ["HermiT: class https://w3id.org/kravbib/ontology#Impossible is unsatisfiable"]
