"""The store suite: the same tests against the embedded Oxigraph store and a real `oxigraph serve`."""

import json
from pathlib import Path

import pytest
from rdflib import URIRef

from kravbib import catalogue_index
from kravbib.catalogue import Catalogue, Filters, NotFound
from kravbib.describe import InvalidInput
from kravbib.queries import load_queries
from kravbib.render import ruleset_iri
from kravbib.store import EmbeddedStore, RemoteStore, StoreError

from servers import oxigraph_server

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    server = oxigraph_server(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


@pytest.fixture(params=["embedded", "remote"])
def store(request, tmp_path):
    if request.param == "embedded":
        s = EmbeddedStore(tmp_path / "data")
        yield s
        s.close()
    else:
        server = request.getfixturevalue("oxigraph")
        s = RemoteStore(f"{server.url}/query", f"{server.url}/update")
        s.update("DROP SILENT ALL")
        yield s


@pytest.fixture
def catalogue(store, rs):
    c = Catalogue(store, rs)
    c.ensure_ruleset()
    return c


def fill(catalogue):
    for path in EXAMPLES:
        catalogue.save(path.read_bytes())


def test_ruleset_is_loaded_once_and_current(catalogue, store, rs):
    iri = ruleset_iri(rs)
    assert store.has_graph(iri)
    before = len(store.graph(iri))
    assert before > 1000
    catalogue.ensure_ruleset()
    assert len(store.graph(iri)) == before
    rows = store.run("SELECT ?r WHERE { <https://w3id.org/kravbib/data/catalogue> "
                     "<https://w3id.org/kravbib/ontology#currentRuleset> ?r }").rows
    assert [r["r"] for r in rows] == [iri]


def test_add_list_show_remove(catalogue):
    fill(catalogue)
    listed = {row["id"]: row for row in catalogue.list()}
    assert set(listed) == {"hjartsvikt-hemmonitorering", "somn-kbt-internet", "triage-stod-sjukskoterska", "vardagssteg"}
    assert listed["hjartsvikt-hemmonitorering"]["class"] == "IIb"
    assert listed["vardagssteg"]["qualification"] == "not_medical_device"
    shown = catalogue.assess("somn-kbt-internet").to_json()
    assert shown["classification"]["class"] == "IIa"
    assert any(q["status"] == "answered" for q in shown["questions"])      # the stored answers came back
    catalogue.remove("vardagssteg")
    assert "vardagssteg" not in {row["id"] for row in catalogue.list()}
    with pytest.raises(NotFound):
        catalogue.remove("vardagssteg")


def test_filters(catalogue):
    fill(catalogue)
    ids = lambda **kw: sorted(row["id"] for row in catalogue.list(Filters(**kw)))
    assert ids(device_class="IIb") == ["hjartsvikt-hemmonitorering", "triage-stod-sjukskoterska"]
    assert ids(qualification="not_medical_device") == ["vardagssteg"]
    assert ids(condition="I50") == ["hjartsvikt-hemmonitorering"]
    assert ids(region="example-region") == ["hjartsvikt-hemmonitorering"]
    assert ids(requirement="AIA-9-RISK") == ["triage-stod-sjukskoterska"]
    assert ids(qualification="medical_device", device_class="IIa") == ["somn-kbt-internet"]
    assert ids(category="remote_monitoring") == ["hjartsvikt-hemmonitorering"]


def test_update_replaces_the_previous_version(catalogue):
    product = json.loads((ROOT / "examples" / "wellness-app.json").read_text())
    catalogue.save(json.dumps(product))
    product["name"] = "Vardagssteg 2"
    catalogue.save(json.dumps(product))
    rows = [r for r in catalogue.list() if r["id"] == "vardagssteg"]
    assert [r["name"] for r in rows] == ["Vardagssteg 2"]


def test_invalid_product_is_not_stored(catalogue):
    with pytest.raises(InvalidInput):
        catalogue.save('{"name": "x"}')
    assert catalogue.list() == []


def test_failed_write_leaves_the_previous_state(catalogue, store):
    fill(catalogue)
    before = store.dump("nquads")
    with pytest.raises(StoreError):
        store.update("DROP ALL ; INSERT DATA { <urn:a> <urn:b> ")       # the second half is broken
    assert store.dump("nquads") == before


def test_export_and_import_round_trip(catalogue, store, rs, tmp_path):
    fill(catalogue)
    dump = catalogue.export("trig")
    target = Catalogue(EmbeddedStore(tmp_path / "copy"), rs)
    target.ensure_ruleset()
    ids = target.import_dump(dump, "trig")
    assert ids == sorted(r["id"] for r in catalogue.list())
    strip = lambda rows: sorted((r["id"], r["name"], r["qualification"], r["class"], r["evidence_tier"]) for r in rows)
    assert strip(target.list()) == strip(catalogue.list())
    nquads = catalogue.export("nquads")
    assert b"<https://w3id.org/kravbib/data/graph/product/vardagssteg>" in nquads


def test_import_is_all_or_nothing(catalogue, store):
    fill(catalogue)
    lines = catalogue.export("nquads").decode().splitlines()
    target = next(i for i, line in enumerate(lines)
                  if "graph/product/vardagssteg>" in line and "#intendedPurpose>" in line)
    lines[target] = lines[target].replace("#intendedPurpose>", "#colour>")   # one product becomes invalid
    broken = "\n".join(lines) + "\n"
    catalogue.remove("vardagssteg")
    before = sorted(r["id"] for r in catalogue.list())
    with pytest.raises(InvalidInput) as exc:
        catalogue.import_dump(broken, "nquads")
    assert any("colour" in p.field or "intended_purpose" in p.field for p in exc.value.problems)
    assert sorted(r["id"] for r in catalogue.list()) == before


def test_every_named_query_runs(catalogue, store):
    fill(catalogue)
    queries = load_queries(ROOT / "queries")
    assert len(queries) >= 12
    for name, q in queries.items():
        params = {p.name: EXAMPLE_PARAMS[p.type] if p.name not in NAMED_PARAMS else NAMED_PARAMS[p.name]
                  for p in q.params if p.required}
        result = store.run(q.bind(params))
        assert result.kind in ("select", "ask", "graph"), name


EXAMPLE_PARAMS = {"iri": "https://w3id.org/kravbib/ontology#ClassIIb", "string": "GDPR-35-DPIA", "integer": "12",
                  "date": "2026-11-25"}
NAMED_PARAMS = {"class": "https://w3id.org/kravbib/ontology#ClassIIb", "requirement": "GDPR-35-DPIA",
                "region": "example-region", "text": "produkt", "product": "vardagssteg",
                "tier": "https://w3id.org/kravbib/ontology#TierC"}


def test_named_query_answers(catalogue):
    fill(catalogue)
    q = load_queries(ROOT / "queries")["products-affected-by-requirement"]
    rows = catalogue.store.run(q.bind({"requirement": "AIA-9-RISK"})).rows
    products = {str(v) for row in rows for v in row.values() if "product/" in str(v)}
    assert products == {"https://w3id.org/kravbib/data/product/triage-stod-sjukskoterska"}


def test_backup_and_restore_round_trip(tmp_path):
    """kravbib backup / restore reproduce the store exactly (and reading does not change it)."""
    import subprocess
    import sys
    kravbib = str(Path(sys.executable).parent / "kravbib")
    data = tmp_path / "data"
    for example in EXAMPLES:
        subprocess.run([kravbib, "catalogue", "add", str(example), "--data", str(data)], check=True, capture_output=True)
    subprocess.run([kravbib, "users", "add", "anna", "--role", "vendor", "--data", str(data)],
                   input="a long enough password\n", text=True, check=True, capture_output=True)
    export = lambda d: subprocess.run([kravbib, "catalogue", "export", "--format", "nquads", "--data", str(d)],
                                      check=True, capture_output=True).stdout
    before = export(data)
    assert export(data) == before
    subprocess.run([kravbib, "backup", str(tmp_path / "backup"), "--data", str(data)], check=True, capture_output=True)
    subprocess.run([kravbib, "restore", str(tmp_path / "backup"), "--data", str(tmp_path / "restored")],
                   check=True, capture_output=True)
    assert sorted(export(tmp_path / "restored").splitlines()) == sorted(before.splitlines())
    users = subprocess.run([kravbib, "users", "list", "--data", str(tmp_path / "restored")], check=True,
                           capture_output=True, text=True).stdout
    assert users.startswith("anna\tvendor")
    again = subprocess.run([kravbib, "restore", str(tmp_path / "backup"), "--data", str(tmp_path / "restored")],
                           capture_output=True, text=True)
    assert again.returncode == 2 and "not empty" in again.stderr


# --- the catalogue index (kravbib/catalogue_index.py) ------------------------------------------------
def _numbers(store) -> dict:
    rows = store.run("SELECT ?p ?n WHERE { ?p <https://w3id.org/kravbib/ontology#catalogueNumber> ?n }").rows
    return {str(r["p"]).rsplit("/", 1)[-1]: int(r["n"]) for r in rows}


def _count(store, requirement_id: str, status: str) -> int:
    rows = store.run(f"""PREFIX kb: <https://w3id.org/kravbib/ontology#>
        SELECT ?n WHERE {{ GRAPH <{catalogue_index.INDEX_GRAPH}> {{ ?c kb:countedItem ?r ; kb:countedStatus "{status}" ;
                           kb:resultCount ?n }} ?r <http://purl.org/dc/terms/identifier> "{requirement_id}" }} LIMIT 1""").rows
    return int(rows[0]["n"]) if rows else 0


def test_catalogue_index_follows_every_write(catalogue, store):
    """Counts and catalogue numbers stay equal to a recount through saves, re-saves, removals and an
    import, on both backends (they are kept in the same update as the data)."""
    fill(catalogue)
    assert catalogue_index.is_current(store) and catalogue_index.differences(store) == []
    first = _numbers(store)
    assert sorted(first.values()) == list(range(1, len(EXAMPLES) + 1))
    dpia = _count(store, "GDPR-35-DPIA", "unmet") + _count(store, "GDPR-35-DPIA", "met")
    assert dpia > 0
    # a re-save that changes the answers keeps the number and moves the counts
    obj = json.loads((ROOT / "examples" / "remote-monitoring.json").read_text())
    obj["processes_health_data"] = False
    catalogue.save(json.dumps(obj))
    assert _numbers(store) == first
    assert catalogue_index.differences(store) == []
    catalogue.remove("vardagssteg")
    assert "vardagssteg" not in _numbers(store) and catalogue_index.differences(store) == []
    catalogue.save((ROOT / "examples" / "wellness-app.json").read_bytes())
    assert _numbers(store)["vardagssteg"] == len(EXAMPLES) + 1            # a number is never given twice
    catalogue.import_dump(catalogue.export("nquads"), "nquads")
    assert catalogue_index.differences(store) == []
    kept = _numbers(store)
    # a store whose index is missing gets it rebuilt, with the same counts and numbers
    store.update(f"DROP GRAPH <{catalogue_index.INDEX_GRAPH}>")
    assert catalogue_index.differences(store) != []
    assert catalogue_index.ensure(store) is True and catalogue_index.ensure(store) is False
    assert catalogue_index.differences(store) == [] and _numbers(store) == kept


def test_index_differences_are_reported(catalogue, store):
    """The check can fail: a count changed behind the index's back is found."""
    fill(catalogue)
    store.update(f"""PREFIX kb: <https://w3id.org/kravbib/ontology#>
        DELETE {{ GRAPH <{catalogue_index.INDEX_GRAPH}> {{ ?c kb:resultCount ?n }} }}
        INSERT {{ GRAPH <{catalogue_index.INDEX_GRAPH}> {{ ?c kb:resultCount 99 }} }}
        WHERE {{ {{ SELECT ?c ?n WHERE {{ GRAPH <{catalogue_index.INDEX_GRAPH}> {{ ?c kb:resultCount ?n }} }} LIMIT 1 }} }}""")
    problems = catalogue_index.differences(store)
    assert len(problems) == 1 and "index 99" in problems[0]
