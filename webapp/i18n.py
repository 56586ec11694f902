"""UI language for the web pages: Swedish (default) and English.

- The language is chosen with `?lang=sv|en` (remembered in the cookie `lang`), else the cookie,
  else Swedish.
- `t(key, **values)` gives a UI string from STRINGS in the current language (a Jinja global).
- Labels of fields and values come from the ruleset, so there is one source of truth: a field's
  label is the sh:name of its input shape (shapes/input/product.ttl), a value's label the
  rdfs:label (or skos:prefLabel) of the ontology individual it stands for (JSON value -> IRI via
  the JSON-LD context, rs.term_of; phases, severities, classes, tiers via skos:notation).
- Only help texts, examples and the words around them live here.
"""

from __future__ import annotations

from flask import g, has_request_context, request
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS

from kravbib.namespaces import KB
from kravbib.ruleset import lang_map

LANGS = ("sv", "en")
DEFAULT_LANG = "sv"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
CATEGORY_SCHEME = URIRef("https://w3id.org/kravbib/vocab/category/ProductCategories")
CATEGORY_PREFIX = "https://w3id.org/kravbib/vocab/category/"


# --- language choice -----------------------------------------------------------------------------
def requested_lang() -> str | None:
    """The language asked for in the query string (?lang=en), if valid."""
    wanted = request.args.get("lang")
    return wanted if wanted in LANGS else None


def current_lang() -> str:
    if not has_request_context():
        return DEFAULT_LANG
    if "lang" not in g:
        cookie = request.cookies.get(COOKIE)
        g.lang = requested_lang() or (cookie if cookie in LANGS else DEFAULT_LANG)
    return g.lang


def other_lang() -> str:
    return "en" if current_lang() == "sv" else "sv"


def switch_url() -> str:
    """This page's address (with its query string) in the other language."""
    from urllib.parse import urlencode

    if request.method != "GET":          # a posted page without its description: go home in the other language
        return "/?" + urlencode([("lang", other_lang())])
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", other_lang())]
    return request.path + "?" + urlencode(args)


def remember_lang(response):
    """after_request: store an explicit ?lang= choice in the cookie (pages only: `lang` is also a
    parameter of some named queries under /api)."""
    if request.path.startswith(("/api/", "/sparql", "/static/")):
        return response
    wanted = requested_lang()
    if wanted and request.cookies.get(COOKIE) != wanted:
        response.set_cookie(COOKIE, wanted, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    response.vary.add("Cookie")
    return response


# --- UI strings --------------------------------------------------------------------------------------
def t(key: str, **values) -> str:
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(current_lang()) or entry.get(DEFAULT_LANG, key)
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in STRINGS


def tr(mapping, fallback: str = "") -> str:
    """Pick the current language from a {"sv": …, "en": …} mapping (ruleset texts)."""
    if not mapping:
        return fallback
    if isinstance(mapping, str):
        return mapping
    return mapping.get(current_lang()) or mapping.get(DEFAULT_LANG) or mapping.get("en") or fallback


# --- labels from the ruleset ---------------------------------------------------------------------------
class Labels:
    """Field and value labels read from one ruleset, computed once per ruleset."""

    def __init__(self, rs):
        self.rs = rs
        graph = rs.graph
        self.field_names: dict[str, dict] = {}
        self.field_values: dict[str, list[str]] = {}      # field -> allowed JSON values, in shape order
        shapes = rs.input_shapes
        for shape, path in shapes.subject_objects(SH.path):
            field = rs.field_of.get(path)
            if field is None:
                continue
            name = lang_map(shapes, shape, SH.name)
            if name:
                self.field_names.setdefault(field, name)
            in_list = shapes.value(shape, SH["in"])
            if in_list is not None and field not in self.field_values:
                from rdflib.collection import Collection

                self.field_values[field] = [rs.term_of.get(v, str(v)) for v in Collection(shapes, in_list)]
        self.value_iri = {value: iri for iri, value in rs.term_of.items()}
        self.notations: dict[str, dict[str, URIRef]] = {}
        kinds = {"phase": {p for r in rs.requirements for p in r.phases},
                 "severity": {r.severity for r in rs.requirements if r.severity is not None},
                 "class": set(graph.subjects(RDF.type, KB.MDRClass)) | set(graph.subjects(RDF.type, KB.IVDRClass)),
                 "tier": set(graph.subjects(RDF.type, KB.EvidenceTier)),
                 "qualification": set(graph.subjects(RDF.type, KB.QualificationOutcome)),
                 "regulation": {KB.MDR, KB.IVDR}}
        for kind, iris in kinds.items():
            self.notations[kind] = {str(graph.value(i, SKOS.notation)): i for i in iris
                                    if graph.value(i, SKOS.notation) is not None}
        self.phase_order = sorted(self.notations["phase"],
                                  key=lambda n: int(graph.value(self.notations["phase"][n], KB.order) or 99))
        self.evidence_types = sorted((rs.term_of[i] for i in graph.subjects(RDF.type, KB.EvidenceType)
                                      if i in rs.term_of))
        self.categories = self._categories()

    def _categories(self) -> list[dict]:
        """The catalogue categories by facet: [{"notation", "label", "children": [...]}, …]."""
        graph = self.rs.graph
        facets = []
        for top in sorted(graph.objects(CATEGORY_SCHEME, SKOS.hasTopConcept)):
            children = []

            def walk(node, depth):
                for child in sorted(graph.subjects(SKOS.broader, node), key=str):
                    children.append({"notation": str(graph.value(child, SKOS.notation)),
                                     "label": lang_map(graph, child, SKOS.prefLabel), "depth": depth})
                    walk(child, depth + 1)

            walk(top, 0)
            facets.append({"notation": str(graph.value(top, SKOS.notation)),
                           "label": lang_map(graph, top, SKOS.prefLabel), "children": children})
        return facets

    def iri_label(self, iri) -> dict:
        graph = self.rs.graph
        return (lang_map(graph, iri, RDFS.label) or lang_map(graph, iri, SKOS.prefLabel)
                or {"sv": str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]})


_labels: dict[str, Labels] = {}


def labels() -> Labels:
    from .services import services

    rs = services().rs
    found = _labels.get(rs.hash)
    if found is None or found.rs is not rs:
        found = _labels[rs.hash] = Labels(rs)
    return found


def field_label(field: str) -> str:
    """The label of a JSON field (sh:name of its input shape), else a UI string, else the name."""
    name = labels().field_names.get(field)
    if name:
        return tr(name)
    return t("field." + field) if has("field." + field) else field


def value_label(value, field: str | None = None) -> str:
    """The label of a JSON value (e.g. "analyse" -> "analys"), from the ontology."""
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if field == "categories":
        return tr(labels().iri_label(URIRef(CATEGORY_PREFIX + str(value).removeprefix(CATEGORY_PREFIX))), str(value))
    if field == "regions":
        from .services import services

        profile = services().rs.profiles.get(str(value))
        return tr(profile.label, str(value)) if profile else str(value)
    iri = labels().value_iri.get(str(value))
    return tr(labels().iri_label(iri), str(value)) if iri is not None else str(value)


def notation_label(kind: str, notation) -> str:
    """Label of a phase, severity, class, tier, qualification outcome or regulation by its notation."""
    if notation is None:
        return ""
    iri = labels().notations.get(kind, {}).get(str(notation))
    return tr(labels().iri_label(iri), str(notation)) if iri is not None else str(notation)


def iri_label(iri) -> str:
    if isinstance(iri, Literal):
        return value_label(iri.toPython()) if isinstance(iri.toPython(), bool) else str(iri)
    return tr(labels().iri_label(URIRef(str(iri))))


def field_labels(fields) -> str:
    return ", ".join(field_label(f) for f in fields or [])


def value_labels(values) -> str:
    return ", ".join(value_label(v) for v in values or [])


def determination_label(key: str) -> str:
    from .services import services

    rs = services().rs
    prop = next((p for p, k in rs.determinations.items() if k == key), None)
    return tr(labels().iri_label(prop), key) if prop is not None else key


def capfirst(text) -> str:
    text = str(text or "")
    return text[:1].upper() + text[1:]


def init_app(app) -> None:
    """Register the template helpers and the language cookie (safe to call more than once)."""
    if not app.extensions.get("kravbib_i18n"):
        app.extensions["kravbib_i18n"] = True
        app.after_request(remember_lang)
    app.add_template_global(t, "t")
    app.add_template_global(tr, "tr")
    app.add_template_global(current_lang, "current_lang")
    app.add_template_global(other_lang, "other_lang")
    app.add_template_global(switch_url, "switch_url")
    app.add_template_global(field_label, "field_label")
    app.add_template_global(value_label, "value_label")
    app.add_template_global(notation_label, "notation_label")
    app.add_template_global(iri_label, "iri_label")
    app.add_template_global(determination_label, "determination_label")
    app.add_template_filter(capfirst, "capfirst")
    app.add_template_filter(field_labels, "field_labels")
    app.add_template_filter(value_labels, "value_labels")


# --- the strings ---------------------------------------------------------------------------------------
# key: {"sv": …, "en": …}. Help texts ("help.<field>") and examples ("example.<field>") for every
# question of the description form are here; the field labels themselves come from the ruleset.
STRINGS: dict[str, dict[str, str]] = {
    # site
    "site.name": {"sv": "kravbib", "en": "kravbib"},
    "site.tagline": {"sv": "Nationellt kravbibliotek för digitala tjänster för ordinerad egenvård",
                     "en": "National requirements library for digital services for prescribed self-care"},
    "skip": {"sv": "Hoppa till innehållet", "en": "Skip to content"},
    "nav.label": {"sv": "Huvudmeny", "en": "Main menu"},
    "nav.start": {"sv": "Start", "en": "Home"},
    "nav.describe": {"sv": "Beskriv en produkt", "en": "Describe a product"},
    "nav.requirements": {"sv": "Kravbiblioteket", "en": "Requirements library"},
    "nav.catalogue": {"sv": "Katalogen", "en": "Catalogue"},
    "nav.concepts": {"sv": "Begrepp", "en": "Concepts"},
    "nav.sparql": {"sv": "SPARQL", "en": "SPARQL"},
    "lang.switch": {"sv": "English", "en": "Svenska"},
    "lang.switch_label": {"sv": "Switch to English", "en": "Byt till svenska"},
    "footer.ruleset": {"sv": "Regelverk {version} ({hash})", "en": "Ruleset {version} ({hash})"},
    "footer.about": {"sv": "kravbib bygger på rapporten Tydligare spelregler och samordning av krav. Bedömningen är ett stöd, inte ett beslut: tillverkaren ansvarar för kvalificering och klassificering.",
                     "en": "kravbib builds on the report Tydligare spelregler och samordning av krav. The assessment is support, not a decision: the manufacturer is responsible for qualification and classification."},
    "footer.data": {"sv": "Öppna data: SPARQL och JSON-API", "en": "Open data: SPARQL and JSON API"},
    "yes": {"sv": "ja", "en": "yes"},
    "no": {"sv": "nej", "en": "no"},
    "dont_know": {"sv": "vet inte", "en": "don't know"},
    "none": {"sv": "ingen", "en": "none"},
    "example": {"sv": "Exempel", "en": "Example"},
    "example_profile": {"sv": "exempel", "en": "example"},
    "json_field": {"sv": "JSON-fält", "en": "JSON field"},
    "error": {"sv": "Fel", "en": "Error"},
    "filter": {"sv": "Filtrera", "en": "Filter"},
    "clear_filters": {"sv": "Rensa filter", "en": "Clear filters"},
    "all": {"sv": "alla", "en": "all"},
    "search": {"sv": "Sök", "en": "Search"},
    "other": {"sv": "Övrigt", "en": "Other"},
    "count_of": {"sv": "{shown} av {total}", "en": "{shown} of {total}"},

    # start page
    "start.title": {"sv": "Vilka regler gäller för din digitala egenvårdstjänst?",
                    "en": "Which rules apply to your digital self-care service?"},
    "start.lead": {"sv": "Beskriv produkten – vad programvaran gör, för vem, med vilket medicinskt ändamål, om den använder AI och om den behandlar hälsodata – och kravbib svarar: är den en medicinteknisk produkt enligt MDR eller IVDR, i vilken klass, krävs ett anmält organ, är den ett AI-system med hög risk, vilka krav från EU, svensk lag, myndigheter, nationella plattformar och regioner som gäller, och vilka frågor en betalare kommer att ställa. Varje svar visar sin kedja av regler och källor.",
                   "en": "Describe the product – what the software does, for whom, with which medical purpose, whether it uses AI and whether it processes health data – and kravbib answers: is it a medical device under the MDR or IVDR, in which class, is a notified body needed, is it a high-risk AI system, which requirements from the EU, Swedish law, authorities, national platforms and regions apply, and which questions a payer will ask. Every answer shows its chain of rules and sources."},
    "start.for_whom": {"sv": "För vem?", "en": "For whom?"},
    "start.vendors": {"sv": "Leverantörer", "en": "Vendors"},
    "start.vendors_text": {"sv": "Se klassificeringen med skäl, varje krav som gäller produkten i varje livscykelfas och vilket underlag som saknas.",
                           "en": "See the classification with its reasons, every requirement that applies to the product in each life-cycle phase and which evidence is missing."},
    "start.regions": {"sv": "Regioner och myndigheter", "en": "Regions and authorities"},
    "start.regions_text": {"sv": "Ett gemensamt kravbibliotek med källor, regionprofiler som tillägg till den nationella baslinjen och en katalog över bedömda produkter.",
                           "en": "A shared requirements library with sources, region profiles as additions to the national baseline and a catalogue of assessed products."},
    "start.integrators": {"sv": "Integratörer", "en": "Integrators"},
    "start.integrators_text": {"sv": "Regler, krav och bedömningar som länkade data: SPARQL-ändpunkt, namngivna frågor och JSON-API.",
                               "en": "Rules, requirements and assessments as linked data: a SPARQL endpoint, named queries and a JSON API."},
    "start.ways_in": {"sv": "Tre vägar in", "en": "Three ways in"},
    "start.way_describe": {"sv": "Beskriv en produkt", "en": "Describe a product"},
    "start.way_describe_text": {"sv": "Ett guidat formulär i steg enligt MDCG 2019-11. Resultatet kan laddas ner, skrivas ut och sparas i katalogen.",
                                "en": "A guided form in steps following MDCG 2019-11. The result can be downloaded, printed and saved in the catalogue."},
    "start.way_library": {"sv": "Bläddra i kravbiblioteket", "en": "Browse the requirements library"},
    "start.way_library_text": {"sv": "{n} aktiva krav, filtrerbara efter utfärdare, fas, kravnivå, riskklass och region – vart och ett med sina källor.",
                               "en": "{n} active requirements, filterable by issuer, phase, severity, device class and region – each with its sources."},
    "start.way_data": {"sv": "Fråga data", "en": "Query the data"},
    "start.way_data_text": {"sv": "SPARQL-ändpunkten /sparql och de namngivna frågorna under /api/queries.",
                            "en": "The SPARQL endpoint /sparql and the named queries under /api/queries."},
    "start.facts": {"sv": "Regelverk {version}: {requirements} krav, {questions} frågor från betalare, {concepts} begrepp.",
                    "en": "Ruleset {version}: {requirements} requirements, {questions} payer questions, {concepts} concepts."},
    "start.disclaimer": {"sv": "kravbib ger ett motiverat stöd, inget myndighetsbeslut. Regionprofilen är ett exempel och inte antagen av någon region.",
                         "en": "kravbib gives reasoned support, not an authority's decision. The region profile is an example and has not been adopted by any region."},

    # describe form
    "describe.title": {"sv": "Beskriv en produkt", "en": "Describe a product"},
    "describe.lead": {"sv": "Svara på frågorna i tur och ordning; de följer beslutsstegen i MDCG 2019-11. Det som du inte vet kan du lämna obesvarat – då säger resultatet vilken fråga som avgör. Bara namn och avsett ändamål är obligatoriska.",
                      "en": "Answer the questions in order; they follow the decision steps of MDCG 2019-11. What you do not know you can leave unanswered – the result then names the question that decides. Only the name and intended purpose are required."},
    "describe.required": {"sv": "obligatorisk", "en": "required"},
    "describe.submit": {"sv": "Bedöm produkten", "en": "Assess the product"},
    "describe.errors_title": {"sv": "Beskrivningen behöver rättas", "en": "The description needs correcting"},
    "describe.errors_lead": {"sv": "Inget har bedömts ännu. Rätta följande och skicka igen; allt du fyllt i finns kvar.",
                             "en": "Nothing has been assessed yet. Correct the following and submit again; everything you entered is kept."},
    "describe.none.functions": {"sv": "Ingen av dessa funktioner", "en": "None of these functions"},
    "describe.none.medical_purposes": {"sv": "Inget medicinskt ändamål", "en": "No medical purpose"},
    "describe.none.integrations": {"sv": "Inga nationella plattformar", "en": "No national platforms"},
    "describe.choose": {"sv": "– välj –", "en": "– choose –"},
    "describe.not_applicable": {"sv": "– vet inte / inte aktuellt –", "en": "– don't know / not applicable –"},
    "describe.evidence_row": {"sv": "Underlag {n}", "en": "Evidence {n}"},
    "describe.answer_row": {"sv": "Svar {n}", "en": "Answer {n}"},
    "describe.answers_optional": {"sv": "Svar på betalarens frågor (valfritt)", "en": "Answers to a payer's questions (optional)"},
    "describe.edit": {"sv": "Ändra beskrivningen", "en": "Edit the description"},
    "step.1": {"sv": "Produkt och avsett ändamål", "en": "Product and intended purpose"},
    "step.2": {"sv": "Är det programvara?", "en": "Is it software?"},
    "step.3": {"sv": "Vad gör programvaran med data?", "en": "What does the software do with data?"},
    "step.4": {"sv": "För enskilda patienter?", "en": "For individual patients?"},
    "step.5": {"sv": "Medicinskt ändamål", "en": "Medical purpose"},
    "step.6": {"sv": "Beslut och övervakning", "en": "Decisions and monitoring"},
    "step.7": {"sv": "Andra produkter och in vitro-diagnostik", "en": "Other devices and in vitro diagnostics"},
    "step.8": {"sv": "AI och data", "en": "AI and data"},
    "step.9": {"sv": "Leverantör, drift och införande", "en": "Vendor, operation and deployment"},
    "step.10": {"sv": "Regioner", "en": "Regions"},
    "step.11": {"sv": "Underlag och svar", "en": "Evidence and answers"},
    "step.intro.1": {"sv": "Vad produkten är och vad tillverkaren avser att den ska användas till.",
                     "en": "What the product is and what the manufacturer intends it to be used for."},
    "step.intro.2": {"sv": "MDCG 2019-11 steg 1.", "en": "MDCG 2019-11 step 1."},
    "step.intro.3": {"sv": "MDCG 2019-11 steg 3: en åtgärd på data utöver lagring, arkivering, kommunikation och enkel sökning.",
                     "en": "MDCG 2019-11 step 3: an action on data beyond storage, archival, communication and simple search."},
    "step.intro.4": {"sv": "MDCG 2019-11 steg 4.", "en": "MDCG 2019-11 step 4."},
    "step.intro.5": {"sv": "MDCG 2019-11 steg 5 och MDR artikel 2.1.", "en": "MDCG 2019-11 step 5 and MDR Article 2(1)."},
    "step.intro.6": {"sv": "MDR bilaga VIII regel 11 a och b.", "en": "MDR Annex VIII Rule 11 (a) and (b)."},
    "step.intro.7": {"sv": "MDCG 2019-11 steg 2, tillbehör (MDR art. 2.2), regel 22 och IVD-stegen.",
                     "en": "MDCG 2019-11 step 2, accessories (MDR Art 2(2)), Rule 22 and the IVD steps."},
    "step.intro.8": {"sv": "AI-förordningen, GDPR och dataförordningen.", "en": "The AI Act, the GDPR and the Data Act."},
    "step.intro.9": {"sv": "Vem som levererar, till vem och hur: avgör svenska krav och plattformskrav.",
                     "en": "Who supplies, to whom and how: decides Swedish and platform requirements."},
    "step.intro.10": {"sv": "Bedöm också mot regioners tillägg till de nationella kraven.",
                      "en": "Also assess against regions' additions to the national requirements."},
    "step.intro.11": {"sv": "Vilket underlag du kan visa; tomma rader ignoreras.",
                      "en": "Which evidence you can show; empty rows are ignored."},
    "field.type": {"sv": "Typ av underlag", "en": "Type of evidence"},
    "field.evidence.id": {"sv": "Beteckning", "en": "Reference"},
    "field.date": {"sv": "Datum", "en": "Date"},
    "field.issued_by": {"sv": "Utfärdat av", "en": "Issued by"},
    "field.question": {"sv": "Fråga", "en": "Question"},
    "field.value": {"sv": "Svar", "en": "Answer"},
    "field.detail": {"sv": "Detalj", "en": "Detail"},
    "field.document": {"sv": "Beskrivningen", "en": "The description"},

    # help texts and examples, one per question
    "help.name": {"sv": "Produktens namn så som den marknadsförs.", "en": "The product's name as it is marketed."},
    "example.name": {"sv": "HjärtSvikt Hemma", "en": "HjärtSvikt Hemma"},
    "help.id": {"sv": "Valfri stabil identifierare (a–z, 0–9, bindestreck). Lämnas den tom skapas den av namnet; samma identifierare uppdaterar samma produkt i katalogen.",
                "en": "Optional stable identifier (a–z, 0–9, hyphens). Left empty, it is made from the name; the same identifier updates the same product in the catalogue."},
    "example.id": {"sv": "hjartsvikt-hemma", "en": "hjartsvikt-hemma"},
    "help.intended_purpose": {"sv": "Tillverkarens avsedda ändamål med egna ord: vad produkten gör, för vem, i vilken situation och vad vården gör med resultatet. Det avsedda ändamålet avgör kvalificering och klass.",
                              "en": "The manufacturer's intended purpose in your own words: what the product does, for whom, in which situation and what care does with the result. The intended purpose decides qualification and class."},
    "example.intended_purpose": {"sv": "Distansövervakning av vuxna med kronisk hjärtsvikt: patienten väger sig varje morgon, appen jämför med individuella gränsvärden och larmar hjärtsviktsmottagningen vid snabb viktuppgång.",
                                 "en": "Remote monitoring of adults with chronic heart failure: the patient weighs every morning, the app compares with individual thresholds and alerts the heart-failure clinic on rapid weight gain."},
    "help.intended_users": {"sv": "Vilka som använder produkten.", "en": "Who uses the product."},
    "example.intended_users": {"sv": "Patient och hälso- och sjukvårdspersonal.", "en": "Patient and healthcare professional."},
    "help.conditions": {"sv": "Tillstånd som produkten är avsedd för, som ICD-10-koder åtskilda med komma.",
                        "en": "Conditions the product is intended for, as ICD-10 codes separated by commas."},
    "example.conditions": {"sv": "I50, E11", "en": "I50, E11"},
    "help.is_software": {"sv": "Är produkten programvara (app, webbtjänst, molntjänst) snarare än hårdvara? Obesvarad räknas som ja.",
                         "en": "Is the product software (app, web service, cloud service) rather than hardware? Unanswered counts as yes."},
    "example.is_software": {"sv": "En mobilapp är programvara: ja.", "en": "A mobile app is software: yes."},
    "help.functions": {"sv": "Vad programvaran gör med data. Enbart lagring, arkivering, kommunikation och enkel sökning gör den inte till en medicinteknisk programvara.",
                       "en": "What the software does with data. Storage, archival, communication and simple search alone do not make it medical device software."},
    "example.functions": {"sv": "En app som jämför mätvärden med gränsvärden och larmar: analys, larm.",
                          "en": "An app that compares readings with thresholds and raises alerts: analysis, alerting."},
    "help.for_individual_patients": {"sv": "Används resultatet för enskilda patienter, inte bara för grupper, statistik eller forskning?",
                                     "en": "Is the result used for individual patients, not only for populations, statistics or research?"},
    "example.for_individual_patients": {"sv": "Larm om en viss patients viktuppgång: ja.", "en": "An alert about one patient's weight gain: yes."},
    "help.medical_purposes": {"sv": "De medicinska ändamål produkten har enligt tillverkaren. Kryssa i ”Inget medicinskt ändamål” för t.ex. en friskvårdsapp.",
                              "en": "The medical purposes the product has according to the manufacturer. Tick “No medical purpose” for e.g. a wellness app."},
    "example.medical_purposes": {"sv": "Övervakning och förebyggande av försämring vid hjärtsvikt.", "en": "Monitoring and prevention of deterioration in heart failure."},
    "help.informs_decisions": {"sv": "Regel 11 a: ger programvaran information som används för beslut i diagnostiskt eller terapeutiskt syfte?",
                               "en": "Rule 11 (a): does the software provide information used to take decisions with diagnostic or therapeutic purposes?"},
    "example.informs_decisions": {"sv": "Sjuksköterskan justerar diuretika efter larmet: ja.", "en": "The nurse adjusts diuretics after the alert: yes."},
    "help.decision_impact": {"sv": "Den värsta följden av ett beslut som fattas med informationen. Besvaras bara om föregående fråga är ja.",
                             "en": "The worst consequence of a decision taken with the information. Answer only if the previous question is yes."},
    "example.decision_impact": {"sv": "En missad försämring vid hjärtsvikt: allvarlig försämring.", "en": "A missed deterioration in heart failure: serious deterioration."},
    "help.monitors_physiological_processes": {"sv": "Regel 11 b: är programvaran avsedd att övervaka fysiologiska processer, t.ex. vikt, blodtryck, puls eller glukos?",
                                              "en": "Rule 11 (b): is the software intended to monitor physiological processes, e.g. weight, blood pressure, pulse or glucose?"},
    "example.monitors_physiological_processes": {"sv": "Daglig uppföljning av vikt och blodtryck: ja.", "en": "Daily follow-up of weight and blood pressure: yes."},
    "help.vital_parameters_immediate_danger": {"sv": "Övervakas vitala parametrar vars variationer kan innebära omedelbar fara för patienten? Kräver ja på föregående fråga.",
                                               "en": "Are vital parameters monitored whose variations could result in immediate danger to the patient? Requires yes to the previous question."},
    "example.vital_parameters_immediate_danger": {"sv": "Morgonvägning hemma: nej. Hjärtrytm under intensivvård: ja.", "en": "Morning weighing at home: no. Heart rhythm in intensive care: yes."},
    "help.drives_or_influences_device": {"sv": "Styr eller påverkar programvaran användningen av en annan (hårdvaru)produkt? Obesvarad räknas som nej.",
                                         "en": "Does the software drive or influence the use of another (hardware) device? Unanswered counts as no."},
    "example.drives_or_influences_device": {"sv": "Appen ställer in en insulinpump: ja.", "en": "The app sets an insulin pump: yes."},
    "help.driven_device_class": {"sv": "Klassen för den produkt som styrs. Fyll bara i om föregående fråga är ja.",
                                 "en": "The class of the driven device. Fill in only if the previous question is yes."},
    "example.driven_device_class": {"sv": "Insulinpump: IIb.", "en": "Insulin pump: IIb."},
    "help.accessory": {"sv": "Är programvaran ett tillbehör till en medicinteknisk produkt (MDR art. 2.2)? Obesvarad räknas som nej.",
                       "en": "Is the software an accessory to a medical device (MDR Art 2(2))? Unanswered counts as no."},
    "example.accessory": {"sv": "En app som bara är avsedd för en viss blodtrycksmätare: ja.", "en": "An app intended only for one blood pressure monitor: yes."},
    "help.autonomous_therapy_adjustment": {"sv": "Regel 22: väljer eller justerar programvaran behandling själv utifrån sin egen diagnostik (sluten slinga)? Obesvarad räknas som nej.",
                                           "en": "Rule 22: does the software select or adjust therapy by itself from its own diagnostic output (closed loop)? Unanswered counts as no."},
    "example.autonomous_therapy_adjustment": {"sv": "Automatisk insulindosering: ja.", "en": "Automated insulin dosing: yes."},
    "help.ivd_data_only": {"sv": "IVD-steg 2: bygger informationen enbart på data från produkter för in vitro-diagnostik, t.ex. laboratorieresultat?",
                           "en": "IVD step 2: is the information based on data from in vitro diagnostic devices only, e.g. laboratory results?"},
    "example.ivd_data_only": {"sv": "Tolkning av provsvar: ja.", "en": "Interpreting test results: yes."},
    "help.ivd_data_driven": {"sv": "IVD-steg 3: drivs informationen väsentligen av data från IVD-produkter, även om andra data också används?",
                             "en": "IVD step 3: is the information substantially driven by data from IVD devices, even if other data are used too?"},
    "example.ivd_data_driven": {"sv": "Riskbedömning som främst vilar på HbA1c: ja.", "en": "A risk score resting mainly on HbA1c: yes."},
    "help.ivd_categories": {"sv": "IVDR bilaga VIII: ändamålen för IVD-programvara. Avgör klass A–D.",
                            "en": "IVDR Annex VIII: the purposes of IVD software. Decide class A–D."},
    "example.ivd_categories": {"sv": "Läsare för hemtest: självtestning.", "en": "A home-test reader: self-testing."},
    "help.uses_ai": {"sv": "Är produkten ett AI-system enligt AI-förordningen art. 3.1, t.ex. maskininlärning som drar slutsatser ur indata? Obesvarad räknas som nej.",
                     "en": "Is the product an AI system under AI Act Art 3(1), e.g. machine learning inferring outputs from input? Unanswered counts as no."},
    "example.uses_ai": {"sv": "En modell tränad på historiska triageärenden: ja.", "en": "A model trained on historical triage cases: yes."},
    "help.ai_interacts_with_persons": {"sv": "AI-förordningen art. 50.1: interagerar AI-systemet direkt med människor?",
                                       "en": "AI Act Art 50(1): does the AI system interact directly with people?"},
    "example.ai_interacts_with_persons": {"sv": "En chattbot som svarar patienter: ja.", "en": "A chatbot answering patients: yes."},
    "help.processes_health_data": {"sv": "GDPR art. 4.15: behandlar produkten uppgifter om hälsa?", "en": "GDPR Art 4(15): does the product process data concerning health?"},
    "example.processes_health_data": {"sv": "Vikt, blodtryck och symtom: ja.", "en": "Weight, blood pressure and symptoms: yes."},
    "help.hosting": {"sv": "Var personuppgifterna behandlas och lagras.", "en": "Where personal data are processed and stored."},
    "example.hosting": {"sv": "Molntjänst i Sverige hos en svensk leverantör: inom EU/EES.", "en": "A cloud service in Sweden from a Swedish provider: within the EU/EEA."},
    "help.connected_product": {"sv": "Dataförordningen: samlar produkten in data om sin användning eller omgivning och kan överföra dem?",
                               "en": "Data Act: does the product obtain data about its use or environment and can it communicate them?"},
    "example.connected_product": {"sv": "En uppkopplad våg som skickar mätvärden: ja.", "en": "A connected scale sending readings: yes."},
    "help.vendor_roles": {"sv": "Leverantörens roller: tillverkare, personuppgiftsbiträde åt en vårdgivare eller själv vårdgivare.",
                          "en": "The vendor's roles: manufacturer, processor for a care provider, or care provider itself."},
    "example.vendor_roles": {"sv": "Tillverkare och personuppgiftsbiträde åt regionen.", "en": "Manufacturer and processor for the region."},
    "help.used_by_public_care": {"sv": "Tillhandahålls tjänsten av eller för en region, kommun eller offentligt finansierad vårdgivare?",
                                 "en": "Is the service provided by or for a region, municipality or publicly funded care provider?"},
    "example.used_by_public_care": {"sv": "Regionen förskriver tjänsten till patienter: ja.", "en": "The region prescribes the service to patients: yes."},
    "help.integrations": {"sv": "Nationella plattformar som tjänsten ansluter till.", "en": "National platforms the service connects to."},
    "example.integrations": {"sv": "Inloggning med e-legitimation och SITHS för personalen.", "en": "Login with e-ID and SITHS for staff."},
    "help.organisation_size": {"sv": "Företagets storlek enligt kommissionens rekommendation 2003/361/EG.", "en": "The company's size under Commission Recommendation 2003/361/EC."},
    "example.organisation_size": {"sv": "Under 50 anställda och högst 10 miljoner euro i omsättning: litet företag.", "en": "Fewer than 50 staff and at most EUR 10 million turnover: small enterprise."},
    "help.placed_on_market": {"sv": "Datum då produkten släpptes ut eller planeras att släppas ut på marknaden (ÅÅÅÅ-MM-DD).",
                              "en": "Date the product was or is planned to be placed on the market (YYYY-MM-DD)."},
    "example.placed_on_market": {"sv": "2026-03-01", "en": "2026-03-01"},
    "help.is_ehr_system": {"sv": "EHDS: är produkten ett system för elektroniska patientjournaler (EHR-system)?",
                           "en": "EHDS: is the product an electronic health record (EHR) system?"},
    "example.is_ehr_system": {"sv": "Ett journalsystem: ja. En egenvårdsapp: oftast nej.", "en": "A record system: yes. A self-care app: usually no."},
    "help.claims_ehr_interoperability": {"sv": "EHDS: påstår tillverkaren att produkten är interoperabel med EHR-system?",
                                         "en": "EHDS: does the manufacturer claim the product is interoperable with EHR systems?"},
    "example.claims_ehr_interoperability": {"sv": "Marknadsförs som att den skickar data till journalen: ja.", "en": "Marketed as sending data to the health record: yes."},
    "help.categories": {"sv": "Katalogens kategorier: tillståndsområde och tjänstetyp. Påverkar inte bedömningen, bara sökning i katalogen.",
                        "en": "The catalogue's categories: condition area and service type. They do not affect the assessment, only catalogue search."},
    "example.categories": {"sv": "hjärtsvikt, distansmonitorering", "en": "heart failure, remote monitoring"},
    "help.regions": {"sv": "Bedöm också mot regionprofiler, regioners tillägg till de nationella kraven.",
                     "en": "Also assess against region profiles, regions' additions to the national requirements."},
    "example.regions": {"sv": "Exempelregion", "en": "Example region"},
    "help.evidence": {"sv": "Underlag du kan visa. Ett krav räknas som uppfyllt när underlag av en typ som kravet godtar finns med.",
                      "en": "Evidence you can show. A requirement counts as met when evidence of a type it accepts is listed."},
    "example.evidence": {"sv": "Konsekvensbedömning avseende dataskydd · DPIA-2025-01 · 2025-09-01", "en": "Data protection impact assessment · DPIA-2025-01 · 2025-09-01"},
    "help.answers": {"sv": "Svar på frågor som en betalare ställer; frågorna och deras svarsalternativ står i resultatet. Kan hoppas över.",
                     "en": "Answers to questions a payer asks; the questions and their choices are listed in the result. May be skipped."},
    "example.answers": {"sv": "BQ-04 · ja · avtal med regionen 2025", "en": "BQ-04 · yes · agreement with the region 2025"},

    # result
    "result.title": {"sv": "Bedömning: {name}", "en": "Assessment: {name}"},
    "result.qualification": {"sv": "Kvalificering", "en": "Qualification"},
    "result.class": {"sv": "Klass", "en": "Class"},
    "result.no_class": {"sv": "ingen klass", "en": "no class"},
    "result.class_undetermined": {"sv": "kan inte avgöras ännu", "en": "cannot be decided yet"},
    "qualification.medical_device": {"sv": "Medicinteknisk produkt", "en": "Medical device"},
    "qualification.ivd_medical_device": {"sv": "Medicinteknisk produkt för in vitro-diagnostik", "en": "In vitro diagnostic medical device"},
    "qualification.not_medical_device": {"sv": "Inte en medicinteknisk produkt", "en": "Not a medical device"},
    "qualification.undetermined": {"sv": "Kan inte avgöras ännu", "en": "Cannot be decided yet"},
    "result.missing": {"sv": "Frågor som avgör och som inte är besvarade", "en": "Deciding questions not yet answered"},
    "result.defaults": {"sv": "Antagna standardvärden (obesvarade frågor)", "en": "Defaults assumed (unanswered questions)"},
    "result.reasoning": {"sv": "Resonemang", "en": "Reasoning"},
    "result.reasoning_lead": {"sv": "Reglerna som tillämpades, i ordning, med premisser, slutsats och källa.",
                              "en": "The rules that applied, in order, with premises, conclusion and source."},
    "result.no_trace": {"sv": "Ingen regel tillämpades.", "en": "No rule applied."},
    "trace.premises": {"sv": "Premisser", "en": "Premises"},
    "trace.conclusion": {"sv": "Slutsats", "en": "Conclusion"},
    "trace.sources": {"sv": "Källa", "en": "Source"},
    "trace.note": {"sv": "Obs", "en": "Note"},
    "trace.show": {"sv": "Visa resonemang", "en": "Show reasoning"},
    "result.determinations": {"sv": "Följdbestämningar", "en": "Determinations"},
    "result.applies_from": {"sv": "gäller från {date}", "en": "applies from {date}"},
    "result.tier": {"sv": "Evidensnivå", "en": "Evidence tier"},
    "result.tier_missing": {"sv": "Evidensnivån kan inte avgöras ännu; besvara: {fields}", "en": "The evidence tier cannot be decided yet; answer: {fields}"},
    "result.tier_undetermined": {"sv": "Evidensnivån kan inte avgöras förrän produkten är kvalificerad.",
                                  "en": "The evidence tier cannot be decided until the product is qualified."},
    "result.standards": {"sv": "Evidensstandarder som nivån kräver", "en": "Evidence standards the tier requires"},
    "result.requirements": {"sv": "Krav som gäller produkten", "en": "Requirements that apply"},
    "result.requirements_lead": {"sv": "Grupperade efter livscykelfas (den första fasen kravet gäller i) och utfärdare.",
                                 "en": "Grouped by life-cycle phase (the first phase the requirement applies in) and issuer."},
    "result.no_requirements": {"sv": "Inga krav gäller.", "en": "No requirements apply."},
    "result.show_status": {"sv": "Visa status", "en": "Show status"},
    "result.filter_phase": {"sv": "Fas", "en": "Phase"},
    "result.filter_issuer": {"sv": "Utfärdare", "en": "Issuer"},
    "result.answer_field": {"sv": "Besvara: {fields}", "en": "Answer: {fields}"},
    "result.evidence_shown": {"sv": "Underlag: {items}", "en": "Evidence: {items}"},
    "result.accepted_evidence": {"sv": "Godtaget underlag: {items}", "en": "Accepted evidence: {items}"},
    "result.region_tag": {"sv": "Region: {region}", "en": "Region: {region}"},
    "result.regions": {"sv": "Regionprofiler", "en": "Region profiles"},
    "result.region_added": {"sv": "Tillagda krav", "en": "Added requirements"},
    "result.questions": {"sv": "Frågor från betalare", "en": "Questions a payer will ask"},
    "result.questions_lead": {"sv": "Frågor som ställs inför förmån eller gemensam upphandling, med varför och var de kommer ifrån.",
                              "en": "Questions asked before reimbursement or joint procurement, with why and where they come from."},
    "result.why": {"sv": "Varför", "en": "Why"},
    "result.anchors": {"sv": "Förankring", "en": "Anchors"},
    "result.depends_on": {"sv": "Beror på: {fields}", "en": "Depends on: {fields}"},
    "result.choices": {"sv": "Svarsalternativ: {choices}", "en": "Choices: {choices}"},
    "result.answer": {"sv": "Svar: {value}", "en": "Answer: {value}"},
    "result.downloads": {"sv": "Ladda ner, skriv ut, spara", "en": "Download, print, save"},
    "result.download_json": {"sv": "Ladda ner JSON", "en": "Download JSON"},
    "result.download_turtle": {"sv": "Ladda ner Turtle (RDF)", "en": "Download Turtle (RDF)"},
    "result.report": {"sv": "Utskriftsvänlig rapport", "en": "Printable report"},
    "result.save": {"sv": "Spara i katalogen", "en": "Save in the catalogue"},
    "result.save_note": {"sv": "Katalogen är öppen: allt som sparas kan läsas av alla via SPARQL.",
                         "en": "The catalogue is open: whatever is saved can be read by anyone through SPARQL."},
    "result.ruleset": {"sv": "Bedömd {on} med regelverk {version} ({hash}).", "en": "Assessed {on} with ruleset {version} ({hash})."},
    "result.saved_product": {"sv": "Sparad i katalogen som {id}.", "en": "Saved in the catalogue as {id}."},
    "result.contents": {"sv": "Innehåll", "en": "Contents"},
    "status.met": {"sv": "uppfyllt", "en": "met"},
    "status.unmet": {"sv": "ej uppfyllt", "en": "unmet"},
    "status.not_yet_applicable": {"sv": "kommande", "en": "upcoming"},
    "status.may_apply": {"sv": "kan gälla", "en": "may apply"},
    "status.information": {"sv": "information", "en": "information"},
    "qstatus.open": {"sv": "öppen", "en": "open"},
    "qstatus.answered": {"sv": "besvarad", "en": "answered"},
    "qstatus.invalid": {"sv": "ogiltigt svar", "en": "invalid answer"},
    "report.title": {"sv": "Rapport: {name}", "en": "Report: {name}"},
    "report.print": {"sv": "Skriv ut / spara som PDF", "en": "Print / save as PDF"},
    "report.print_hint": {"sv": "Använd webbläsarens utskriftsmeny för att skriva ut eller spara som PDF.",
                          "en": "Use the browser's print menu to print or save as PDF."},

    # requirements library
    "req.title": {"sv": "Kravbiblioteket", "en": "The requirements library"},
    "req.lead": {"sv": "Alla aktiva krav från EU, svensk lag och myndigheter, nationella plattformar och regionprofiler. Vilka som gäller en viss produkt avgörs av dess beskrivning; filtret efter riskklass är en förenklad läsning av kravens villkor.",
                 "en": "Every active requirement from the EU, Swedish law and authorities, national platforms and region profiles. Which of them apply to a product is decided by its description; the device-class filter is a simplified reading of the requirements' conditions."},
    "req.issuer": {"sv": "Utfärdare", "en": "Issuer"},
    "req.phase": {"sv": "Livscykelfas", "en": "Life-cycle phase"},
    "req.severity": {"sv": "Kravnivå", "en": "Severity"},
    "req.class": {"sv": "Riskklass", "en": "Device class"},
    "req.class_help": {"sv": "Visar krav vars villkor nämner riskklassen, förordningen, anmält organ eller medicinteknisk produkt och inte utesluter klassen. Krav som gäller oavsett klass visas inte med detta filter.",
                       "en": "Shows requirements whose condition mentions the device class, the regulation, a notified body or medical devices and does not exclude the class. Requirements that apply regardless of class are not shown with this filter."},
    "req.region": {"sv": "Region", "en": "Region"},
    "req.national": {"sv": "Nationell baslinje (utan regionprofil)", "en": "National baseline (no region profile)"},
    "req.q": {"sv": "Sök i id, titel och beskrivning", "en": "Search id, title and description"},
    "req.count": {"sv": "{n} krav", "en": "{n} requirements"},
    "req.none_found": {"sv": "Inga krav matchar filtret.", "en": "No requirements match the filter."},
    "req.id": {"sv": "Id", "en": "Id"},
    "req.name": {"sv": "Krav", "en": "Requirement"},
    "req.valid_from": {"sv": "Gäller från", "en": "Valid from"},
    "req.valid_until": {"sv": "Gäller till", "en": "Valid until"},
    "req.description": {"sv": "Beskrivning", "en": "Description"},
    "req.message": {"sv": "Meddelande när underlag saknas", "en": "Message when evidence is missing"},
    "req.supervisor": {"sv": "Tillsyn", "en": "Supervisor"},
    "req.validity": {"sv": "Giltighet", "en": "Validity"},
    "req.always": {"sv": "i kraft", "en": "in force"},
    "req.sources": {"sv": "Källor", "en": "Sources"},
    "req.see_also": {"sv": "Se även", "en": "See also"},
    "req.satisfied_by": {"sv": "Underlag som uppfyller kravet", "en": "Evidence that satisfies it"},
    "req.no_evidence": {"sv": "Inget: kravet är information och kräver inget underlag.", "en": "None: the requirement is information and asks for no evidence."},
    "req.applicability": {"sv": "När kravet gäller", "en": "When the requirement applies"},
    "req.applies_always": {"sv": "Alltid.", "en": "Always."},
    "req.profile": {"sv": "Regionprofil", "en": "Region profile"},
    "req.products": {"sv": "Produkter i katalogen som kravet gäller", "en": "Catalogued products it applies to"},
    "req.no_products": {"sv": "Ingen produkt i katalogen.", "en": "No product in the catalogue."},
    "req.store_error": {"sv": "Katalogen kunde inte läsas just nu: {error}", "en": "The catalogue could not be read just now: {error}"},
    "req.back": {"sv": "Till kravbiblioteket", "en": "Back to the requirements library"},
    "cond.all": {"sv": "alla dessa gäller:", "en": "all of these hold:"},
    "cond.any": {"sv": "minst en av dessa gäller:", "en": "at least one of these holds:"},
    "cond.not": {"sv": "det gäller inte att:", "en": "it is not the case that:"},
    "cond.is": {"sv": "{prop} är {value}", "en": "{prop} is {value}"},
    "cond.one_of": {"sv": "{prop} är något av: {values}", "en": "{prop} is one of: {values}"},
    "cond.given": {"sv": "{prop} är angiven", "en": "{prop} is given"},
    "cond.class": {"sv": "produkten är en {cls}", "en": "the product is a {cls}"},
    "cond.range": {"sv": "{prop} {op} {value}", "en": "{prop} {op} {value}"},

    # catalogue
    "cat.title": {"sv": "Katalogen", "en": "The catalogue"},
    "cat.lead": {"sv": "Produkter som sparats med sin senaste bedömning. Öppna en produkt för att se bedömningen med dagens regelverk.",
                 "en": "Products saved with their latest assessment. Open a product to see its assessment with today's ruleset."},
    "cat.qualification": {"sv": "Kvalificering", "en": "Qualification"},
    "cat.class": {"sv": "Klass", "en": "Class"},
    "cat.category": {"sv": "Kategori", "en": "Category"},
    "cat.region": {"sv": "Region", "en": "Region"},
    "cat.condition": {"sv": "Tillstånd (ICD-10, början av koden)", "en": "Condition (ICD-10, start of the code)"},
    "cat.tier": {"sv": "Evidensnivå", "en": "Evidence tier"},
    "cat.saved": {"sv": "Sparad", "en": "Saved"},
    "cat.name": {"sv": "Produkt", "en": "Product"},
    "cat.empty": {"sv": "Inga produkter matchar.", "en": "No products match."},
    "cat.count": {"sv": "{n} produkter", "en": "{n} products"},
    "cat.bad_filter": {"sv": "Okänt filtervärde: {error}", "en": "Unknown filter value: {error}"},
    "cat.describe_one": {"sv": "Beskriv och spara en produkt", "en": "Describe and save a product"},

    # concepts
    "concepts.title": {"sv": "Begrepp", "en": "Concepts"},
    "concepts.lead": {"sv": "Begrepp från medicinteknik (MT) och informationsteknik (IT) för digitala tjänster i vården, med definitioner, källor och hur de hänger ihop.",
                      "en": "Terms from medical technology (MT) and information technology (IT) for digital health services, with definitions, sources and how they relate."},
    "concepts.q": {"sv": "Sök bland begrepp och definitioner", "en": "Search terms and definitions"},
    "concepts.count": {"sv": "{n} begrepp", "en": "{n} concepts"},
    "concepts.none": {"sv": "Inga begrepp matchar ”{q}”.", "en": "No concepts match “{q}”."},
    "concepts.alt": {"sv": "Även", "en": "Also"},
    "concepts.definition": {"sv": "Definition", "en": "Definition"},
    "concepts.source": {"sv": "Källa", "en": "Source"},
    "concepts.domain": {"sv": "Domän", "en": "Domain"},
    "concepts.note": {"sv": "Anmärkning", "en": "Note"},
    "concepts.exactMatch": {"sv": "Samma som", "en": "Exact match"},
    "concepts.closeMatch": {"sv": "Nära", "en": "Close match"},
    "concepts.broader": {"sv": "Överordnat", "en": "Broader"},
    "concepts.narrower": {"sv": "Underordnat", "en": "Narrower"},
    "concepts.related": {"sv": "Relaterat", "en": "Related"},
    "concepts.swedish": {"sv": "svenska", "en": "Swedish"},
    "concepts.english": {"sv": "engelska", "en": "English"},

    # query page
    "query.title": {"sv": "Fråga data med SPARQL", "en": "Query the data with SPARQL"},
    "query.lead": {"sv": "Regler, krav, begrepp och katalogens bedömningar är länkade data. Ändpunkten /sparql tar emot SPARQL 1.1-frågor (GET eller POST, endast läsning) och svarar i JSON, XML, CSV, TSV eller Turtle.",
                   "en": "Rules, requirements, concepts and the catalogue's assessments are linked data. The endpoint /sparql takes SPARQL 1.1 queries (GET or POST, read only) and answers in JSON, XML, CSV, TSV or Turtle."},
    "query.query": {"sv": "Fråga", "en": "Query"},
    "query.format": {"sv": "Svarsformat", "en": "Result format"},
    "query.run": {"sv": "Kör frågan", "en": "Run the query"},
    "query.named": {"sv": "Namngivna frågor (/api/queries)", "en": "Named queries (/api/queries)"},
    "query.named_lead": {"sv": "Färdiga frågor för integratörer; parametrar ges i adressen.", "en": "Ready-made queries for integrators; parameters go in the URL."},
    "query.required": {"sv": "krävs", "en": "required"},
    "query.optional": {"sv": "valfri", "en": "optional"},

    # accounts (webapp/auth.py, templates/login.html) and the header's user area
    "user.login": {"sv": "Logga in", "en": "Log in"},
    "user.logout": {"sv": "Logga ut", "en": "Log out"},
    "user.signed_in": {"sv": "Inloggad som {name} ({role})", "en": "Signed in as {name} ({role})"},
    "login.title": {"sv": "Logga in", "en": "Log in"},
    "login.name": {"sv": "Kontonamn", "en": "Account name"},
    "login.password": {"sv": "Lösenord", "en": "Password"},
    "login.submit": {"sv": "Logga in", "en": "Log in"},
    "result.login_to_save": {"sv": "Logga in som leverantör för att spara produkten i katalogen.",
                             "en": "Log in as a vendor to save the product in the catalogue."},
    "nav.regulate": {"sv": "Regelförslag", "en": "Rule proposals"},

    # regulators (webapp/regulate.py, templates/regulate.html, proposal.html, audit.html)
    "regulate.title": {"sv": "Regelförslag", "en": "Rule proposals"},
    "regulate.current": {"sv": "Gällande regelverk", "en": "Current ruleset"},
    "regulate.audit": {"sv": "Granskningslogg", "en": "Audit trail"},
    "regulate.propose": {"sv": "Föreslå en ändring", "en": "Propose a change"},
    "regulate.path": {"sv": "Fil", "en": "File"},
    "regulate.path_help": {"sv": "En fil under rules/ eller shapes/, t.ex. shapes/se/ivo.ttl.",
                           "en": "A file under rules/ or shapes/, e.g. shapes/se/ivo.ttl."},
    "regulate.text": {"sv": "Filens nya innehåll (Turtle)", "en": "The file's new content (Turtle)"},
    "regulate.upload": {"sv": "… eller ladda upp filen", "en": "… or upload the file"},
    "regulate.check": {"sv": "Kontrollera och föreslå", "en": "Check and propose"},
    "regulate.proposals": {"sv": "Förslag", "en": "Proposals"},
    "regulate.proposal": {"sv": "Förslag", "en": "Proposal"},
    "regulate.created": {"sv": "Skapat", "en": "Created"},
    "regulate.author": {"sv": "Förslagsställare", "en": "Author"},
    "regulate.status": {"sv": "Status", "en": "Status"},
    "regulate.none": {"sv": "Inga förslag ännu.", "en": "No proposals yet."},
    "regulate.approved_by": {"sv": "godkänt av", "en": "approved by"},
    "regulate.problems": {"sv": "Problem som kontrollen hittade", "en": "Problems the check found"},
    "regulate.impact": {"sv": "Påverkan på katalogen", "en": "Impact on the catalogue"},
    "regulate.products_change": {"sv": "produkter får en ändrad bedömning", "en": "products get a changed assessment"},
    "regulate.product": {"sv": "Produkt", "en": "Product"},
    "regulate.changes": {"sv": "Ändringar", "en": "Changes"},
    "regulate.approve": {"sv": "Godkänn och publicera", "en": "Approve and publish"},
    "regulate.needs_second": {"sv": "Förslaget behöver godkännas av en annan regelförvaltare.",
                              "en": "The proposal needs the approval of another regulator."},
    "audit.when": {"sv": "När", "en": "When"},
    "audit.who": {"sv": "Vem", "en": "Who"},
    "audit.action": {"sv": "Åtgärd", "en": "Action"},
    "audit.target": {"sv": "Gäller", "en": "Target"},
    "audit.previous": {"sv": "Tidigare", "en": "Previous"},

    # errors
    "error.401": {"sv": "Logga in först", "en": "Log in first"},
    "error.403": {"sv": "Inte tillåtet", "en": "Not allowed"},
    "error.login_to_save": {"sv": "Bara inloggade leverantörer kan spara produkter i katalogen. Logga in och bedöm produkten igen.",
                            "en": "Only vendors who are logged in can save products in the catalogue. Log in and assess the product again."},
    "error.not_vendor": {"sv": "Ditt konto får inte spara produkter i katalogen (det kräver rollen leverantör).",
                         "en": "Your account may not save products in the catalogue (that needs the vendor role)."},
    "error.not_owner": {"sv": "Produkten i katalogen tillhör en annan leverantör. Välj en annan identifierare.",
                        "en": "The product in the catalogue belongs to another vendor. Choose another identifier."},
    "error.404": {"sv": "Sidan finns inte", "en": "Page not found"},
    "error.404_text": {"sv": "Det finns inget här. Kontrollera adressen eller gå till startsidan.", "en": "There is nothing here. Check the address or go to the home page."},
    "error.400": {"sv": "Beskrivningen kunde inte användas", "en": "The description could not be used"},
    "error.503": {"sv": "Tjänsten är inte tillgänglig just nu", "en": "The service is not available just now"},
    "error.bad_format": {"sv": "Okänt format; välj json eller turtle.", "en": "Unknown format; choose json or turtle."},
    "error.no_description": {"sv": "Ingen beskrivning skickades.", "en": "No description was sent."},
}
