"""Invalid product descriptions are refused with every problem listed by field, never a traceback."""

import json

import pytest

from kravbib.assess import assess_text
from kravbib.describe import InvalidInput

VALID = {"name": "Test", "intended_purpose": "Test product", "functions": ["analyse"]}


def problems(text, rs, fmt="json"):
    with pytest.raises(InvalidInput) as exc:
        assess_text(text, rs, fmt)
    return [(p.field, p.value) for p in exc.value.problems], exc.value.problems


def with_(**changes):
    d = dict(VALID)
    d.update(changes)
    return json.dumps({k: v for k, v in d.items() if v is not ...})


def test_valid_description_is_accepted(rs):
    assert assess_text(json.dumps(VALID), rs).to_json()["product"]["name"] == "Test"


def test_missing_name(rs):
    fields, found = problems(with_(name=...), rs)
    assert ("name", None) in fields
    assert all(p.message["sv"] and p.message["en"] for p in found)


def test_missing_intended_purpose(rs):
    fields, _ = problems(with_(intended_purpose=...), rs)
    assert ("intended_purpose", None) in fields


def test_unknown_enum_value(rs):
    fields, found = problems(with_(functions=["analyse", "levitate"]), rs)
    assert fields == [("functions", "levitate")]
    assert "analyse" in found[0].message["en"]          # the message lists the allowed values


def test_enum_value_of_another_field(rs):
    fields, _ = problems(with_(decision_impact="IIa", informs_decisions=True), rs)
    assert ("decision_impact", "IIa") in fields


@pytest.mark.parametrize("field,value", [("is_software", "yes"), ("uses_ai", 1), ("for_individual_patients", "true"),
                                         ("name", 42), ("intended_purpose", ["a", "b"])])
def test_wrong_type(rs, field, value):
    fields, _ = problems(with_(**{field: value}), rs)
    assert field in [f for f, _ in fields]


def test_contradiction_driven_class_without_driving(rs):
    fields, found = problems(with_(driven_device_class="IIb"), rs)
    assert fields and "driven_device_class" in found[0].message["en"]


def test_contradiction_impact_without_decisions(rs):
    fields, found = problems(with_(decision_impact="other", informs_decisions=False), rs)
    assert "decision_impact" in found[0].message["en"]


def test_contradiction_danger_without_monitoring(rs):
    fields, _ = problems(with_(vital_parameters_immediate_danger=True), rs)
    assert ("vital_parameters_immediate_danger", None) in fields


def test_unknown_field(rs):
    fields, found = problems(with_(colour="blue"), rs)
    assert fields == [("colour", None)]
    assert "Unknown field" in found[0].message["en"]


def test_every_problem_is_listed_at_once(rs):
    text = json.dumps({"functions": ["x"], "uses_ai": "no", "colour": 1})
    fields, _ = problems(text, rs)
    assert {f for f, _ in fields} == {"name", "intended_purpose", "functions", "uses_ai", "colour"}


@pytest.mark.parametrize("text", ['{"name": "x"', "[1, 2]", '"just a string"', b"\xff\xfe{}", "", '{"@context": {}}',
                                  '{"name": {"@id": "http://evil.example/"}}'])
def test_malformed_documents(rs, text):
    fields, found = problems(text, rs)
    assert fields
    assert all(p.message["en"] for p in found)


def test_deep_nesting(rs):
    fields, _ = problems('{"name": ' + "[" * 5000 + "]" * 5000 + "}", rs)
    assert fields


def test_bad_identifier(rs):
    fields, _ = problems(with_(id="Not A Slug!"), rs)
    assert ("id", "Not A Slug!") in fields


def test_bad_icd10_code(rs):
    fields, _ = problems(with_(conditions=["E11", "diabetes"]), rs)
    assert fields == [("conditions", "diabetes")]


def test_turtle_input_is_checked_by_the_same_shapes(rs):
    ttl = """@prefix kb: <https://w3id.org/kravbib/ontology#> .
    <https://w3id.org/kravbib/data/product/t> a kb:Product ; kb:intendedPurpose "x" ; kb:isSoftware "maybe" ."""
    fields, _ = problems(ttl, rs, fmt="turtle")
    assert {f for f, _ in fields} == {"name", "is_software"}


def test_turtle_without_a_product(rs):
    fields, found = problems("<http://x> <http://y> <http://z> .", rs, fmt="turtle")
    assert fields == [("(document)", None)]
    assert "kb:Product" in found[0].message["en"]


def test_turtle_syntax_error(rs):
    fields, _ = problems("this is not turtle", rs, fmt="turtle")
    assert fields == [("(document)", None)]


def test_turtle_and_json_give_the_same_assessment(rs):
    product = {"id": "same", "name": "Same", "intended_purpose": "x", "functions": ["interpret"],
               "for_individual_patients": True, "medical_purposes": ["diagnosis"], "informs_decisions": True,
               "decision_impact": "serious_deterioration_or_surgery", "monitors_physiological_processes": False}
    ttl = """@prefix kb: <https://w3id.org/kravbib/ontology#> .
    <https://w3id.org/kravbib/data/product/same> a kb:Product ; kb:identifier "same" ; kb:name "Same" ;
        kb:intendedPurpose "x" ; kb:hasFunction kb:FunctionInterpret ; kb:forIndividualPatients true ;
        kb:hasMedicalPurpose kb:PurposeDiagnosis ; kb:informsDecisions true ;
        kb:decisionImpact kb:ImpactSeriousDeteriorationOrSurgery ; kb:monitorsPhysiologicalProcesses false ."""
    j = assess_text(json.dumps(product), rs).to_json()
    t = assess_text(ttl, rs, "turtle").to_json()
    assert t["classification"]["class"] == j["classification"]["class"] == "IIb"
    for key in ("qualification", "classification", "determinations", "requirements", "missing", "defaults_applied"):
        assert t[key] == j[key]
