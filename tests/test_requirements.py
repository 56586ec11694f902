"""The requirements library engine: applicability, statuses, region profiles, evidence."""

import datetime as dt
import json
import shutil
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef

from kravbib import ruleset
from kravbib.assess import assess_text
from kravbib.describe import InvalidInput, from_json
from kravbib.reason import infer
from kravbib.requirements import evaluate

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = """
@prefix kb: <https://w3id.org/kravbib/ontology#> .
@prefix req: <https://w3id.org/kravbib/rules/test/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
TEST_REQUIREMENTS = PREFIXES + """
req:T-HEALTH a sh:NodeShape , kb:Requirement ; dcterms:identifier "T-HEALTH" ;
    sh:name "Hälsodata"@sv , "Health data"@en ; sh:message "Ingen DPIA."@sv , "No DPIA."@en ;
    kb:phase kb:PhaseDevelopment ; kb:severity kb:SeverityMust ; kb:issuer kb:EUlegislator ;
    kb:appliesWhen [ sh:property [ sh:path kb:processesHealthData ; sh:hasValue true ] ] ;
    kb:satisfiedBy kb:EvidenceDPIA .
req:T-NB a sh:NodeShape , kb:Requirement ; dcterms:identifier "T-NB" ;
    sh:name "Anmält organ"@sv , "Notified body"@en ;
    kb:phase kb:PhaseImplementation ; kb:severity kb:SeverityMust ;
    kb:appliesWhen [ sh:property [ sh:path kb:notifiedBodyRequired ; sh:hasValue true ] ] ;
    kb:satisfiedBy kb:EvidenceCECertificate .
req:T-NOT-MD a sh:NodeShape , kb:Requirement ; dcterms:identifier "T-NOT-MD" ;
    sh:name "Inte MD och uppkopplad"@sv , "Not a device and connected"@en ;
    kb:phase kb:PhaseDevelopment ; kb:severity kb:SeverityMust ;
    kb:appliesWhen [ sh:not [ sh:class kb:MedicalDevice ] ;
                     sh:property [ sh:path kb:connectedProduct ; sh:hasValue true ] ] ;
    kb:satisfiedBy kb:EvidencePenetrationTest .
req:T-LATER a sh:NodeShape , kb:Requirement ; dcterms:identifier "T-LATER" ;
    sh:name "Senare"@sv , "Later"@en ; kb:validFrom "2030-01-01"^^xsd:date ;
    kb:phase kb:PhaseOperation ; kb:severity kb:SeverityShould ;
    kb:appliesWhen [ sh:or ( [ sh:property [ sh:path kb:hosting ; sh:in ( kb:HostingThirdCountry kb:HostingEuWithThirdCountryProvider ) ] ]
                             [ sh:class kb:IVDMedicalDevice ] ) ] ;
    kb:satisfiedBy kb:EvidenceDPIA .
req:T-GONE a sh:NodeShape , kb:Requirement ; dcterms:identifier "T-GONE" ;
    sh:name "Upphävd"@sv , "Repealed"@en ; kb:validUntil "2020-01-01"^^xsd:date ;
    kb:phase kb:PhaseOperation ; kb:severity kb:SeverityMust ; kb:satisfiedBy kb:EvidenceDPIA .
req:T-OFF a sh:NodeShape , kb:Requirement ; dcterms:identifier "T-OFF" ; sh:deactivated true ;
    sh:name "Obekräftad"@sv , "Unconfirmed"@en ; kb:satisfiedBy kb:EvidenceDPIA .
<https://w3id.org/kravbib/rules/test/profile-x> a kb:RegionProfile ; dcterms:identifier "profile-x" ;
    rdfs:label "Profil X (exempel)"@sv , "Profile X (example)"@en ; kb:isExample true .
req:T-REGION a sh:NodeShape , kb:Requirement ; dcterms:identifier "T-REGION" ;
    sh:name "Regionkrav"@sv , "Region requirement"@en ; kb:profile <https://w3id.org/kravbib/rules/test/profile-x> ;
    kb:phase kb:PhaseImplementation ; kb:severity kb:SeverityMust ; kb:satisfiedBy kb:EvidenceISO27001 .
"""

DEVICE = {"name": "Dev", "intended_purpose": "x", "functions": ["analyse"], "for_individual_patients": True,
          "medical_purposes": ["monitoring"], "informs_decisions": True, "decision_impact": "other",
          "monitors_physiological_processes": False}
WELLNESS = {"name": "Well", "intended_purpose": "x", "functions": ["analyse"], "for_individual_patients": True}


def ruleset_with(folder, requirements: str):
    """The shipped ontology, rules and input shapes, with `requirements` as the only requirement shapes."""
    for name in ("ontology", "rules"):
        shutil.copytree(ROOT / name, folder / name)
    (folder / "shapes").mkdir()
    shutil.copytree(ROOT / "shapes" / "input", folder / "shapes" / "input")
    (folder / "shapes" / "t.ttl").write_text(requirements)
    return ruleset.load(folder)


@pytest.fixture(scope="module")
def trs(tmp_path_factory):
    return ruleset_with(tmp_path_factory.mktemp("ruleset"), TEST_REQUIREMENTS)


def statuses(product, rs, on=dt.date(2026, 11, 25)):
    result = assess_text(json.dumps(product), rs, on=on).to_json()
    return {r["id"]: r["status"] for r in result["requirements"]}, result


def test_unmet_then_met_by_evidence(trs):
    s, result = statuses(dict(DEVICE, processes_health_data=True), trs)
    assert s["T-HEALTH"] == "unmet" and s["T-NB"] == "unmet"
    req = next(r for r in result["requirements"] if r["id"] == "T-HEALTH")
    assert req["message"]["en"] == "No DPIA." and req["phase"] == ["development"] and req["severity"] == "must"
    s, result = statuses(dict(DEVICE, processes_health_data=True,
                              evidence=[{"type": "dpia", "id": "DPIA-1", "date": "2025-01-01"}]), trs)
    assert s["T-HEALTH"] == "met" and s["T-NB"] == "unmet"
    assert next(r for r in result["requirements"] if r["id"] == "T-HEALTH")["evidence"] == [{"type": "dpia", "id": "DPIA-1"}]


def test_not_applicable_requirements_are_not_listed(trs):
    s, _ = statuses(dict(DEVICE, processes_health_data=False, connected_product=True), trs)
    assert "T-HEALTH" not in s and "T-NOT-MD" not in s      # a device: the "not a device" requirement is out
    s, _ = statuses(dict(WELLNESS, medical_purposes=[], connected_product=True, processes_health_data=False,
                         hosting="eu_eea"), trs)
    assert s == {"T-NOT-MD": "unmet"}


def test_may_apply_names_the_field_to_answer(trs):
    _, result = statuses(dict(DEVICE), trs)
    health = next(r for r in result["requirements"] if r["id"] == "T-HEALTH")
    assert health["status"] == "may_apply" and health["missing"] == ["processes_health_data"]


def test_undetermined_classification_makes_class_conditions_may_apply(trs):
    product = {"name": "U", "intended_purpose": "x", "functions": ["analyse"], "medical_purposes": ["diagnosis"],
               "connected_product": True}                       # for_individual_patients missing: undetermined
    _, result = statuses(product, trs)
    assert result["qualification"]["status"] == "undetermined"
    not_md = next(r for r in result["requirements"] if r["id"] == "T-NOT-MD")
    assert not_md["status"] == "may_apply"
    assert not_md["missing"] == ["for_individual_patients"]


def test_future_and_expired_requirements(trs):
    s, _ = statuses(dict(DEVICE, hosting="third_country", processes_health_data=False), trs)
    assert s["T-LATER"] == "not_yet_applicable" and "T-GONE" not in s
    s, _ = statuses(dict(DEVICE, hosting="third_country", processes_health_data=False), trs, on=dt.date(2030, 6, 1))
    assert s["T-LATER"] == "unmet"
    s, _ = statuses(dict(DEVICE, hosting="third_country", processes_health_data=False), trs, on=dt.date(2019, 6, 1))
    assert s["T-GONE"] == "unmet"


def test_deactivated_requirements_are_not_in_the_ruleset(trs):
    assert "T-OFF" not in {r.id for r in trs.requirements}


def test_region_profile_requirements_only_for_that_region(trs):
    s, _ = statuses(dict(DEVICE, processes_health_data=False), trs)
    assert "T-REGION" not in s
    s, result = statuses(dict(DEVICE, processes_health_data=False, regions=["profile-x"],
                              evidence=[{"type": "iso_27001_certificate", "id": "C-1"}]), trs)
    assert s["T-REGION"] == "met"
    assert result["regions"] == [{"id": "profile-x", "label": {"sv": "Profil X (exempel)", "en": "Profile X (example)"},
                                  "is_example": True, "added": ["T-REGION"], "met": 1, "unmet": 0}]


def test_unknown_region_is_an_input_error(trs):
    with pytest.raises(InvalidInput) as exc:
        assess_text(json.dumps(dict(DEVICE, regions=["atlantis"])), trs)
    assert [(p.field, p.value) for p in exc.value.problems] == [("regions", "atlantis")]


def test_bad_evidence_is_an_input_error(trs):
    with pytest.raises(InvalidInput) as exc:
        assess_text(json.dumps(dict(DEVICE, evidence=[{"type": "horoscope", "colour": "red"}, {"id": "x"}])), trs)
    fields = sorted(p.field for p in exc.value.problems)
    assert fields == ["evidence.colour", "evidence.type", "evidence.type"]


def test_unsupported_shacl_in_applicability_is_refused(tmp_path):
    for folder in ("ontology", "rules", "shapes"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "shapes" / "eu" / "bad.ttl").write_text(PREFIXES + """
req:T-BAD a sh:NodeShape , kb:Requirement ; dcterms:identifier "T-BAD" ;
    kb:appliesWhen [ sh:property [ sh:path kb:name ; sh:pattern "^A" ] ] .""")
    with pytest.raises(ruleset.RulesetError, match="T-BAD.*pattern"):
        ruleset.load(tmp_path)


def test_applicability_agrees_with_pyshacl(trs):
    """Where every condition is decided, the compiled evaluation equals pySHACL on the same shape."""
    products = [dict(DEVICE, processes_health_data=True, connected_product=False, hosting="eu_eea"),
                dict(WELLNESS, medical_purposes=[], connected_product=True, processes_health_data=False,
                     hosting="third_country"),
                dict(DEVICE, processes_health_data=False, connected_product=True, hosting="eu_with_third_country_provider")]
    for product in products:
        g, node = from_json(product, trs)
        inferred, _ = infer(g, trs)
        data = Graph()
        data += g
        data += inferred
        a = assess_text(json.dumps(product), trs)
        facts = a.facts()
        for req in trs.requirements:
            if req.applies is None:
                continue
            ours, _ = evaluate(req.applies, facts)
            shape = trs.graph.value(req.iri, URIRef("https://w3id.org/kravbib/ontology#appliesWhen"))
            shapes = Graph()
            shapes += trs.graph
            wrapper = URIRef("urn:x-test:applicability")     # use_shapes needs an IRI; the shape is a blank node
            shapes.add((wrapper, URIRef("http://www.w3.org/ns/shacl#node"), shape))
            conforms, _, _ = pyshacl.validate(data, shacl_graph=shapes, focus_nodes=[node], use_shapes=[wrapper],
                                              inference="none")
            assert ours is not None and ours == conforms, (req.id, product["name"])


def test_date_range_condition(tmp_path):
    rs = ruleset_with(tmp_path, PREFIXES + """
req:T-AFTER a sh:NodeShape , kb:Requirement ; dcterms:identifier "T-AFTER" ;
    sh:name "Efter"@sv , "After"@en ; kb:phase kb:PhaseDevelopment ; kb:severity kb:SeverityMust ;
    kb:appliesWhen [ sh:property [ sh:path kb:placedOnMarket ; sh:minExclusive "2026-09-12"^^xsd:date ] ] ;
    kb:satisfiedBy kb:EvidenceDPIA .""")
    assert statuses(dict(WELLNESS, placed_on_market="2026-10-01"), rs)[0] == {"T-AFTER": "unmet"}
    assert statuses(dict(WELLNESS, placed_on_market="2026-09-12"), rs)[0] == {}
    _, result = statuses(dict(WELLNESS), rs)
    assert result["requirements"][0]["status"] == "may_apply"
    assert result["requirements"][0]["missing"] == ["placed_on_market"]


def test_an_empty_list_is_an_answer(trs, tmp_path):
    """"integrations": [] says "none": a condition on it is false, not unknown."""
    rs = ruleset_with(tmp_path, PREFIXES + """
req:T-NTJP a sh:NodeShape , kb:Requirement ; dcterms:identifier "T-NTJP" ;
    sh:name "NTjP"@sv , "NTjP"@en ; kb:phase kb:PhaseImplementation ; kb:severity kb:SeverityMust ;
    kb:appliesWhen [ sh:property [ sh:path kb:integratesWith ; sh:hasValue kb:IntegrationNTjP ] ] ;
    kb:satisfiedBy kb:EvidenceDPIA .""")
    assert statuses(dict(WELLNESS), rs)[0] == {"T-NTJP": "may_apply"}
    assert statuses(dict(WELLNESS, integrations=[]), rs)[0] == {}
    assert statuses(dict(WELLNESS, integrations=["ntjp"]), rs)[0] == {"T-NTJP": "unmet"}


def test_sh_in_with_several_values_follows_shacl(tmp_path):
    """sh:minCount 1 + sh:in means every value is in the list (SHACL); "some value is one of" is
    sh:or of sh:hasValue. A vendor with two roles shows the difference."""
    rs = ruleset_with(tmp_path, PREFIXES + """
req:T-ALL a sh:NodeShape , kb:Requirement ; dcterms:identifier "T-ALL" ; sh:name "A"@sv , "A"@en ;
    kb:phase kb:PhaseDevelopment ; kb:severity kb:SeverityMust ; kb:satisfiedBy kb:EvidenceDPIA ;
    kb:appliesWhen [ sh:property [ sh:path kb:vendorRole ; sh:minCount 1 ; sh:in ( kb:RoleProcessorForCareProvider ) ] ] .
req:T-SOME a sh:NodeShape , kb:Requirement ; dcterms:identifier "T-SOME" ; sh:name "S"@sv , "S"@en ;
    kb:phase kb:PhaseDevelopment ; kb:severity kb:SeverityMust ; kb:satisfiedBy kb:EvidenceDPIA ;
    kb:appliesWhen [ sh:or ( [ sh:property [ sh:path kb:vendorRole ; sh:hasValue kb:RoleProcessorForCareProvider ] ] ) ] .""")
    both = dict(WELLNESS, medical_purposes=[], vendor_roles=["manufacturer", "processor_for_care_provider"])
    assert statuses(both, rs)[0] == {"T-SOME": "unmet"}
    only = dict(WELLNESS, medical_purposes=[], vendor_roles=["processor_for_care_provider"])
    assert statuses(only, rs)[0] == {"T-ALL": "unmet", "T-SOME": "unmet"}
    g, node = from_json(both, rs)
    data = Graph()
    data += g
    for req in rs.requirements:
        shapes = Graph()
        shapes += rs.graph
        wrapper = URIRef("urn:x-test:w")
        shapes.add((wrapper, URIRef("http://www.w3.org/ns/shacl#node"),
                    rs.graph.value(req.iri, URIRef("https://w3id.org/kravbib/ontology#appliesWhen"))))
        conforms, _, _ = pyshacl.validate(data, shacl_graph=shapes, focus_nodes=[node], use_shapes=[wrapper])
        assert conforms == (req.id == "T-SOME")
