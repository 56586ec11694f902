"""The command line, run as a vendor would: the installed `kravbib` script."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KRAVBIB = str(Path(sys.executable).parent / "kravbib")


def run(*args, stdin=None):
    return subprocess.run([KRAVBIB, *args], input=stdin, capture_output=True, text=True, cwd=ROOT)


def test_assess_example_as_json():
    r = run("assess", "examples/remote-monitoring.json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["qualification"]["status"] == "medical_device"
    assert j["ruleset"]["version"] and len(j["ruleset"]["hash"]) == 64
    for step in j["qualification"]["trace"] + j["classification"]["trace"]:
        assert step["rule"] and step["premises"]["sv"] and step["premises"]["en"] and step["sources"]


def test_assess_as_text_in_both_languages():
    sv = run("assess", "examples/decision-support.json", "--format", "text")
    en = run("assess", "examples/decision-support.json", "--format", "text", "--lang", "en")
    assert sv.returncode == en.returncode == 0
    assert "Kvalificering:" in sv.stdout and "Qualification:" in en.stdout


def test_assess_as_turtle_round_trips():
    r = run("assess", "examples/digital-therapy.json", "--format", "turtle")
    assert r.returncode == 0
    from rdflib import Graph
    g = Graph().parse(data=r.stdout, format="turtle")
    assert len(g) > 20


def test_assess_from_stdin():
    r = run("assess", "-", stdin=(ROOT / "examples" / "wellness-app.json").read_text())
    assert r.returncode == 0
    assert json.loads(r.stdout)["qualification"]["status"] == "not_medical_device"


def test_invalid_input_exits_2_with_problems_by_field():
    r = run("assess", "-", stdin='{"name": "x", "functions": ["bogus"]}')
    assert r.returncode == 2
    errors = json.loads(r.stdout)["errors"]
    assert {e["field"] for e in errors} == {"functions", "intended_purpose"}
    assert "Traceback" not in r.stderr and "functions" in r.stderr


def test_missing_file_exits_2():
    r = run("assess", "no-such-file.json")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_rules_version():
    r = run("rules", "version")
    assert r.returncode == 0
    assert r.stdout.startswith("version ") and "hash " in r.stdout
