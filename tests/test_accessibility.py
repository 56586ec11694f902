"""Every page against WCAG 2.1 AA with axe-core (npm, run inside Chromium), and screenshots of the
main pages in test-artifacts/ (ignored by git) for people to look at."""

import json
import subprocess
import sys
from pathlib import Path

import pytest


from servers import kravbib_server

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
KRAVBIB = str(Path(sys.executable).parent / "kravbib")


@pytest.fixture
def page(browser):  # noqa: F811
    """A page whose Content-Security-Policy lets the test inject axe-core (the site's own CSP
    forbids inline scripts, as it should)."""
    context = browser.new_context(locale="sv-SE", bypass_csp=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("a11y") / "data"
    for example in sorted((ROOT / "examples").glob("*.json")):
        subprocess.run([KRAVBIB, "catalogue", "add", str(example), "--data", str(data)], check=True, capture_output=True)
    subprocess.run([KRAVBIB, "users", "add", "reg", "--role", "regulator", "--data", str(data)],
                   input="a long enough password\n", text=True, check=True, capture_output=True)
    srv = kravbib_server("--data", str(data), env={"COOKIE_SECURE": "0"})
    yield srv
    srv.stop()


def audit(pg, name: str) -> list:
    """Run axe-core on the page; return the serious and critical violations."""
    assert AXE.is_file(), "axe-core is missing: bin/setup --test installs it with npm"
    pg.add_script_tag(path=str(AXE))
    result = pg.evaluate("""async () => await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


PAGES = [("start", "/"), ("describe", "/describe"), ("requirements", "/requirements"),
         ("requirement", "/requirements/GDPR-35-DPIA"), ("catalogue", "/catalogue"),
         ("catalogue-product", "/catalogue/hjartsvikt-hemmonitorering"), ("concepts", "/concepts"),
         ("query", "/query"), ("login", "/login"), ("start-en", "/?lang=en")]


@pytest.mark.parametrize("name,path", PAGES, ids=[n for n, _ in PAGES])
def test_page_has_no_serious_accessibility_problems(server, page, name, path):  # noqa: F811
    response = page.goto(server.url + path)
    assert response.status == 200
    assert audit(page, name) == []


def test_result_page_and_form_errors_are_accessible(server, page):  # noqa: F811
    page.goto(server.url + "/describe")
    page.click("button[type=submit]")             # an empty form: every error shown next to its field
    assert audit(page, "describe-errors") == []
    page.goto(server.url + "/describe")
    page.fill("#f-name", "Tillgänglighetstest")
    page.fill("#f-intended_purpose", "Monitors blood pressure at home.")
    page.check("#f-functions-analyse")
    page.check("#f-for_individual_patients-true")
    page.check("#f-medical_purposes-monitoring")
    page.check("#f-informs_decisions-false")
    page.check("#f-monitors_physiological_processes-true")
    page.check("#f-vital_parameters_immediate_danger-false")
    page.click("button[type=submit]")
    assert "IIa" in page.inner_text("main")
    assert audit(page, "result") == []


def test_regulator_pages_are_accessible(server, page):  # noqa: F811
    page.goto(server.url + "/login")
    page.fill("#name", "reg")
    page.fill("#password", "a long enough password")
    page.click("button[type=submit]")
    for name, path in (("regulate", "/regulate/"), ("audit", "/regulate/audit")):
        assert page.goto(server.url + path).status == 200
        assert audit(page, name) == []
