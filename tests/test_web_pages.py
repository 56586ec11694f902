"""The web pages in a real browser (Chromium through Playwright) against a running `kravbib serve`.

One server per module; each test gets a fresh browser context (its own cookies). Every page must
also work with JavaScript switched off (test_without_javascript)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest


from servers import kravbib_server

ROOT = Path(__file__).resolve().parent.parent
KRAVBIB = str(Path(sys.executable).parent / "kravbib")
VENDOR, PASSWORD = "web-vendor", "a long enough password"
REMOTE = json.loads((ROOT / "examples" / "remote-monitoring.json").read_text(encoding="utf-8"))
XSS = "<script>alert(1)</script>"

BOOLS = {"is_software", "for_individual_patients", "informs_decisions", "monitors_physiological_processes",
         "vital_parameters_immediate_danger", "drives_or_influences_device", "autonomous_therapy_adjustment",
         "accessory", "ivd_data_only", "ivd_data_driven", "uses_ai", "ai_interacts_with_persons",
         "processes_health_data", "connected_product", "used_by_public_care", "is_ehr_system",
         "claims_ehr_interoperability"}
RADIOS = {"decision_impact", "hosting", "organisation_size"}
LISTS = {"intended_users", "functions", "medical_purposes", "ivd_categories", "vendor_roles", "integrations",
         "categories", "regions"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("pages") / "data"
    subprocess.run([KRAVBIB, "users", "add", VENDOR, "--role", "vendor", "--data", str(data)],
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    # plain HTTP on loopback: session (and so CSRF) cookies must not be Secure-only
    srv = kravbib_server("--data", str(data), env={"COOKIE_SECURE": "0"})
    yield srv
    srv.stop()


def fill_form(pg, obj: dict) -> None:
    """Fill the description form the way a person would, from a JSON description."""
    for key, value in obj.items():
        if key in BOOLS:
            pg.check(f"#f-{key}-{'true' if value else 'false'}")
        elif key in RADIOS:
            pg.check(f"#f-{key}-{value}")
        elif key == "driven_device_class":
            pg.select_option("#f-driven_device_class", value)
        elif key in LISTS:
            for item in value:
                pg.check(f"#f-{key}-{item}")
            if value == []:
                pg.check(f"#f-{key}-none")             # an empty list is the answer "none of these"
        elif key == "conditions":
            pg.fill("#f-conditions", ", ".join(value))
        elif key == "evidence":
            for i, item in enumerate(value):
                pg.select_option(f"#evidence-{i}-type", item["type"])
                for field in ("id", "date", "issued_by"):
                    if field in item:
                        pg.fill(f"#evidence-{i}-{field}", item[field])
        else:
            pg.fill(f"#f-{key}", value)


def submit(pg, selector: str = "form.describe-form button[type=submit]") -> None:
    """Click a submit button (or link) and wait for the page it leads to."""
    with pg.expect_navigation():
        pg.click(selector)


def describe(pg, server, obj: dict) -> None:
    pg.goto(server.url + "/describe")
    fill_form(pg, obj)
    submit(pg)


def login(pg, server) -> None:
    pg.goto(server.url + "/login")
    pg.fill("#name", VENDOR)
    pg.fill("#password", PASSWORD)
    submit(pg, "main form button[type=submit]")
    assert VENDOR in pg.inner_text("header")


def test_start_page_in_swedish_and_english(page, server):
    page.goto(server.url + "/")
    assert page.get_attribute("html", "lang") == "sv"
    assert "Vilka regler gäller" in page.inner_text("h1")
    nav = page.inner_text("nav.site-nav")
    for item in ("Start", "Beskriv en produkt", "Kravbiblioteket", "Katalogen", "Begrepp", "SPARQL"):
        assert item in nav
    assert page.locator("a[href='/sparql']").count() and page.locator("a[href='/api/queries']").count()
    submit(page, "a.lang-switch")
    assert page.get_attribute("html", "lang") == "en"
    assert "Which rules apply" in page.inner_text("h1")
    submit(page, "nav.site-nav >> text=Requirements library")        # the choice is remembered (cookie)
    assert page.get_attribute("html", "lang") == "en" and "requirements library" in page.inner_text("h1")
    submit(page, "a.lang-switch")
    assert page.get_attribute("html", "lang") == "sv"


def test_describe_a_product_shows_class_reasoning_and_requirements(page, server):
    describe(page, server, REMOTE)
    assert page.inner_text("#device-class") == "IIb"
    assert page.inner_text("#qualification") == "Medicinteknisk produkt"
    reasoning = page.inner_text("#reasoning")
    assert "MDR-R11-A-IIB" in reasoning and "Premisser" in reasoning and "MDR bilaga VIII regel 11" in reasoning
    assert page.locator("#reasoning a[href^='https://eur-lex.europa.eu']").count() > 0
    assert "Anmält organ krävs" in page.inner_text("#determinations")
    assert "Nivå C" in page.inner_text("#tier")
    groups = page.locator(".phase-group h3").all_inner_texts()
    assert groups[0] == "Utveckling" or "Utveckling" in groups
    assert "EU-lagstiftaren" in page.inner_text(".req-groups")
    assert page.get_attribute("#req-GDPR-35-DPIA", "data-status") == "met"          # DPIA listed as evidence
    assert "uppfyllt" in page.inner_text("#req-GDPR-35-DPIA .badge")
    assert "Exempelregion" in page.inner_text("#regions")
    assert "BQ-01" in page.inner_text("#questions")
    # with JavaScript: filter chips by issuer (and the status filter, which also works without it)
    total = page.locator(".req:visible").count()
    page.click(".js-filters [data-filter=issuer] .chip[data-value=Inera]")
    shown = page.locator(".req:visible")
    assert 0 < shown.count() < total
    assert all(i == "Inera" for i in shown.evaluate_all("els => els.map(e => e.dataset.issuer)"))
    page.click(".js-filters [data-filter=issuer] .chip[data-value=Inera]")
    page.click("label[for=rf-unmet]")
    statuses = page.locator(".req:visible").evaluate_all("els => els.map(e => e.dataset.status)")
    assert statuses and set(statuses) == {"unmet"}


def test_invalid_form_shows_errors_next_to_fields_and_keeps_input(page, server):
    page.goto(server.url + "/describe")
    page.fill("#f-intended_purpose", "Påminner om egenvård vid astma.")
    page.fill("#f-conditions", "J45")
    page.check("#f-functions-display")
    page.check("#f-uses_ai-false")
    page.select_option("#f-driven_device_class", "IIa")          # without drives_or_influences_device
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/describe")) as info:
        page.click("form.describe-form button[type=submit]")
    assert info.value.status == 400
    assert "Namn krävs" in page.inner_text("#f-name-error")
    assert "f-name-error" in page.get_attribute("#f-name", "aria-describedby")
    assert page.get_attribute("#f-name", "aria-invalid") == "true"
    assert "driven_device_class" in page.inner_text("#f-drives_or_influences_device-error")
    assert page.locator("#f-driven_device_class-error").count() == 1
    summary = page.inner_text(".error-summary")
    assert "Namn" in summary and "Styr eller påverkar en produkt" in summary
    # everything entered is kept
    assert page.input_value("#f-intended_purpose") == "Påminner om egenvård vid astma."
    assert page.input_value("#f-conditions") == "J45"
    assert page.is_checked("#f-functions-display") and page.is_checked("#f-uses_ai-false")
    assert page.input_value("#f-driven_device_class") == "IIa"
    # correcting it gives a result
    page.fill("#f-name", "Astmapåminnelse")
    page.check("#f-drives_or_influences_device-true")
    submit(page)
    assert page.locator("#qualification").count() == 1


def test_downloads_and_printable_report(page, server):
    describe(page, server, REMOTE)
    with page.expect_download() as info:
        page.click("#download-json")
    download = info.value
    assert download.suggested_filename == "hjartsvikt-hemmonitorering-kravbib.json"
    result = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert result["classification"]["class"] == "IIb" and result["product"]["id"] == "hjartsvikt-hemmonitorering"
    with page.expect_download() as info:
        page.click("#download-turtle")
    assert "@prefix kb:" in Path(info.value.path()).read_text(encoding="utf-8")

    submit(page, "#open-report")
    assert page.inner_text("h1").startswith("Rapport:")
    assert page.locator("link[rel=stylesheet][href$='print.css']:not([media=print])").count() == 1
    assert page.is_visible("button[data-print]") and "Skriv ut / spara som PDF" in page.inner_text("button[data-print]")
    assert page.inner_text("#device-class") == "IIb"
    page.emulate_media(media="print")
    assert not page.is_visible("nav.site-nav") and not page.is_visible("form")
    assert page.is_visible("#reasoning") and page.is_visible("#questions")


def test_save_in_catalogue_and_browse_the_library(page, server):
    describe(page, server, REMOTE)
    assert page.locator("#save-catalogue").count() == 0 and page.is_visible("#login-to-save")   # vendors only
    login(page, server)
    describe(page, server, REMOTE)
    submit(page, "#save-catalogue")
    page.wait_for_url("**/catalogue/hjartsvikt-hemmonitorering")
    assert page.inner_text("#device-class") == "IIb"
    submit(page, "nav.site-nav >> text=Katalogen")
    assert REMOTE["name"] in page.inner_text("table.catalogue-table")
    page.select_option("#cf-class", "IIb")
    submit(page, "form.filters button[type=submit]")
    assert REMOTE["name"] in page.inner_text("main")
    page.goto(server.url + "/catalogue?class=I")
    assert REMOTE["name"] not in page.inner_text("main")

    page.goto(server.url + "/requirements")
    total = page.locator("table.req-table tbody tr").count()
    page.select_option("#flt-issuer", "Inera")
    submit(page, "form.filters button[type=submit]")
    issuers = page.locator("table.req-table tbody tr td:nth-child(3)").all_inner_texts()
    assert issuers and len(issuers) < total and set(issuers) == {"Inera"}
    page.goto(server.url + "/requirements/GDPR-35-DPIA")
    assert "Konsekvensbedömning avseende dataskydd" in page.inner_text("h1")
    assert page.locator("#sources a[href^='https://eur-lex.europa.eu']").count() >= 1
    assert "Särskilda kategorier av personuppgifter" in page.inner_text("#applicability")
    page.click(f"#products >> text={REMOTE['name']}")
    page.wait_for_url("**/catalogue/hjartsvikt-hemmonitorering")
    page.goto(server.url + "/catalogue/no-such-product")
    assert "Sidan finns inte" in page.inner_text("h1")


def test_glossary_search(page, server):
    page.goto(server.url + "/concepts")
    total = page.locator("article.concept").count()
    page.fill("#concept-q", "medicinteknisk produkt")
    submit(page, "form.filters button[type=submit]")
    found = page.locator("article.concept")
    assert 0 < found.count() < total
    assert page.inner_text("#medicinteknisk-produkt h2").startswith("medicinteknisk produkt")
    assert "medical device" in page.inner_text("#medicinteknisk-produkt")
    page.click("#medicinteknisk-produkt dd a[href*='#medicinteknisk-programvara']")
    assert page.url.endswith("#medicinteknisk-programvara")


def test_script_in_a_product_name_stays_text(page, server):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login(page, server)
    product = {"name": XSS, "id": "xss-test", "intended_purpose": f"Visar {XSS} som text.", "functions": ["store"]}
    describe(page, server, product)
    assert XSS in page.inner_text("h1")
    submit(page, "#open-report")
    assert XSS in page.inner_text("h1")
    page.go_back()
    submit(page, "#save-catalogue")
    page.wait_for_url("**/catalogue/xss-test")
    assert XSS in page.inner_text("h1")
    page.goto(server.url + "/catalogue")
    assert XSS in page.inner_text("table.catalogue-table")
    page.goto(server.url + "/catalogue/xss-test/report")
    assert XSS in page.inner_text("h1")
    assert dialogs == []


def test_without_javascript(browser, server):  # noqa: F811
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    try:
        wellness = json.loads((ROOT / "examples" / "wellness-app.json").read_text(encoding="utf-8"))
        wellness["id"] = "vardagssteg-nojs"
        describe(pg, server, {"name": wellness["name"], "intended_purpose": wellness["intended_purpose"]})
        assert pg.inner_text("#qualification") == "Kan inte avgöras ännu"          # what it does is unanswered
        assert "functions" in pg.inner_text("#missing")
        describe(pg, server, wellness)                                            # "none" ticked: an answer
        assert pg.inner_text("#qualification") == "Inte en medicinteknisk produkt"
        assert not pg.is_visible(".js-filters")
        assert pg.locator(".req:visible").count() == pg.locator(".req").count() > 0
        chip = pg.locator(".status-filter label.chip").nth(1)                      # the status filter is CSS
        status = chip.get_attribute("for").removeprefix("rf-")
        chip.click()
        assert pg.locator(f".req[data-status={status}]:visible").count() > 0
        assert pg.locator(f".req:not([data-status={status}]):visible").count() == 0
        submit(pg, "#open-report")
        assert pg.inner_text("h1").startswith("Rapport:")
        assert not pg.is_visible("button[data-print]")                            # print from the browser menu
    finally:
        context.close()
