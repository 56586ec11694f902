"""The web pages (HTML): start, describe a product and its result, the requirements library, the
catalogue, the MT/IT glossary and a page about querying the data.

Every page works without JavaScript; webapp/static/app.js only adds conveniences (filter chips,
the print button). All output goes through Jinja's autoescaping; nothing the user enters is ever
marked safe, and a Content-Security-Policy allowing only this site's own scripts and styles is
sent with every page as a second line of defence.

The description form posts HTML form fields; they are turned into the JSON description of the
README (the API's input contract) by `form_to_json`, and every later step (download, report, save,
edit, switching language) posts that JSON back as the hidden field `description`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from kravbib import render as kb_render
from kravbib.accounts import AccountError
from kravbib.assess import Assessment, assess_text
from kravbib.catalogue import Filters, NotFound, product_id
from kravbib.describe import InvalidInput, Problem
from kravbib.namespaces import KB
from kravbib.ruleset import lang_map
from kravbib.requirements import Cond, Facts, evaluate
from kravbib.store import StoreError

from . import i18n
from .i18n import CATEGORY_PREFIX, field_label, labels, t, tr
from .auth import current_user
from .services import services

bp = Blueprint("pages", __name__)

VOCABULARY = URIRef("https://w3id.org/kravbib/vocab/MtItVocabulary")
VOCAB_PREFIX = "https://w3id.org/kravbib/vocab/"
EVIDENCE_ROWS = 5
ANSWER_ROWS = 3
MAX_ROWS = 200
STATUSES = ("unmet", "may_apply", "not_yet_applicable", "met", "information")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


@bp.record_once
def _setup(state) -> None:
    app = state.app
    i18n.init_app(app)
    app.add_template_global(lambda: services().rs, "ruleset_info")
    app.add_template_global(current_user, "current_user")
    app.add_template_global(lambda: {r.endpoint for r in app.url_map.iter_rules()}, "url_map_endpoints")
    if "csrf_token" not in app.jinja_env.globals:      # an app without CSRFProtect (e.g. a bare test app)
        app.add_template_global(lambda: "", "csrf_token")
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        # These only compute an assessment from the posted description and change nothing, so a
        # forged request gains nothing; and a long form must not fail because its token expired
        # while the vendor was writing. Saving in the catalogue keeps its CSRF check.
        for view in (describe_submit, describe_edit, describe_download, describe_report):
            csrf.exempt(view)


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@bp.errorhandler(404)
def _not_found(exc):
    """An unknown product or requirement: a page in the site's layout (other unknown addresses get
    the app's own error page, webapp/errors.py)."""
    return Response(render_template("error.html", status=404, title=t("error.404"), text=t("error.404_text")),
                    status=404)


def message_page(status: int, title_key: str, text: str, login: bool = False) -> Response:
    return Response(render_template("error.html", status=status, title=t(title_key), text=text, login=login),
                    status=status)


# --- the description form ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    name: str
    kind: str            # text, textarea, csv, date, bool, radio, select, multi
    required: bool = False
    none: bool = False   # a multi field whose "none of these" box answers with an empty list


STEPS: list[tuple[int, list[Field]]] = [
    (1, [Field("name", "text", required=True), Field("id", "text"), Field("intended_purpose", "textarea", required=True),
         Field("intended_users", "multi"), Field("conditions", "csv")]),
    (2, [Field("is_software", "bool")]),
    (3, [Field("functions", "multi", none=True)]),
    (4, [Field("for_individual_patients", "bool")]),
    (5, [Field("medical_purposes", "multi", none=True)]),
    (6, [Field("informs_decisions", "bool"), Field("decision_impact", "radio"),
         Field("monitors_physiological_processes", "bool"), Field("vital_parameters_immediate_danger", "bool")]),
    (7, [Field("drives_or_influences_device", "bool"), Field("driven_device_class", "select"), Field("accessory", "bool"),
         Field("autonomous_therapy_adjustment", "bool"), Field("ivd_data_only", "bool"), Field("ivd_data_driven", "bool"),
         Field("ivd_categories", "multi")]),
    (8, [Field("uses_ai", "bool"), Field("ai_interacts_with_persons", "bool"), Field("processes_health_data", "bool"),
         Field("hosting", "radio"), Field("connected_product", "bool")]),
    (9, [Field("vendor_roles", "multi"), Field("used_by_public_care", "bool"), Field("integrations", "multi", none=True),
         Field("organisation_size", "radio"), Field("placed_on_market", "date"), Field("is_ehr_system", "bool"),
         Field("claims_ehr_interoperability", "bool"), Field("categories", "multi")]),
    (10, [Field("regions", "multi")]),
]
FIELDS = {f.name: f for _, fields in STEPS for f in fields}
EVIDENCE_KEYS = ("type", "id", "date", "issued_by")
ANSWER_KEYS = ("question", "value", "detail")


@dataclass
class FormState:
    """What the user entered, as the form shows it again (strings and lists of strings)."""
    values: dict = field(default_factory=dict)
    none: set = field(default_factory=set)
    evidence: list = field(default_factory=list)     # [{"type", "id", "date", "issued_by"}]
    answers: list = field(default_factory=list)      # [{"question", "value", "detail"}]

    def padded(self, rows: list, keys: tuple, empty: int) -> list:
        out = [dict(r) for r in rows]
        want = max(empty, len(out) + 2) if out else empty
        while len(out) < min(want, MAX_ROWS):
            out.append({k: "" for k in keys})
        return out

    def evidence_rows(self) -> list:
        return self.padded(self.evidence, EVIDENCE_KEYS, EVIDENCE_ROWS)

    def answer_rows(self) -> list:
        return self.padded(self.answers, ANSWER_KEYS, ANSWER_ROWS)


def _csv(text: str) -> list[str]:
    return [part for part in (p.strip() for p in re.split(r"[,;\s]+", text)) if part]


def _answer_value(question_id: str, raw: str):
    """The JSON value of an answer typed in the form, by the question's answer type."""
    q = next((q for q in services().rs.questions if q.id == question_id), None)
    kind = str(q.answer_type).rsplit("#", 1)[-1] if q is not None else "AnswerText"
    low = raw.strip().lower()
    if kind == "AnswerBoolean" and low in ("true", "false", "ja", "nej", "yes", "no"):
        return low in ("true", "ja", "yes")
    if kind == "AnswerNumber":
        try:
            return int(low) if re.fullmatch(r"-?\d+", low) else float(low.replace(",", "."))
        except ValueError:
            return raw
    return raw


def form_to_json(form) -> tuple[dict, FormState, list[int]]:
    """The JSON description from the form fields: empty fields are left out, an unticked list is
    left out, and a list is given as empty only when its "none of these" box is ticked.
    Returns the description, the state to show the form again, and for each evidence item the
    form row it came from."""
    obj: dict = {}
    state = FormState()
    for f in FIELDS.values():
        if f.kind == "multi":
            chosen = [v for v in form.getlist(f.name) if v]
            state.values[f.name] = chosen
            if f.none and form.get(f.name + "__none"):
                state.none.add(f.name)
            if chosen:
                obj[f.name] = [CATEGORY_PREFIX + v if f.name == "categories" else v for v in chosen]
            elif f.name in state.none:
                obj[f.name] = []
            continue
        raw = form.get(f.name, "")
        state.values[f.name] = raw
        value = raw.strip()
        if not value:
            continue
        if f.kind == "bool":
            if value in ("true", "false"):
                obj[f.name] = value == "true"
        elif f.kind == "csv":
            obj[f.name] = _csv(value)
        else:
            obj[f.name] = value
    rows = []
    for i in range(min(_int(form.get("evidence_rows"), EVIDENCE_ROWS), MAX_ROWS)):
        row = {k: form.get(f"evidence-{i}-{k}", "") for k in EVIDENCE_KEYS}
        if any(v.strip() for v in row.values()):
            state.evidence.append(row)
            rows.append(len(state.evidence) - 1)
            obj.setdefault("evidence", []).append({k: v.strip() for k, v in row.items() if v.strip()})
    for i in range(min(_int(form.get("answers_rows"), ANSWER_ROWS), MAX_ROWS)):
        row = {k: form.get(f"answers-{i}-{k}", "") for k in ANSWER_KEYS}
        if any(v.strip() for v in row.values()):
            state.answers.append(row)
            item = {"question": row["question"].strip()}
            if row["value"].strip():
                item["value"] = _answer_value(item["question"], row["value"])
            if row["detail"].strip():
                item["detail"] = row["detail"].strip()
            obj.setdefault("answers", []).append(item)
    return obj, state, rows


def json_to_state(obj) -> FormState:
    """The form state for a JSON description (to edit it, or to show it again with its errors)."""
    state = FormState()
    if not isinstance(obj, dict):
        return state

    def text(v) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        return "" if v is None else str(v) if not isinstance(v, (list, dict)) else json.dumps(v, ensure_ascii=False)

    for f in FIELDS.values():
        if f.name not in obj:
            continue
        value = obj[f.name]
        if f.kind == "multi":
            items = value if isinstance(value, list) else [value]
            state.values[f.name] = [str(v).removeprefix(CATEGORY_PREFIX) if f.name == "categories" else text(v)
                                    for v in items]
            if value == [] and f.none:
                state.none.add(f.name)
        elif f.kind == "csv":
            state.values[f.name] = ", ".join(text(v) for v in value) if isinstance(value, list) else text(value)
        else:
            state.values[f.name] = text(value)
    for item in obj.get("evidence") or []:
        if isinstance(item, dict):
            state.evidence.append({k: text(item.get(k)) for k in EVIDENCE_KEYS})
    for item in obj.get("answers") or []:
        if isinstance(item, dict):
            state.answers.append({k: text(item.get(k)) for k in ANSWER_KEYS})
    return state


def _int(value, default: int) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


def _problem_message(p: Problem) -> str:
    message = tr(p.message)
    return f"{message} ({p.value})" if p.value else message


def place_errors(problems: list[Problem], state: FormState, rows: list[int] | None = None) -> tuple[dict, dict, list]:
    """Where each problem is shown: by form field, by evidence/answer row, and the list for the
    summary at the top ([(anchor, label, message)])."""
    by_field: dict = {}
    by_row: dict = {}
    summary = []
    for p in problems:
        message = _problem_message(p)
        top, _, sub = p.field.partition(".")
        anchor, label = "form-errors", t("field.document")
        if top in FIELDS:
            by_field.setdefault(top, []).append(message)
            anchor, label = "f-" + top, field_label(top)
            # a contradiction names a second field in its message: show it there too
            for other in FIELDS:
                if other != top and re.search(rf"\b{re.escape(other)}\b", p.message.get("en", "")):
                    by_field.setdefault(other, []).append(message)
        elif top in ("evidence", "answers"):
            items = state.evidence if top == "evidence" else state.answers
            key = sub or None
            index = None
            if p.value is not None and key:
                index = next((i for i, r in enumerate(items) if r.get(key, "").strip() == p.value), None)
            if index is None and p.value is not None and top == "answers":
                index = next((i for i, r in enumerate(items) if r.get("question", "").strip() == p.value), None)
            if index is not None:
                by_row.setdefault((top, index), []).append(message)
                anchor = f"{top}-{index}-{key or 'question'}"
            else:
                by_field.setdefault(top, []).append(message)
                anchor = "f-" + top
            label = field_label(top)
        else:
            by_field.setdefault("(document)", []).append(message)
        summary.append((anchor, label, message))
    return by_field, by_row, summary


def form_options() -> dict:
    """The choices of every list and choice field, from the input shapes and the ruleset."""
    lab = labels()
    rs = services().rs
    options = {name: lab.field_values.get(name, []) for name, f in FIELDS.items()
               if f.kind in ("multi", "radio", "select")}
    options["regions"] = sorted(rs.profiles)
    options["categories"] = [c["notation"] for facet in lab.categories for c in facet["children"]]
    return options


def render_form(state: FormState, problems: list[Problem] | None = None, rows=None, status: int = 200,
                description: str | None = None):
    by_field, by_row, summary = place_errors(problems or [], state, rows)
    rs = services().rs
    body = render_template(
        "describe.html", steps=STEPS, state=state, options=form_options(), errors=by_field, row_errors=by_row,
        summary=summary, evidence_types=sorted(labels().evidence_types, key=lambda v: i18n.value_label(v).lower()), categories=labels().categories,
        profiles=rs.profiles, questions=rs.questions, description=description)
    return Response(body, status=status)


# --- assessing ---------------------------------------------------------------------------------------
def _ui_problem(field: str, key: str) -> Problem:
    entry = i18n.STRINGS[key]
    return Problem(field, {"sv": entry["sv"], "en": entry["en"]})


def _description_text() -> str | None:
    text = request.form.get("description")
    return text if text and text.strip() else None


def _assess(text: str) -> Assessment:
    return assess_text(text, services().rs)


def problems_page(problems: list[Problem], status: int = 400):
    body = render_template("error.html", status=status, title=t("error.400"),
                           problems=[(p.field, _problem_message(p)) for p in problems])
    return Response(body, status=status)


def result_context(a: Assessment, description: str | None = None, catalogue_id: str | None = None) -> dict:
    result = a.to_json()
    return {"result": result, "groups": requirement_groups(result["requirements"]),
            "counts": {s: sum(r["status"] == s for r in result["requirements"]) for s in STATUSES},
            "description": description, "catalogue_id": catalogue_id,
            "issuers": _issuers(result["requirements"]), "phases": labels().phase_order}


def requirement_groups(requirements: list[dict]) -> list[dict]:
    """[{"phase", "issuers": [{"key", "label", "items"}]}] in life-cycle order; a requirement is
    listed under the first phase it belongs to (as in the text checklist)."""
    order = labels().phase_order

    def first_phase(r) -> str:
        phase = r["phase"][0] if r["phase"] else "other"
        return phase if phase in order else "other"

    groups = []
    for phase in order + ["other"]:
        in_phase = [r for r in requirements if first_phase(r) == phase]
        if not in_phase:
            continue
        by_issuer: dict = {}
        for r in in_phase:
            issuer = r["issuer"] or {"id": "", "label": {}}
            by_issuer.setdefault(issuer["id"], {"key": _key(issuer["id"]), "label": tr(issuer["label"], "–"),
                                                "reqs": []})["reqs"].append(r)
        groups.append({"phase": phase, "issuers": sorted(by_issuer.values(), key=lambda g: g["label"].lower())})
    return groups


def _issuers(requirements: list[dict]) -> list[tuple[str, str]]:
    seen = {}
    for r in requirements:
        if r["issuer"]:
            seen[_key(r["issuer"]["id"])] = tr(r["issuer"]["label"])
    return sorted(seen.items(), key=lambda kv: kv[1].lower())


def _key(iri: str) -> str:
    """A short, URL- and attribute-friendly key for an IRI (its last segment)."""
    return re.split(r"[#/]", str(iri).rstrip("/#"))[-1] if iri else ""


# --- routes: start, describe, result --------------------------------------------------------------------
@bp.get("/")
def start():
    rs = services().rs
    concepts = len(set(rs.graph.subjects(SKOS.inScheme, VOCABULARY)))
    return render_template("start.html", n_requirements=len(rs.requirements), n_questions=len(rs.questions),
                           n_concepts=concepts)


@bp.get("/describe")
def describe_form():
    return render_form(FormState())


@bp.post("/describe")
def describe_submit():
    description = _description_text()
    if description is not None:                  # the JSON posted back (language switch, edit)
        try:
            obj = json.loads(description)
        except ValueError:
            obj = None
        state, rows, text = json_to_state(obj), None, description
    else:
        obj, state, rows = form_to_json(request.form)
        text = json.dumps(obj, ensure_ascii=False)
    try:
        a = _assess(text)
    except InvalidInput as exc:
        return render_form(state, exc.problems, rows, status=400, description=text)
    return render_template("result.html", **result_context(a, description=text))


@bp.post("/describe/edit")
def describe_edit():
    description = _description_text()
    try:
        obj = json.loads(description) if description else {}
    except ValueError:
        obj = {}
    return render_form(json_to_state(obj), description=description)


@bp.post("/describe/download")
def describe_download():
    fmt = request.args.get("format") or request.form.get("format") or "json"
    if fmt not in ("json", "turtle"):
        return problems_page([_ui_problem("format", "error.bad_format")])
    a, description, refusal = _posted_assessment()
    return refusal or download(a, fmt)


def download(a: Assessment, fmt: str) -> Response:
    pid = str(a.node).rsplit("/", 1)[-1]
    if fmt == "turtle":
        body, mimetype, ext = kb_render.to_turtle(a), "text/turtle", "ttl"
    else:
        body, mimetype, ext = json.dumps(a.to_json(), ensure_ascii=False, indent=2) + "\n", "application/json", "json"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{pid}-kravbib.{ext}"'
    return response


@bp.post("/describe/report")
def describe_report():
    a, description, refusal = _posted_assessment()
    return refusal or render_template("report.html", **result_context(a, description=description))


def _posted_assessment():
    """(assessment, description, None) for the description posted in the hidden field, or
    (None, None, the problems page) when it is missing or invalid."""
    description = _description_text()
    if description is None:
        return None, None, problems_page([_ui_problem("description", "error.no_description")])
    try:
        return _assess(description), description, None
    except InvalidInput as exc:
        return None, None, problems_page(exc.problems)


# --- routes: the catalogue ---------------------------------------------------------------------------------
@bp.post("/catalogue/save")
def catalogue_save():
    """Save the posted description in the catalogue: as the API, only a vendor (or admin) may, and
    a vendor only its own products (webapp/api.py, kravbib/accounts.py)."""
    user = current_user()
    if user is None:
        return message_page(401, "error.401", t("error.login_to_save"), login=True)
    if not user.can("save_product"):
        return message_page(403, "error.403", t("error.not_vendor"))
    description = _description_text()
    if description is None:
        return problems_page([_ui_problem("description", "error.no_description")])

    def authorise(pid: str) -> None:
        try:
            services().accounts.claim(pid, user)
        except AccountError:
            raise Forbidden() from None

    try:
        a = services().catalogue.save(description, actor=user.name, authorise=authorise)
    except InvalidInput as exc:
        return problems_page(exc.problems)
    except Forbidden:
        return message_page(403, "error.403", t("error.not_owner"))
    except StoreError as exc:
        return message_page(503, "error.503", str(exc))
    return redirect(url_for("pages.catalogue_product", pid=product_id(a.node)), code=303)


class Forbidden(Exception):
    pass


CATALOGUE_FILTERS = ("qualification", "class", "category", "region", "condition")


@bp.get("/catalogue")
def catalogue_list():
    chosen = {k: request.args.get(k, "").strip() for k in CATALOGUE_FILTERS}
    filters = Filters(qualification=chosen["qualification"] or None, device_class=chosen["class"] or None,
                      category=chosen["category"] or None, region=chosen["region"] or None,
                      condition=chosen["condition"] or None)
    products, error, status = [], None, 200
    try:
        products = services().catalogue.list(filters)
    except ValueError as exc:
        error, status = t("cat.bad_filter", error=str(exc)), 400
    except StoreError as exc:
        error, status = t("req.store_error", error=str(exc)), 503
    lab = labels()
    body = render_template("catalogue.html", products=products, chosen=chosen, error=error,
                           qualifications=["medical_device", "ivd_medical_device", "not_medical_device"],
                           classes=_classes(), categories=lab.categories, profiles=services().rs.profiles)
    return Response(body, status=status)


def _classes() -> list[str]:
    order = ["I", "IIa", "IIb", "III", "A", "B", "C", "D"]
    return [c for c in order if c in labels().notations["class"]]


class _Unusable(Exception):
    """A stored description the current ruleset no longer accepts."""

    def __init__(self, problems):
        self.problems = problems


def _stored(pid: str) -> Assessment:
    try:
        return services().catalogue.assess(pid)
    except NotFound:
        abort(404)
    except InvalidInput as exc:
        raise _Unusable(exc.problems) from None


@bp.errorhandler(_Unusable)
def _unusable(exc: _Unusable):
    return problems_page(exc.problems, status=409)


@bp.get("/catalogue/<pid>")
def catalogue_product(pid: str):
    a = _stored(pid)
    return render_template("result.html", **result_context(a, catalogue_id=pid))


@bp.get("/catalogue/<pid>/report")
def catalogue_report(pid: str):
    a = _stored(pid)
    return render_template("report.html", **result_context(a, catalogue_id=pid))


@bp.get("/catalogue/<pid>/download")
def catalogue_download(pid: str):
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "turtle"):
        return problems_page([_ui_problem("format", "error.bad_format")])
    return download(_stored(pid), fmt)


# --- routes: the requirements library -------------------------------------------------------------------------
CLASS_PATHS = (KB.deviceClass, KB.regulation, KB.qualification, KB.notifiedBodyRequired)
DEVICE_TYPES = (KB.MedicalDevice, KB.MedicalDeviceSoftware, KB.IVDMedicalDevice)


class _ClassFacts(Facts):
    """Facts of an imagined product of one device class: the class-related facts are known (absent
    means false), everything else is unknown."""

    def unknown_fields(self, path):
        return None if path in CLASS_PATHS else ["other facts"]


def class_facts(notation: str) -> Facts | None:
    lab = labels()
    rs = services().rs
    cls = lab.notations["class"].get(notation)
    if cls is None:
        return None
    ivd = notation in ("A", "B", "C", "D")
    regulation, outcome = (KB.IVDR, KB.OutcomeIVDMedicalDevice) if ivd else (KB.MDR, KB.OutcomeMedicalDevice)
    types = set(rs.superclasses.get(KB.MedicalDeviceSoftware, {KB.MedicalDeviceSoftware}))
    if ivd:
        types |= rs.superclasses.get(KB.IVDMedicalDevice, {KB.IVDMedicalDevice})
    notified = notation not in ("I", "A")      # MDR Art 52 / IVDR Art 48, as rules/eu/determinations.ttl
    values = {KB.deviceClass: {cls}, KB.regulation: {regulation}, KB.qualification: {outcome},
              KB.notifiedBodyRequired: {Literal(notified)}}
    return _ClassFacts(values, types, {}, [])


def mentions_class(cond: Cond, negated: bool = False) -> bool:
    """Does the condition depend (outside sh:not) on the class, the regulation, the qualification,
    the notified body, or on the product being a medical device?"""
    if cond.kind == "not":
        return mentions_class(cond.children[0], not negated)
    if cond.kind in ("and", "or"):
        return any(mentions_class(c, negated) for c in cond.children)
    if negated:
        return False
    if cond.kind == "class":
        return bool(cond.values & set(DEVICE_TYPES))
    return cond.path in CLASS_PATHS


def shown_for_class(req, facts: Facts) -> bool:
    """The device-class filter of the library. Simple and honest: a requirement is shown for class
    X when its compiled applicability (a) mentions, outside a negation, kb:deviceClass, kb:regulation,
    kb:qualification, kb:notifiedBodyRequired or the classes kb:MedicalDevice / MedicalDeviceSoftware /
    IVDMedicalDevice, and (b) is not false for a product of class X (its class, regulation,
    qualification and notified-body facts known, every other fact unknown, evaluated in the same
    three-valued logic as an assessment). Requirements that apply whatever the class are not shown;
    the page says so. The assessment of a real product is authoritative."""
    if req.applies is None or not mentions_class(req.applies):
        return False
    value, _ = evaluate(req.applies, facts)
    return value is not False


@bp.get("/requirements")
def requirements_list():
    rs = services().rs
    lab = labels()
    chosen = {k: request.args.get(k, "").strip() for k in ("issuer", "phase", "severity", "class", "region", "q")}
    issuers = {}
    for r in rs.requirements:
        if r.issuer is not None:
            issuers[_key(r.issuer)] = i18n.iri_label(r.issuer)
    facts = class_facts(chosen["class"]) if chosen["class"] else None
    profiles = {p.iri: pid for pid, p in rs.profiles.items()}
    query = chosen["q"].lower()
    shown = []
    for r in sorted(rs.requirements, key=lambda r: r.id):
        if chosen["issuer"] and _key(r.issuer or "") != chosen["issuer"]:
            continue
        if chosen["phase"] and lab.notations["phase"].get(chosen["phase"]) not in r.phases:
            continue
        if chosen["severity"] and lab.notations["severity"].get(chosen["severity"]) != r.severity:
            continue
        if chosen["class"] and (facts is None or not shown_for_class(r, facts)):
            continue
        region = profiles.get(r.profile) if r.profile is not None else None
        if chosen["region"] == "national" and r.profile is not None:
            continue
        if chosen["region"] and chosen["region"] != "national" and region != chosen["region"]:
            continue
        if query and not any(query in text.lower() for text in
                             [r.id, *r.title.values(), *r.description.values()]):
            continue
        shown.append(_requirement_row(r, region))
    return render_template("requirements.html", requirements=shown, total=len(rs.requirements), chosen=chosen,
                           issuers=sorted(issuers.items(), key=lambda kv: kv[1].lower()),
                           phases=lab.phase_order, severities=sorted(lab.notations["severity"]),
                           classes=_classes(), profiles=rs.profiles)


def _requirement_row(r, region: str | None) -> dict:
    lab = labels()
    rs = services().rs
    return {"id": r.id, "title": r.title, "issuer": i18n.iri_label(r.issuer) if r.issuer is not None else "",
            "phases": [p for p in lab.phase_order if lab.notations["phase"][p] in r.phases],
            "severity": i18n.notation_label("severity", rs.graph.value(r.severity, SKOS.notation)),
            "valid_from": r.valid_from.isoformat() if r.valid_from else None,
            "valid_until": r.valid_until.isoformat() if r.valid_until else None, "region": region}


@bp.get("/requirements/<rid>")
def requirement_page(rid: str):
    rs = services().rs
    req = next((r for r in rs.requirements if r.id == rid), None)
    if req is None:
        abort(404)
    region = next((p for p in rs.profiles.values() if p.iri == req.profile), None) if req.profile else None
    products, store_error = [], None
    query = f"""PREFIX kb: <{KB}>
SELECT ?p ?name ?status WHERE {{
  ?a a kb:Assessment ; kb:about ?p ; kb:requirementResult ?rr .
  ?rr kb:requirement <{req.iri}> ; kb:status ?status .
  OPTIONAL {{ ?p kb:name ?name }}
}} ORDER BY ?name ?p LIMIT 1000"""
    # The page's own, fixed query runs on the store directly, as the catalogue list does, not through
    # the public SPARQL endpoint's path (Services.run_query): there it would compete with SPARQL
    # clients for the few query workers (a visitor's page failing with "every query worker is busy"
    # because integrators are querying) and run over an explicit list of every public graph instead
    # of the union default graph, which is two orders of magnitude slower (and grows with the
    # catalogue). It reads only assessments, nothing private.
    svc = services()
    try:
        seen = set()
        for row in svc.store.run(query, limit=1000, timeout=svc.timeout).rows:
            if row["p"] in seen:
                continue
            seen.add(row["p"])
            try:
                pid = product_id(row["p"])
            except StoreError:
                continue
            products.append({"id": pid, "name": str(row.get("name") or pid), "status": str(row["status"])})
    except StoreError as exc:
        store_error = str(exc)
    evidence = sorted((rs.term_of.get(e, str(e)) for e in req.satisfied_by),
                      key=lambda v: i18n.value_label(v).lower())
    return render_template(
        "requirement.html", req=req, row=_requirement_row(req, region.id if region else None), region=region,
        sources=[rs.source(s) for s in req.sources],
        see_also=[rs.source(s) for s in sorted(rs.graph.objects(req.iri, RDFS.seeAlso))],
        supervisor=i18n.iri_label(req.supervisor) if req.supervisor is not None else None,
        evidence=evidence, condition=cond_words(req.applies) if req.applies is not None else None,
        products=products, store_error=store_error)


def cond_words(cond: Cond) -> dict:
    """A requirement's applicability as a tree of sentences: {"text", "children"}."""
    rs = services().rs
    if cond.kind in ("and", "or"):
        return {"text": t("cond.all" if cond.kind == "and" else "cond.any"),
                "children": [cond_words(c) for c in cond.children]}
    if cond.kind == "not":
        return {"text": t("cond.not"), "children": [cond_words(cond.children[0])]}
    if cond.kind == "class":
        return {"text": t("cond.class", cls=", ".join(sorted(i18n.iri_label(v) for v in cond.values))), "children": []}
    prop = i18n.iri_label(cond.path)
    field_name = rs.field_of.get(cond.path)
    if cond.kind == "range":
        parts = [t("cond.range", prop=prop, op=op, value=str(bound)) for op, bound in cond.bounds]
        return {"text": "; ".join(parts), "children": [], "field": field_name}
    if cond.values is None:
        return {"text": t("cond.given", prop=prop), "children": [], "field": field_name}
    values = sorted(i18n.iri_label(v) for v in cond.values)
    if len(values) == 1:
        return {"text": t("cond.is", prop=prop, value=values[0]), "children": [], "field": field_name}
    return {"text": t("cond.one_of", prop=prop, values=", ".join(values)), "children": [], "field": field_name}


# --- routes: concepts and querying ------------------------------------------------------------------------------
RELATIONS = ("exactMatch", "closeMatch", "broader", "narrower", "related")


@bp.get("/concepts")
def concepts():
    rs = services().rs
    graph = rs.graph
    q = request.args.get("q", "").strip()
    members = set(graph.subjects(SKOS.inScheme, VOCABULARY))
    out = []
    for c in members:
        pref = lang_map(graph, c, SKOS.prefLabel)
        alts = {"sv": sorted(str(o) for o in graph.objects(c, SKOS.altLabel) if getattr(o, "language", None) == "sv"),
                "en": sorted(str(o) for o in graph.objects(c, SKOS.altLabel) if getattr(o, "language", None) == "en")}
        definition = lang_map(graph, c, SKOS.definition)
        if q:
            haystack = " ".join([*pref.values(), *alts["sv"], *alts["en"], *definition.values()]).lower()
            if q.lower() not in haystack:
                continue
        sources = []
        for s in graph.objects(c, DCTERMS.source):
            if isinstance(s, URIRef):
                sources.append(rs.source(s))
            else:
                sources.append({"id": None, "label": {"sv": str(s), "en": str(s)}, "url": None})
        relations = []
        for rel in RELATIONS:
            targets = []
            for o in sorted(graph.objects(c, SKOS[rel]), key=str):
                if o in members:
                    targets.append({"anchor": _concept_anchor(o), "label": tr(lang_map(graph, o, SKOS.prefLabel))})
                else:
                    targets.append({"anchor": None, "label": i18n.iri_label(o), "iri": str(o)})
            if targets:
                relations.append((rel, targets))
        out.append({
            "anchor": _concept_anchor(c), "iri": str(c), "pref": pref, "alts": alts, "definition": definition,
            "sources": sources, "domains": sorted(i18n.iri_label(d) for d in graph.objects(c, KB.domain)),
            "notes": [tr(lang_map(graph, c, p)) for p in (SKOS.scopeNote, SKOS.note, RDFS.comment)
                      if lang_map(graph, c, p)],
            "relations": relations,
        })
    out.sort(key=lambda c: tr(c["pref"]).lower())
    return render_template("concepts.html", concepts=out, q=q, total=len(members))


def _concept_anchor(iri) -> str:
    return str(iri).removeprefix(VOCAB_PREFIX).replace("/", "-")


@bp.get("/query")
def query_page():
    example = f"""PREFIX kb: <{KB}>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT ?id ?title WHERE {{
  ?r a kb:Requirement ; dcterms:identifier ?id ; sh:name ?title .
  FILTER (LANG(?title) = "{i18n.current_lang()}")
}} ORDER BY ?id LIMIT 20"""
    return render_template("query.html", example=example, queries=sorted(services().queries.values(),
                                                                         key=lambda q: q.name))
