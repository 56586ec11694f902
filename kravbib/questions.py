"""Benefit-scheme questions: what a payer will ask, derived from the product, and the vendor's answers.

A question is a sh:NodeShape typed kb:BenefitQuestion in shapes/benefit/. It says when it is asked
(kb:askedWhen, the same SHACL subset as a requirement's kb:appliesWhen), what kind of answer it
takes (kb:answerType, kb:choice, kb:detailRequired) and which anchors it comes from (dcterms:source).
At load, each question's answer type becomes a small SHACL shape for its answers; a vendor's answer
is validated with pySHACL against that shape, so an answer is `answered` or `invalid` (with the
reason), and an unanswered question that is asked is `open`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from .locks import SHAPES_LOCK
from .namespaces import DCTERMS, KB, RDF, SH, XSD
from .requirements import Cond, compile_when

ANSWER_DATATYPES = {
    KB.AnswerBoolean: [XSD.boolean],
    KB.AnswerNumber: [XSD.integer, XSD.decimal, XSD.double],
    KB.AnswerText: [XSD.string],
    KB.AnswerChoice: [XSD.string],
    KB.AnswerDate: [XSD.string],
}
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


@dataclass
class Question:
    iri: URIRef
    id: str
    title: dict
    text: dict
    why: dict
    sources: list
    answer_type: URIRef
    choices: list
    detail_required: bool
    order: int
    asked: Cond | None
    answer_shape: URIRef          # IRI of the generated SHACL shape for this question's answers


def _answer_shape(shapes: Graph, q_iri: URIRef, answer_type, choices, detail_required) -> URIRef:
    """Write the SHACL shape an answer to this question must conform to into `shapes`."""
    shape = URIRef(str(q_iri) + "#answer")
    shapes.add((shape, RDF.type, SH.NodeShape))
    value = BNode()
    shapes.add((shape, SH.property, value))
    shapes.add((value, SH.path, KB.answerValue))
    shapes.add((value, SH.minCount, Literal(1)))
    shapes.add((value, SH.maxCount, Literal(1)))
    datatypes = ANSWER_DATATYPES.get(answer_type, [XSD.string])
    if len(datatypes) == 1:
        shapes.add((value, SH.datatype, datatypes[0]))
    else:
        alternatives = []
        for dt in datatypes:
            alt = BNode()
            shapes.add((alt, SH.datatype, dt))
            alternatives.append(alt)
        lst = BNode()
        Collection(shapes, lst, alternatives)
        shapes.add((value, SH["or"], lst))
    if answer_type == KB.AnswerChoice and choices:
        lst = BNode()
        Collection(shapes, lst, [Literal(c) for c in choices])
        shapes.add((value, SH["in"], lst))
    if answer_type == KB.AnswerDate:
        shapes.add((value, SH.pattern, Literal(DATE_PATTERN)))
    if detail_required:
        detail = BNode()
        shapes.add((shape, SH.property, detail))
        shapes.add((detail, SH.path, KB.answerDetail))
        shapes.add((detail, SH.minCount, Literal(1)))
        shapes.add((detail, SH.datatype, XSD.string))
        shapes.add((detail, SH.minLength, Literal(1)))
    return shape


def compile_questions(g: Graph) -> tuple[list[Question], Graph]:
    from .ruleset import lang_map

    questions, shapes = [], Graph()
    for iri in sorted(set(g.subjects(RDF.type, KB.BenefitQuestion))):
        if g.value(iri, SH.deactivated) == Literal(True):
            continue
        asked = compile_when(g, iri, KB.askedWhen, "question")
        answer_type = g.value(iri, KB.answerType) or KB.AnswerText
        choices = sorted(str(c) for c in g.objects(iri, KB.choice))
        detail = g.value(iri, KB.detailRequired) == Literal(True)
        order = g.value(iri, KB.order)
        ident = g.value(iri, DCTERMS.identifier)
        questions.append(Question(
            iri=iri, id=str(ident) if ident else str(iri).rsplit("/", 1)[-1],
            title=lang_map(g, iri, SH.name), text=lang_map(g, iri, KB.questionText), why=lang_map(g, iri, KB.why),
            sources=sorted(g.objects(iri, DCTERMS.source)), answer_type=answer_type, choices=choices,
            detail_required=detail, order=int(order) if order is not None else 999, asked=asked,
            answer_shape=_answer_shape(shapes, iri, answer_type, choices, detail),
        ))
    questions.sort(key=lambda q: (q.order, q.id))
    return questions, shapes


def answer_problems(answer: BNode, data: Graph, question: Question, answer_shapes: Graph) -> list[str]:
    """Which parts of an answer ("value", "detail") do not fit its question; empty if it fits."""
    # pySHACL takes only IRIs as focus nodes: validate a copy of the answer under a fixed IRI
    focus = URIRef("urn:x-kravbib:answer")
    copy = Graph()
    for p, o in data.predicate_objects(answer):
        copy.add((focus, p, o))
    with SHAPES_LOCK:      # the answer shapes are shared between request threads
        conforms, report, _ = pyshacl.validate(copy, shacl_graph=answer_shapes, focus_nodes=[focus],
                                               use_shapes=[question.answer_shape], inference="none")
    if conforms:
        return []
    paths = {report.value(r, SH.resultPath) for r in report.subjects(RDF.type, SH.ValidationResult)}
    problems = []
    if KB.answerValue in paths:
        problems.append("value")
    if KB.answerDetail in paths:
        problems.append("detail")
    return problems
