"""Regulators in the browser: propose a rule change, see its check and impact, publish it with a
second regulator's approval; the audit trail; roles; reproducing an assessment after the change."""

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from servers import kravbib_server

ROOT = Path(__file__).resolve().parent.parent
KRAVBIB = str(Path(sys.executable).parent / "kravbib")
PASSWORD = "a long enough password"
MARKER = ('CONSTRUCT { $this kb:classCandidate kb:ClassIIb . }\nWHERE { $this kb:qualification kb:OutcomeMedicalDevice ; '
          'kb:classifiedInOwnRight true ;\n              kb:informsDecisions true ; kb:decisionImpact kb:ImpactSeriousDeteriorationOrSurgery')


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("regulate") / "data"
    for example in sorted((ROOT / "examples").glob("*.json")):
        subprocess.run([KRAVBIB, "catalogue", "add", str(example), "--data", str(data)], check=True, capture_output=True)
    for name, role in (("reg-a", "regulator"), ("reg-b", "regulator"), ("vendor", "vendor")):
        subprocess.run([KRAVBIB, "users", "add", name, "--role", role, "--data", str(data)],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    srv = kravbib_server("--data", str(data), env={"COOKIE_SECURE": "0"})
    yield srv, data
    srv.stop()


def login(page, url, name):
    page.goto(url + "/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def assess_cli(data, ruleset):
    return subprocess.run([KRAVBIB, "assess", str(ROOT / "examples" / "remote-monitoring.json"), "--ruleset", ruleset,
                           "--data", str(data), "--on", "2026-11-25", "--at", "2026-11-25T12:00:00+00:00"],
                          check=True, capture_output=True).stdout


def test_propose_approve_publish_and_audit(site, browser):
    server, data = site
    old = next(p.name for p in (data / "rulesets").iterdir() if p.is_dir())
    before = assess_cli(data, old)
    assert json.loads(before)["classification"]["class"] == "IIb"

    # no session: no proposal page, no publishing
    req = urllib.request.Request(server.url + "/regulate/" + "0" * 32 + "/approve", method="POST", data=b"")
    opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,),
                                              {"redirect_request": lambda *a, **k: None})())
    with pytest.raises(urllib.error.HTTPError) as exc:
        opener.open(req)
    assert exc.value.code in (302, 400)               # sent to log in (or refused by CSRF): never published

    a = browser.new_context().new_page()
    login(a, server.url, "reg-a")
    a.goto(server.url + "/regulate/")
    text = a.request.get(server.url + "/regulate/file?path=rules/eu/mdr-classification.ttl").text()
    assert MARKER in text
    a.fill("#path", "rules/eu/mdr-classification.ttl")
    a.fill("#text", text.replace(MARKER, MARKER.replace("kb:ClassIIb", "kb:ClassIII")))
    a.click("form[enctype] button[type=submit]")
    assert a.inner_text("#status") == "proposed"
    assert a.inner_text("#impact-summary").startswith("2 / 4")
    assert "class: IIb → III" in a.inner_text("main")
    assert a.locator("text=" + "Godkänn och publicera").count() == 0     # not by its own author
    proposal_url = a.url

    vendor = browser.new_context().new_page()
    login(vendor, server.url, "vendor")
    assert vendor.goto(proposal_url).status == 403                      # vendors may not regulate

    b = browser.new_context().new_page()
    login(b, server.url, "reg-b")
    b.goto(proposal_url)
    b.click("text=Godkänn och publicera")
    assert b.inner_text("#status") == "published"

    status, body = b.request.get(server.url + "/api/catalogue/hjartsvikt-hemmonitorering").status, None
    listed = json.loads(b.request.get(server.url + "/api/catalogue?class=III").text())
    assert {p["id"] for p in listed} == {"hjartsvikt-hemmonitorering", "triage-stod-sjukskoterska"}

    b.goto(server.url + "/regulate/audit")
    trail = b.inner_text("#audit")
    assert "rules.publish" in trail and "reg-b" in trail and "catalogue.save" in trail and "account.add" in trail

    # the old assessment reproduces byte for byte with the old ruleset; the new one gives III
    assert assess_cli(data, old) == before
    new = next(p.name for p in (data / "rulesets").iterdir() if p.is_dir() and p.name != old)
    assert json.loads(assess_cli(data, new))["classification"]["class"] == "III"

    # the audit graph is not readable through the public endpoint
    q = "ASK { ?e a <https://w3id.org/kravbib/ontology#AuditEvent> }"
    answer = b.request.get(server.url + "/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"})
    assert json.loads(answer.text())["boolean"] is False


def test_a_proposal_that_fails_the_check_is_not_publishable(site, browser):
    server, data = site
    a = browser.new_context().new_page()
    login(a, server.url, "reg-a")
    a.goto(server.url + "/regulate/")
    a.fill("#path", "shapes/se/broken.ttl")
    a.fill("#text", "@prefix x: <urn:x#> . x:a x:b ")
    a.click("form[enctype] button[type=submit]")
    assert a.inner_text("#status") == "rejected_by_check"
    assert "broken.ttl" in a.inner_text("#problems")
