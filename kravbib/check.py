"""`kravbib rules check`: everything a regulator's change must pass before it is published.

1. every Turtle file parses;
2. shapes and rules are valid SHACL (pySHACL's SHACL-SHACL meta-validation);
3. the project's meta shapes (shapes/meta/) hold: every rule and legal source carries its metadata,
   every ontology term its Swedish and English label;
4. rule identifiers are unique and every rule's SPARQL runs;
5. the rule tests (tests/cases/*.json next to the ruleset) give their expected outcomes;
6. HermiT finds the ontology consistent with no unsatisfiable class.
Each problem names the file or IRI; the list is empty when all is well.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from pyshacl.entrypoints import meta_validate
from rdflib import Graph

from . import ruleset as rsmod
from .cases import load_cases, mismatches
from .describe import InvalidInput
from .namespaces import RDF, SH
from .paths import default_ruleset_dir


def _parse_all(directory: Path, problems: list) -> dict[Path, Graph]:
    graphs = {}
    for path in rsmod.content_files(directory):
        if path.suffix != ".ttl":
            continue
        g = Graph()
        try:
            rsmod.parse_turtle(path, g)
        except rsmod.RulesetError as exc:
            problems.append(str(exc))
            continue
        graphs[path] = g
    return graphs


def _shacl_problems(report: Graph, label: str) -> list[str]:
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        messages = [str(m) for m in report.objects(result, SH.resultMessage) if getattr(m, "language", None) in (None, "en")]
        where = f" {path}" if path is not None else ""
        out.append(f"{label}: {focus}{where}: {messages[0] if messages else 'does not conform'}")
    return sorted(out)


def check_meta_shacl(graphs: dict[Path, Graph], directory: Path) -> list[str]:
    problems = []
    for path, g in graphs.items():
        rel = path.relative_to(directory).as_posix()
        if not rel.startswith(("shapes/", "rules/")):
            continue
        try:
            ok, report, _ = meta_validate(g)
        except Exception as exc:  # pySHACL refuses some broken shapes outright
            problems.append(f"{rel}: not valid SHACL: {exc}")
            continue
        if not ok:
            problems.extend(_shacl_problems(report, f"{rel} (SHACL-SHACL)"))
    return problems


def check_project_meta(rs: rsmod.Ruleset) -> list[str]:
    meta = Graph()
    for path in sorted((rs.directory / "shapes" / "meta").glob("*.ttl")):
        rsmod.parse_turtle(path, meta)
    ok, report, _ = pyshacl.validate(rs.graph, shacl_graph=meta, inference="none", advanced=True)
    return [] if ok else _shacl_problems(report, "shapes/meta")


def check_rules(rs: rsmod.Ruleset) -> list[str]:
    problems = []
    counts = Counter(info.id for info in rs.rule_info.values())
    problems += [f"rule id {i} is used by {n} rules" for i, n in counts.items() if n > 1]
    store = ox.Store()
    for rule in rs.rules:
        try:
            list(store.query(rule.query, substitutions={ox.Variable("this"): ox.NamedNode("urn:x-kravbib:check")}))
        except SyntaxError as exc:
            problems.append(f"rule {rule.id} ({rule.iri}): SPARQL does not parse: {exc}")
    return problems


def check_context(rs: rsmod.Ruleset) -> list[str]:
    """Every value an input field can take (an individual of the field's range class, with a
    skos:notation) is a term of the JSON-LD context, mapped to that individual."""
    from .namespaces import KB, RDFS, SKOS

    g = rs.graph
    problems = []
    for prop in g.subjects(KB.jsonField, None):
        for cls in g.objects(prop, RDFS.range):
            for individual in g.subjects(RDF.type, cls):
                code = g.value(individual, SKOS.notation)
                if code is None:
                    continue
                mapped = rs.term_of.get(individual)
                if mapped != str(code):
                    problems.append(f"ontology/context.jsonld: value {str(code)!r} of field {g.value(prop, KB.jsonField)} "
                                    f"should be a term for {individual} (found {mapped!r})")
    return sorted(set(problems))


def check_sources_confirmed(rs: rsmod.Ruleset) -> list[str]:
    """An active rule or requirement may only rest on sources whose wording was confirmed."""
    from .namespaces import DCTERMS, KB

    g = rs.graph
    problems = []
    active = list(rs.rule_info) + [r.iri for r in rs.requirements]
    for item in active:
        for src in g.objects(item, DCTERMS.source):
            if g.value(src, KB.confirmed) is not None and not g.value(src, KB.confirmed).toPython():
                problems.append(f"{item}: cites {src}, which is not confirmed (kb:confirmed false); "
                                "deactivate it (sh:deactivated true) or confirm the source")
    return problems


def check_requirement_coverage(rs: rsmod.Ruleset, cases: list) -> list[str]:
    """Every requirement has a case where it applies and a case where it does not; every
    conditional benefit question a case where it is asked and one where it is not."""
    applies, not_applies = set(), set()
    for _, case in cases:
        for rid, status in case["expected"].get("requirements", {}).items():
            (not_applies if status == "not_applicable" else applies).add(rid)
    asked, not_asked = set(), set()
    for _, case in cases:
        for qid, status in case["expected"].get("questions", {}).items():
            (not_asked if status == "not_asked" else asked).add(qid)
    problems = []
    for q in rs.questions:
        if q.asked is not None and (q.id not in asked or q.id not in not_asked):
            problems.append(f"question {q.id}: a conditional question needs a case where it is asked and one where it is not")
    for req in rs.requirements:
        if req.id not in applies:
            problems.append(f"requirement {req.id}: no case in tests/cases expects it to apply")
        if req.id not in not_applies and req.applies is not None:
            problems.append(f"requirement {req.id}: no case in tests/cases expects it not to apply")
    return problems


def check_cases(rs: rsmod.Ruleset, folder: Path) -> list[str]:
    problems = []
    cases = load_cases(folder)
    problems += check_requirement_coverage(rs, cases)
    for path, case in cases:
        try:
            found = mismatches(case, rs)
        except InvalidInput as exc:
            found = [f"invalid product: {exc}"]
        except KeyError as exc:
            found = [f"case file lacks {exc}"]
        problems += [f"{path.name}: {m}" for m in found]
    return problems


def check_reasoner(directory: Path) -> list[str]:
    """HermiT (through owlready2) on the ontology folder; owlready2 reads N-Triples, not Turtle."""
    if shutil.which("java") is None:
        return ["HermiT: java is not installed (install default-jre-headless, or use --no-reasoner)"]
    import owlready2

    g = Graph()
    for path in sorted((directory / "ontology").glob("*.ttl")):
        rsmod.parse_turtle(path, g)
    with tempfile.TemporaryDirectory() as tmp:
        nt = Path(tmp) / "ontology.nt"
        g.serialize(nt, format="nt", encoding="utf-8")
        world = owlready2.World()
        world.get_ontology(nt.as_uri()).load()
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return ["HermiT: the ontology is inconsistent"]
        unsat = sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)
    return [f"HermiT: class {iri} is unsatisfiable" for iri in unsat]


def check_ruleset(directory: Path | None = None, reasoner: bool = True, cases_dir: Path | None = None) -> list[str]:
    directory = directory or default_ruleset_dir()
    problems: list[str] = []
    graphs = _parse_all(directory, problems)
    if problems:
        return problems          # nothing else is meaningful on files that do not parse
    problems += check_meta_shacl(graphs, directory)
    rs = rsmod.load(directory)
    problems += check_project_meta(rs)
    problems += check_rules(rs)
    problems += check_context(rs)
    problems += check_sources_confirmed(rs)
    cases_dir = cases_dir or directory / "tests" / "cases"
    if cases_dir.is_dir():
        problems += check_cases(rs, cases_dir)
    if reasoner:
        problems += check_reasoner(directory)
    return problems
