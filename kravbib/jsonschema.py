"""A JSON Schema of the product description, derived from the SHACL input shapes (shapes/input)
and the JSON-LD context, so that the OpenAPI document and the shapes cannot drift apart; with what
describe.validated checks beyond the shapes (known questions, categories and region profiles)."""

from __future__ import annotations

from rdflib import BNode, URIRef
from rdflib.collection import Collection

from .namespaces import KB, SH, XSD
from .ruleset import Ruleset, lang_map

DATATYPES = {XSD.string: {"type": "string"}, XSD.boolean: {"type": "boolean"},
             XSD.date: {"type": "string", "format": "date"}, XSD.integer: {"type": "integer"}}


def _property_schema(rs: Ruleset, g, ps) -> dict:
    schema: dict = {}
    datatype = g.value(ps, SH.datatype)
    if datatype in DATATYPES:
        schema.update(DATATYPES[datatype])
    choices = g.value(ps, SH["in"])
    if choices is not None:
        values = [rs.term_of.get(v, str(v)) for v in Collection(g, choices)]
        schema = {"type": "string", "enum": values}
    for key, pred in (("minLength", SH.minLength), ("maxLength", SH.maxLength), ("pattern", SH.pattern)):
        value = g.value(ps, pred)
        if value is not None:
            schema[key] = value.toPython()
    names = lang_map(g, ps, SH.name)
    if names:
        schema["title"] = names.get("en", "")
        schema["description"] = names.get("sv", "")
    max_count = g.value(ps, SH.maxCount)
    if max_count is None or int(max_count) > 1:
        # a list field; like JSON-LD, a single value is accepted for a list of one
        item = {k: v for k, v in schema.items() if k not in ("title", "description")}
        schema = {"anyOf": [{"type": "array", "items": item, **({"maxItems": int(max_count)} if max_count else {})}, item]}
        if names:
            schema["title"], schema["description"] = names.get("en", ""), names.get("sv", "")
    default = g.value(ps, SH.defaultValue)
    if default is not None:
        schema["default"] = default.toPython()
    return schema


def _node_schema(rs: Ruleset, shape: URIRef) -> dict:
    g = rs.input_shapes
    props, required = {}, []
    for ps in g.objects(shape, SH.property):
        path = g.value(ps, SH.path)
        field = rs.field_of.get(path)
        if field is None:
            continue
        props[field] = _property_schema(rs, g, ps)
        min_count = g.value(ps, SH.minCount)
        if min_count is not None and int(min_count) > 0:
            required.append(field)
    return {"type": "object", "properties": props, "required": sorted(required), "additionalProperties": False}


def _has_value(rs: Ruleset, g, ps) -> dict:
    """`sh:path P ; sh:hasValue V` on a single-valued field: the field is there and is V."""
    field, value = rs.field_of.get(g.value(ps, SH.path)), g.value(ps, SH.hasValue)
    if field is None or value is None:
        raise ValueError(f"input shapes: no JSON Schema for the constraint {ps} (only sh:hasValue on a field)")
    value = rs.term_of.get(value, str(value)) if isinstance(value, URIRef) else value.toPython()
    return {"required": [field], "properties": {field: {"const": value}}}


def _contradictions(rs: Ruleset) -> list[dict]:
    """The shapes on products that give some field (sh:targetSubjectsOf), e.g. decision_impact needs
    informs_decisions true, as `if the field is given then ...`."""
    g = rs.input_shapes
    rules = []
    for shape, target in sorted(g.subject_objects(SH.targetSubjectsOf)):
        field = rs.field_of.get(target)
        if field is None:
            continue
        conditions = [_has_value(rs, g, ps) for ps in g.objects(shape, SH.property)]
        alternatives = g.value(shape, SH["or"])
        if alternatives is not None:
            conditions.append({"anyOf": [_has_value(rs, g, ps) for ps in Collection(g, alternatives)]})
        rules.append({"if": {"required": [field]}, "then": {"allOf": conditions}})
    return rules


def product_schema(rs: Ruleset) -> dict:
    """The product description object; evidence and answers as nested objects."""
    base = URIRef("https://w3id.org/kravbib/rules/input/")
    schema = _node_schema(rs, base + "Product")
    evidence = _node_schema(rs, base + "Evidence")
    evidence["properties"]["type"] = {"type": "string", "description": "an evidence type, e.g. dpia",
                                      "enum": sorted(v for k, v in rs.term_of.items() if str(k).startswith(str(KB.Evidence)))}
    answer = _node_schema(rs, base + "Answer")
    answer["properties"]["value"] = {"type": ["string", "boolean", "number"]}
    schema["properties"]["evidence"] = {"type": "array", "items": evidence, "maxItems": 200}
    questions = sorted(q.id for q in rs.questions)          # known questions, each answered at most once
    answer["properties"]["question"] = {**answer["properties"]["question"], "enum": questions}
    schema["properties"]["answers"] = {"type": "array", "items": answer, "maxItems": 100, "allOf": [
        {"contains": {"required": ["question"], "properties": {"question": {"const": q}}}, "minContains": 0, "maxContains": 1}
        for q in questions]}
    category = {"type": "string", "enum": sorted(str(c).rsplit("/", 1)[-1] for c in rs.categories)}
    schema["properties"]["categories"] = {"anyOf": [{"type": "array", "maxItems": 20, "items": category}, category]}
    region = {"type": "string", "enum": sorted(rs.profiles)}          # the shapes give the form; these are known
    schema["properties"]["regions"] = {**schema["properties"]["regions"],
                                       "anyOf": [{"type": "array", "maxItems": 30, "items": region}, region]}
    schema["allOf"] = _contradictions(rs)
    return schema
