"""Impact analysis: a known rule change moves known catalogued products, and nothing else."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kravbib import impact, ruleset
from kravbib.catalogue import Catalogue
from kravbib.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
KRAVBIB = str(Path(sys.executable).parent / "kravbib")


@pytest.fixture(scope="module")
def fixture_catalogue(tmp_path_factory):
    data = tmp_path_factory.mktemp("impact") / "data"
    for example in sorted((ROOT / "examples").glob("*.json")):
        subprocess.run([KRAVBIB, "catalogue", "add", str(example), "--data", str(data)], check=True, capture_output=True)
    return data


@pytest.fixture(scope="module")
def head(tmp_path_factory):
    """The shipped rules, with Rule 11 (a) 'serious deterioration' moved from IIb to III."""
    d = tmp_path_factory.mktemp("head")
    for folder in ("ontology", "rules", "shapes", "queries"):
        shutil.copytree(ROOT / folder, d / folder)
    path = d / "rules" / "eu" / "mdr-classification.ttl"
    text = path.read_text()
    marker = 'CONSTRUCT { $this kb:classCandidate kb:ClassIIb . }\nWHERE { $this kb:qualification kb:OutcomeMedicalDevice ; kb:classifiedInOwnRight true ;\n              kb:informsDecisions true ; kb:decisionImpact kb:ImpactSeriousDeteriorationOrSurgery'
    assert marker in text
    path.write_text(text.replace(marker, marker.replace("kb:ClassIIb", "kb:ClassIII")))
    return d


def test_known_change_moves_known_products(fixture_catalogue, head):
    base_rs, head_rs = ruleset.load(ROOT), ruleset.load(head)
    store = EmbeddedStore(fixture_catalogue)
    try:
        report = impact.analyse(Catalogue(store, head_rs), base_rs, head_rs)
    finally:
        store.close()
    assert report["summary"]["products"] == 4
    changed = {p["id"]: p["changes"] for p in report["products"]}
    assert set(changed) == {"hjartsvikt-hemmonitorering", "triage-stod-sjukskoterska"}
    for changes in changed.values():
        assert {"what": "class", "base": "IIb", "head": "III"} in changes
    assert report["summary"]["changed_products"] == 2
    assert report["summary"]["base"]["hash"] != report["summary"]["head"]["hash"]


def test_parallel_analysis_gives_the_serial_report(fixture_catalogue, head):
    """Shared out over worker processes (as for a large catalogue), the report is the same."""
    base_rs, head_rs = ruleset.load(ROOT), ruleset.load(head)
    store = EmbeddedStore(fixture_catalogue)
    try:
        cat = Catalogue(store, head_rs)
        serial = impact.analyse(cat, base_rs, head_rs, jobs=1)
        seen = []
        parallel = impact.analyse(cat, base_rs, head_rs, jobs=2, progress=lambda done, total: seen.append((done, total)))
    finally:
        store.close()
    assert parallel == serial and serial["summary"]["changed_products"] == 2
    assert seen[-1] == (4, 4)


def test_cli_formats_and_git_base(fixture_catalogue, head, tmp_path):
    out = subprocess.run([KRAVBIB, "rules", "impact", "--base", str(ROOT), "--head", str(head),
                          "--data", str(fixture_catalogue), "--format", "json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["summary"]["changed_products"] == 2 and len(report["products"]) == 2
    html_file = tmp_path / "impact.html"
    out = subprocess.run([KRAVBIB, "rules", "impact", "--base", str(ROOT), "--head", str(head),
                          "--data", str(fixture_catalogue), "--format", "html", "--output", str(html_file)],
                         capture_output=True, text=True)
    assert out.returncode == 0 and "<table>" in html_file.read_text()
    out = subprocess.run([KRAVBIB, "rules", "impact", "--base", "HEAD", "--data", str(fixture_catalogue),
                          "--format", "json"], capture_output=True, text=True, cwd=ROOT)   # a git revision as base
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["summary"]["products"] == 4
    out = subprocess.run([KRAVBIB, "rules", "impact", "--base", "no-such-ref", "--data", str(fixture_catalogue)],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 1 and "neither a ruleset folder nor a git revision" in out.stderr


def test_validity_dates_count(fixture_catalogue):
    """--on: the same ruleset compared with itself changes nothing on any day."""
    base_rs = ruleset.load(ROOT)
    store = EmbeddedStore(fixture_catalogue)
    try:
        import datetime as dt
        report = impact.analyse(Catalogue(store, base_rs), base_rs, base_rs, on=dt.date(2027, 8, 2))
    finally:
        store.close()
    assert report["summary"]["changed_products"] == 0
