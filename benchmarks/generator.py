"""Deterministic generators of benchmark inputs.

- `products(n, seed)`: plausible synthetic product descriptions in the JSON input contract
  (README "The product description"), drawn from archetypes of digital health services (wellness
  apps, remote monitoring, decision support, digital therapy, closed loops, device companions,
  IVD result interpretation, hardware, …) with realistic deployment facts, evidence and answers,
  so that every qualification outcome and every MDR/IVDR class occurs, and a share of products
  leave a decision-path field unanswered (undetermined outcomes, `may_apply` requirements).
- `scaled_ruleset(base_dir, total, target)`: a copy of a ruleset folder with synthetic requirement
  shapes added (same template as shapes/eu/gdpr.ttl) until it holds `total` active requirements.
- `changed_ruleset(base_dir, target)`: the "head" ruleset of the impact analysis: the base plus one
  changed requirement.

Everything is seeded: the same arguments give byte-identical outputs.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

KB = "https://w3id.org/kravbib/ontology#"
CATEGORY_PREFIX = "https://w3id.org/kravbib/vocab/category/"
RULESET_FOLDERS = ("ontology", "rules", "shapes", "queries")

DATA_ONLY = ["store", "archive", "communicate", "simple_search", "lossless_compression"]
PROCESSING = ["display", "calculate", "analyse", "interpret", "alert", "recommend", "triage"]
CONDITIONS = {   # ICD-10 codes by area, for plausible `conditions`
    "cardio": ["I10", "I48", "I50", "I50.9", "I25", "I63"],
    "diabetes": ["E10", "E11", "E11.9", "O24"],
    "respiratory": ["J44", "J45", "G47.3"],
    "mental": ["F32", "F33", "F41.1", "F51.0", "F90"],
    "other": ["M54", "N18", "C50", "K50", "G40", "Z30", "N97", "R51"],
}
IVD_RULE_CATEGORIES = [
    ["blood_transfusion_transplant_safety"], ["life_threatening_transmissible_agent"],
    ["infectious_load_life_threatening"], ["blood_grouping"], ["sexually_transmitted_agent"], ["cancer"],
    ["genetic_testing"], ["companion_diagnostic"], ["disease_staging"], ["medicinal_product_level_monitoring"],
    ["life_threatening_disease_management"], ["congenital_disorder_screening"], ["self_testing"],
    ["self_testing_low_risk"], ["none_of_these"], ["cancer", "self_testing"], ["self_testing_low_risk", "none_of_these"],
]

NAME_PARTS = (["Hjärt", "Puls", "Andning", "Sömn", "Mind", "Gluko", "Tryck", "Hud", "Rygg", "Njur", "Mage", "Lung",
               "Fertil", "Stroke", "Onko", "Lab", "Triage", "Vård", "Hem", "Rehab"],
              ["Kollen", "Coach", "Monitor", "Stöd", "Guide", "Assist", "Hub", "Logg", "Plan", "Vakt", "Scan", "Check"])


# --- products ----------------------------------------------------------------------------------
def _sample(rng: random.Random, pool, lo: int, hi: int) -> list:
    k = rng.randint(lo, min(hi, len(pool)))
    return sorted(rng.sample(list(pool), k), key=list(pool).index)


def _yes(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def _weighted(rng: random.Random, table: dict):
    return rng.choices(list(table), weights=list(table.values()))[0]


# Each archetype returns the classification-relevant fields; deployment facts are drawn afterwards.
def _wellness(rng):
    return {"functions": _sample(rng, ["store", "display", "calculate", "analyse", "recommend"], 2, 4),
            "for_individual_patients": True, "medical_purposes": [],
            "intended_users": ["patient"], "_area": rng.choice(["other", "mental", "cardio"]),
            "_purpose": "helps users follow their activity, sleep and well-being (no medical purpose)",
            "uses_ai": _yes(rng, 0.25)}


def _data_only(rng):
    return {"functions": _sample(rng, DATA_ONLY, 1, 3), "for_individual_patients": True,
            "medical_purposes": _sample(rng, ["monitoring", "treatment", "prevention"], 0, 2),
            "intended_users": _sample(rng, ["patient", "healthcare_professional"], 1, 2),
            "_area": rng.choice(list(CONDITIONS)),
            "_purpose": "stores diary entries and transfers them unchanged to the care provider"}


def _population_dashboard(rng):
    return {"functions": _sample(rng, ["store", "display", "calculate", "analyse"], 2, 4),
            "for_individual_patients": False, "medical_purposes": ["monitoring"],
            "intended_users": ["healthcare_professional"], "_area": rng.choice(list(CONDITIONS)),
            "_purpose": "shows aggregate quality indicators of a clinic's patient population"}


def _remote_monitoring(rng):
    danger = _yes(rng, 0.3)
    informs = _yes(rng, 0.7)
    out = {"functions": _sample(rng, ["store", "communicate", "display", "analyse", "alert"], 3, 5),
           "for_individual_patients": True,
           "medical_purposes": _sample(rng, ["monitoring", "prevention", "treatment", "prognosis"], 1, 3),
           "monitors_physiological_processes": True, "vital_parameters_immediate_danger": danger,
           "informs_decisions": informs,
           "intended_users": _sample(rng, ["patient", "healthcare_professional", "caregiver"], 1, 3),
           "_area": rng.choice(["cardio", "respiratory", "diabetes"]),
           "_purpose": "collects home measurements, shows trends and alerts the clinic when thresholds are exceeded",
           "uses_ai": _yes(rng, 0.2), "connected_product": True}
    if informs:
        out["decision_impact"] = _weighted(rng, {"other": 3, "serious_deterioration_or_surgery": 5, "death_or_irreversible": 1})
    if "monitoring" not in out["medical_purposes"]:
        out["medical_purposes"].insert(0, "monitoring")
    return out


def _decision_support(rng):
    out = {"functions": _sample(rng, ["analyse", "interpret", "display", "recommend", "triage", "calculate"], 2, 4),
           "for_individual_patients": True,
           "medical_purposes": _sample(rng, ["diagnosis", "prediction", "prognosis", "treatment"], 1, 3),
           "informs_decisions": True,
           "decision_impact": _weighted(rng, {"other": 3, "serious_deterioration_or_surgery": 4, "death_or_irreversible": 2}),
           "monitors_physiological_processes": _yes(rng, 0.15),
           "intended_users": _sample(rng, ["healthcare_professional", "patient"], 1, 2),
           "_area": rng.choice(list(CONDITIONS)),
           "_purpose": "analyses patient data and proposes a diagnosis or treatment for the clinician to confirm",
           "uses_ai": _yes(rng, 0.6)}
    if out["monitors_physiological_processes"]:
        out["vital_parameters_immediate_danger"] = _yes(rng, 0.3)
    return out


def _digital_therapy(rng):
    informs = _yes(rng, 0.5)
    out = {"functions": _sample(rng, ["display", "recommend", "analyse", "store", "communicate"], 2, 4),
           "for_individual_patients": True,
           "medical_purposes": _sample(rng, ["treatment", "alleviation", "prevention"], 1, 3),
           "informs_decisions": informs, "monitors_physiological_processes": _yes(rng, 0.2),
           "intended_users": _sample(rng, ["patient", "healthcare_professional"], 1, 2),
           "_area": rng.choice(["mental", "other", "respiratory"]),
           "_purpose": "delivers a structured internet-based treatment programme prescribed by a clinician",
           "uses_ai": _yes(rng, 0.15)}
    if informs:
        out["decision_impact"] = _weighted(rng, {"other": 5, "serious_deterioration_or_surgery": 2})
    if out["monitors_physiological_processes"]:
        out["vital_parameters_immediate_danger"] = False
    return out


def _closed_loop(rng):
    out = {"functions": ["analyse", "interpret", "control_device", "alert"], "for_individual_patients": True,
           "medical_purposes": ["treatment", "monitoring"], "informs_decisions": True,
           "decision_impact": "death_or_irreversible", "monitors_physiological_processes": True,
           "vital_parameters_immediate_danger": True, "autonomous_therapy_adjustment": True,
           "intended_users": ["patient"], "_area": "diabetes",
           "_purpose": "adjusts insulin dosing automatically from continuous glucose readings",
           "uses_ai": _yes(rng, 0.4), "connected_product": True}
    if _yes(rng, 0.5):
        out["drives_or_influences_device"] = True
        out["driven_device_class"] = rng.choice(["IIb", "III"])
    return out


def _device_companion(rng):
    cls = _weighted(rng, {"I": 2, "IIa": 3, "IIb": 3, "III": 1, "A": 2, "B": 1, "C": 1, "D": 1})
    base = {"drives_or_influences_device": True, "driven_device_class": cls, "connected_product": True,
            "intended_users": _sample(rng, ["patient", "healthcare_professional"], 1, 2),
            "_area": rng.choice(list(CONDITIONS))}
    if cls in "ABCD":      # operates an IVD instrument (IVDR implementing rule 1.4)
        return {**base, "functions": ["control_device"], "medical_purposes": ["in_vitro_information"],
                "_purpose": "operates a laboratory analyser from a remote location"}
    if _yes(rng, 0.5):     # drives the device only
        return {**base, "functions": ["control_device"], "for_individual_patients": True,
                "_purpose": "starts, stops and configures a connected device from a phone"}
    return {**base, "functions": ["control_device", "display", "analyse"], "for_individual_patients": True,
            "medical_purposes": ["monitoring"], "informs_decisions": True,
            "decision_impact": rng.choice(["other", "serious_deterioration_or_surgery"]),
            "monitors_physiological_processes": True, "vital_parameters_immediate_danger": False,
            "_purpose": "configures and reads out a connected device and analyses its results"}


def _accessory(rng):
    return {"functions": ["display", "communicate"], "for_individual_patients": True, "medical_purposes": [],
            "accessory": True, "intended_users": ["patient", "healthcare_professional"],
            "_area": rng.choice(list(CONDITIONS)),
            "_purpose": "sets up and pairs a hardware medical device (an accessory of it)"}


def _contraception(rng):
    return {"functions": ["store", "calculate", "display", "recommend"], "for_individual_patients": True,
            "medical_purposes": ["contraception"] + (["support_of_conception"] if _yes(rng, 0.5) else []),
            "informs_decisions": False, "monitors_physiological_processes": True,
            "vital_parameters_immediate_danger": False, "intended_users": ["patient"], "_area": "other",
            "_purpose": "predicts fertile days from basal body temperature for contraception",
            "uses_ai": _yes(rng, 0.3)}


def _conception(rng):
    return {"functions": ["store", "calculate", "display"], "for_individual_patients": True,
            "medical_purposes": ["support_of_conception"], "informs_decisions": False,
            "monitors_physiological_processes": False, "intended_users": ["patient"], "_area": "other",
            "_purpose": "helps couples time intercourse for conception", "uses_ai": _yes(rng, 0.3)}


def _ivd(rng):
    only = _yes(rng, 0.7)
    out = {"functions": _sample(rng, ["analyse", "interpret", "calculate", "display", "store"], 2, 4),
           "for_individual_patients": True,
           "medical_purposes": ["in_vitro_information"] + _sample(rng, ["diagnosis", "monitoring", "prognosis"], 0, 2),
           "ivd_data_only": only, "ivd_categories": list(rng.choice(IVD_RULE_CATEGORIES)),
           "informs_decisions": True,
           "decision_impact": _weighted(rng, {"other": 2, "serious_deterioration_or_surgery": 3, "death_or_irreversible": 1}),
           "monitors_physiological_processes": False,
           "intended_users": _sample(rng, ["healthcare_professional", "patient"], 1, 2),
           "_area": rng.choice(list(CONDITIONS)),
           "_purpose": "interprets laboratory results and reports a risk or diagnosis",
           "uses_ai": _yes(rng, 0.4)}
    if not only:
        out["ivd_data_driven"] = _yes(rng, 0.6)
    return out


def _hardware(rng):
    purposes = rng.choice([["monitoring"], ["diagnosis"], ["in_vitro_information"], []])
    return {"is_software": False, "functions": ["other_processing"], "medical_purposes": purposes,
            "intended_users": _sample(rng, ["patient", "healthcare_professional"], 1, 2),
            "_area": rng.choice(list(CONDITIONS)), "_purpose": "a hardware product used in home care"}


ARCHETYPES = {   # archetype -> weight (share of a catalogue of services for prescribed self-care)
    _wellness: 14, _data_only: 10, _population_dashboard: 5, _remote_monitoring: 16, _decision_support: 15,
    _digital_therapy: 11, _closed_loop: 3, _device_companion: 6, _accessory: 2, _contraception: 2,
    _conception: 2, _ivd: 11, _hardware: 3,
}
# fields on the classification path that a vendor sometimes leaves out (undetermined, may_apply)
DROPPABLE = ["functions", "for_individual_patients", "decision_impact", "monitors_physiological_processes",
             "vital_parameters_immediate_danger", "ivd_data_only", "ivd_data_driven", "ivd_categories",
             "driven_device_class", "intended_users", "informs_decisions"]
DEPLOYMENT_OPTIONAL = ["processes_health_data", "vendor_roles", "used_by_public_care", "hosting", "integrations",
                       "connected_product", "placed_on_market", "organisation_size", "is_ehr_system",
                       "claims_ehr_interoperability", "conditions"]


class ProductGenerator:
    """Draws product descriptions; the vocabulary (evidence types, regions, questions, categories)
    is read once from a ruleset folder so that every description is valid input for it."""

    def __init__(self, ruleset_dir: Path, seed: int = 20260808):
        self.seed = seed
        context = json.loads((Path(ruleset_dir) / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
        self.evidence_types = sorted(k for k, v in context.items() if isinstance(v, str) and v.startswith("kb:Evidence"))
        self.has_categories = "categories" in context
        self.categories, self.regions, self.questions = [], [], []
        g = Graph()
        for path in sorted((Path(ruleset_dir) / "ontology").glob("product-categories*.ttl")):
            g.parse(path)
        self.categories = sorted(str(c) for c in g.subjects(SKOS.notation, None) if str(c).startswith(CATEGORY_PREFIX)
                                 and not str(c).endswith(("condition_area", "service_type")))
        shapes = Graph()
        for path in sorted((Path(ruleset_dir) / "shapes").rglob("*.ttl")):
            if path.parent.name in ("regions", "benefit"):
                shapes.parse(path)
        self.regions = sorted(str(shapes.value(p, URIRef("http://purl.org/dc/terms/identifier")))
                              for p in shapes.subjects(RDF.type, URIRef(KB + "RegionProfile")))
        for q in sorted(shapes.subjects(RDF.type, URIRef(KB + "BenefitQuestion"))):
            if shapes.value(q, URIRef("http://www.w3.org/ns/shacl#deactivated")) == Literal(True):
                continue
            ident = str(shapes.value(q, URIRef("http://purl.org/dc/terms/identifier")))
            kind = str(shapes.value(q, URIRef(KB + "answerType")) or KB + "AnswerText").rsplit("#", 1)[-1]
            choices = sorted(str(c) for c in shapes.objects(q, URIRef(KB + "choice")))
            self.questions.append((ident, kind, choices))

    def product(self, i: int) -> dict:
        rng = random.Random(f"{self.seed}/product/{i}")
        arche = rng.choices(list(ARCHETYPES), weights=list(ARCHETYPES.values()))[0]
        p = arche(rng)
        area, purpose = p.pop("_area"), p.pop("_purpose")
        name = f"{rng.choice(NAME_PARTS[0])}{rng.choice(NAME_PARTS[1]).lower()} {i}"
        out = {"id": f"bench-{i:05d}", "name": name,
               "intended_purpose": f"{name} {purpose}, as part of prescribed self-care ({area}).", **p}
        self._deployment(rng, out, area)
        # a vendor sometimes leaves a field on the decision path unanswered
        if _yes(rng, 0.10):
            present = [f for f in DROPPABLE if f in out]
            if present:
                dropped = rng.choice(present)
                del out[dropped]
                if dropped == "informs_decisions":
                    out.pop("decision_impact", None)
                if dropped == "monitors_physiological_processes" and out.get("vital_parameters_immediate_danger"):
                    del out["vital_parameters_immediate_danger"]
        for f in DEPLOYMENT_OPTIONAL:
            if f in out and _yes(rng, 0.04):
                del out[f]
        return out

    def _deployment(self, rng, out: dict, area: str) -> None:
        device_like = bool(out.get("medical_purposes")) or out.get("drives_or_influences_device") or out.get("accessory")
        public = _yes(rng, 0.65 if device_like else 0.35)
        out["processes_health_data"] = _yes(rng, 0.95 if device_like else 0.6)
        roles = ["manufacturer"] if _yes(rng, 0.9) else []
        if public and _yes(rng, 0.7):
            roles.append("processor_for_care_provider")
        if _yes(rng, 0.08):
            roles.append("care_provider")
        out["vendor_roles"] = roles or ["manufacturer"]
        out["used_by_public_care"] = public
        out["hosting"] = _weighted(rng, {"eu_eea": 70, "eu_with_third_country_provider": 22, "third_country": 8})
        out["integrations"] = (_sample(rng, ["1177_stod_och_behandling", "ntjp", "1177_journal", "siths_hsa", "patient_eid"], 0, 4)
                               if public else [])
        out.setdefault("connected_product", _yes(rng, 0.35))
        start = dt.date(2019, 1, 1).toordinal()
        out["placed_on_market"] = dt.date.fromordinal(start + rng.randint(0, 3100)).isoformat()
        out["organisation_size"] = _weighted(rng, {"micro": 30, "small": 35, "medium": 20, "large": 15})
        out["is_ehr_system"] = _yes(rng, 0.04)
        out["claims_ehr_interoperability"] = _yes(rng, 0.1)
        out.setdefault("uses_ai", False)
        if out["uses_ai"]:
            out["ai_interacts_with_persons"] = _yes(rng, 0.5)
        out["conditions"] = _sample(rng, CONDITIONS[area], 0, 2)
        if self.regions and public and _yes(rng, 0.35):
            out["regions"] = [rng.choice(self.regions)]
        if self.has_categories and self.categories and _yes(rng, 0.6):
            out["categories"] = _sample(rng, self.categories, 1, 2)
        # evidence: from none (an idea-stage start-up) to a full technical file
        n = min(len(self.evidence_types), int(rng.expovariate(1 / 4)))
        evidence = []
        for j, kind in enumerate(_sample(rng, self.evidence_types, n, n)):
            item = {"type": kind, "id": f"{kind.upper().replace('_', '-')}-{j + 1}",
                    "date": dt.date.fromordinal(start + rng.randint(0, 2600)).isoformat()}
            if _yes(rng, 0.3):
                item["issued_by"] = rng.choice(["Notified body 2862", "Intertek", "Internal QA", "Region audit team"])
            if kind == "ce_certificate" and _yes(rng, 0.7):
                item["certified_class"] = rng.choice(["I", "IIa", "IIb", "III"])
            evidence.append(item)
        out["evidence"] = evidence
        # benefit-scheme answers: a third answer a few questions, a few of them badly
        if self.questions and _yes(rng, 0.3):
            answers = []
            for ident, kind, choices in rng.sample(self.questions, rng.randint(1, min(4, len(self.questions)))):
                if kind == "AnswerBoolean":
                    value = _yes(rng, 0.5)
                elif kind == "AnswerNumber":
                    value = rng.randint(1, 500)
                elif kind == "AnswerChoice" and choices:
                    value = rng.choice(choices) if _yes(rng, 0.9) else "not-a-choice"
                elif kind == "AnswerDate":
                    value = "2026-01-15"
                else:
                    value = "See the attached study protocol."
                answers.append({"question": ident, "value": value, "detail": f"ref-{ident.lower()}"})
            out["answers"] = answers

    def products(self, n: int, start: int = 0) -> list[str]:
        return [json.dumps(self.product(i), ensure_ascii=False) for i in range(start, start + n)]


# --- rulesets ----------------------------------------------------------------------------------
def copy_ruleset(base_dir: Path, target: Path) -> Path:
    target = Path(target)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for folder in RULESET_FOLDERS:
        if (Path(base_dir) / folder).is_dir():
            shutil.copytree(Path(base_dir) / folder, target / folder)
    return target


CLASS_SETS = [("ClassI",), ("ClassIIa",), ("ClassIIa", "ClassIIb"), ("ClassIIb", "ClassIII"), ("ClassIII",),
              ("ClassB", "ClassC", "ClassD"), ("ClassC", "ClassD")]
PROPERTY_CONDITIONS = [
    "sh:property [ sh:path kb:usesAI ; sh:hasValue true ]",
    "sh:property [ sh:path kb:processesHealthData ; sh:hasValue true ]",
    "sh:property [ sh:path kb:gdprSpecialCategoryData ; sh:hasValue true ]",
    "sh:property [ sh:path kb:hosting ; sh:hasValue kb:HostingEuEea ]",
    "sh:property [ sh:path kb:hosting ; sh:in ( kb:HostingThirdCountry kb:HostingEuWithThirdCountryProvider ) ]",
    "sh:property [ sh:path kb:usedByPublicCare ; sh:hasValue true ]",
    "sh:property [ sh:path kb:connectedProduct ; sh:hasValue true ]",
    "sh:property [ sh:path kb:vendorRole ; sh:hasValue kb:RoleProcessorForCareProvider ]",
    "sh:property [ sh:path kb:vendorRole ; sh:hasValue kb:RoleManufacturer ]",
    "sh:property [ sh:path kb:intendedUser ; sh:hasValue kb:UserPatient ]",
    "sh:property [ sh:path kb:intendedUser ; sh:hasValue kb:UserHealthcareProfessional ]",
    "sh:property [ sh:path kb:integratesWith ; sh:in ( kb:IntegrationNTjP kb:Integration1177Journal ) ]",
    "sh:property [ sh:path kb:organisationSize ; sh:in ( kb:SizeMedium kb:SizeLarge ) ]",
    "sh:property [ sh:path kb:hasFunction ; sh:hasValue kb:FunctionCommunicate ]",
    "sh:property [ sh:path kb:placedOnMarket ; sh:minInclusive \"2024-01-01\"^^xsd:date ]",
    "sh:property [ sh:path kb:regulation ; sh:hasValue kb:MDR ]",
    "sh:property [ sh:path kb:regulation ; sh:hasValue kb:IVDR ]",
    "sh:property [ sh:path kb:aiActHighRisk ; sh:hasValue true ]",
    "sh:property [ sh:path kb:notifiedBodyRequired ; sh:hasValue true ]",
    "sh:class kb:MedicalDevice",
    "sh:not [ sh:class kb:MedicalDevice ]",
]


def _condition(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.2:
        classes = " ".join(f"kb:{c}" for c in rng.choice(CLASS_SETS))
        return f"sh:property [ sh:path kb:deviceClass ; sh:in ( {classes} ) ]"
    return rng.choice(PROPERTY_CONDITIONS)


def _applies_when(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.45:
        parts = [_condition(rng)]
    elif shape < 0.8:
        parts = list(dict.fromkeys(_condition(rng) for _ in range(rng.randint(2, 3))))
    else:
        members = " ".join(f"[ {_condition(rng)} ]" for _ in range(2))
        parts = [f"sh:or ( {members} )"] + ([_condition(rng)] if rng.random() < 0.5 else [])

    return " ;\n        ".join(parts)


def _pools(base_graph: Graph) -> dict:
    """Issuers, phases, severities, legal sources and evidence types used by shipped requirements."""
    g = base_graph
    req = URIRef(KB + "Requirement")
    reqs = sorted(set(g.subjects(RDF.type, req)))
    def objects(p):
        return sorted({o for r in reqs for o in g.objects(r, p) if isinstance(o, URIRef)})
    return {
        "issuer": [i for i in objects(URIRef(KB + "issuer")) if str(i).startswith(KB)],
        "phase": objects(URIRef(KB + "phase")),
        "severity": objects(URIRef(KB + "severity")),
        "source": objects(URIRef("http://purl.org/dc/terms/source")),
        "evidence": objects(URIRef(KB + "satisfiedBy")),
    }


def _curie(iri: URIRef) -> str:
    s = str(iri)
    return f"kb:{s[len(KB):]}" if s.startswith(KB) else f"<{s}>"


def synthetic_requirements_ttl(n: int, base_graph: Graph, seed: int = 20260808) -> str:
    """n requirement shapes in the template of shapes/eu/gdpr.ttl, with varied applicability."""
    rng = random.Random(f"{seed}/requirements/{n}")
    pools = _pools(base_graph)
    lines = ["# Synthetic requirements generated by benchmarks/generator.py (benchmark only, not law).",
             "@prefix kb:      <https://w3id.org/kravbib/ontology#> .",
             "@prefix req:     <https://w3id.org/kravbib/rules/bench/> .",
             "@prefix sh:      <http://www.w3.org/ns/shacl#> .",
             "@prefix dcterms: <http://purl.org/dc/terms/> .",
             "@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .", ""]
    for i in range(n):
        ident = f"BENCH-{i + 1:04d}"
        phases = ", ".join(_curie(p) for p in rng.sample(pools["phase"], rng.randint(1, 2)))
        sources = ", ".join(_curie(s) for s in rng.sample(pools["source"], rng.randint(1, 2)))
        valid_from = rng.choice(["2018-05-25", "2021-05-26", "2022-05-26", "2024-08-01", "2025-01-01",
                                 "2026-08-02", "2027-08-02", "2027-12-11", "2029-03-26"])
        lines += [
            f"req:{ident} a sh:NodeShape , kb:Requirement ;",
            f'    dcterms:identifier "{ident}" ;',
            f'    sh:name "Syntetiskt krav {i + 1}"@sv , "Synthetic requirement {i + 1}"@en ;',
            f'    sh:description "Ett genererat krav för prestandamätningen (nummer {i + 1})."@sv ,',
            f'                   "A generated requirement for the benchmark (number {i + 1})."@en ;',
            f'    sh:message "Inget underlag för syntetiskt krav {i + 1} är visat."@sv ,',
            f'               "No evidence for synthetic requirement {i + 1} is shown."@en ;',
            f"    kb:issuer {_curie(rng.choice(pools['issuer']))} ;",
            f"    kb:phase {phases} ;",
            f"    kb:severity {_curie(rng.choice(pools['severity']))} ;",
            f"    dcterms:source {sources} ;",
            f'    kb:validFrom "{valid_from}"^^xsd:date ;',
            "    kb:appliesWhen [",
            f"        {_applies_when(rng)}",
            "    ] ;",
        ]
        if rng.random() < 0.9:
            evidence = ", ".join(_curie(e) for e in rng.sample(pools["evidence"], rng.randint(1, 3)))
            lines.append(f"    kb:satisfiedBy {evidence} .")
        else:
            lines[-1] = "    ] ."                       # information only: asks for no evidence
        lines.append("")
    return "\n".join(lines)


def count_active_requirements(g: Graph) -> int:
    req = URIRef(KB + "Requirement")
    deactivated = URIRef("http://www.w3.org/ns/shacl#deactivated")
    return sum(1 for r in set(g.subjects(RDF.type, req)) if g.value(r, deactivated) != Literal(True))


def scaled_ruleset(base_dir: Path, total: int, target: Path, base_graph: Graph, seed: int = 20260808) -> tuple[Path, int]:
    """Copy base_dir to target and add synthetic requirements until `total` are active.
    Returns (folder, number added)."""
    copy_ruleset(base_dir, target)
    n = max(0, total - count_active_requirements(base_graph))
    (target / "shapes" / "bench").mkdir(parents=True, exist_ok=True)
    (target / "shapes" / "bench" / "synthetic.ttl").write_text(
        synthetic_requirements_ttl(n, base_graph, seed), encoding="utf-8")
    return target, n


CHANGED_REQUIREMENT = "GDPR-35-DPIA"


def changed_ruleset(base_dir: Path, target: Path, base_graph: Graph) -> tuple[Path, str]:
    """The head ruleset of the impact analysis: base plus one changed requirement. The change
    widens what satisfies the requirement (a new accepted evidence type), which flips some
    products from unmet to met. Returns (folder, a description of the change)."""
    copy_ruleset(base_dir, target)
    ident = URIRef("http://purl.org/dc/terms/identifier")
    req = next((r for r in sorted(base_graph.subjects(ident, Literal(CHANGED_REQUIREMENT)))), None)
    if req is None:   # fall back to the first requirement that asks for evidence
        req = next(r for r in sorted(set(base_graph.subjects(RDF.type, URIRef(KB + "Requirement"))))
                   if base_graph.value(r, URIRef(KB + "satisfiedBy")) is not None)
    evidence = URIRef(KB + "EvidencePrivacyByDesign")
    (target / "shapes" / "bench").mkdir(parents=True, exist_ok=True)
    (target / "shapes" / "bench" / "change.ttl").write_text(
        "@prefix kb: <https://w3id.org/kravbib/ontology#> .\n"
        f"<{req}> kb:satisfiedBy <{evidence}> .\n", encoding="utf-8")
    name = base_graph.value(req, ident)
    return target, f"{name}: also satisfied by {_curie(evidence)}"
