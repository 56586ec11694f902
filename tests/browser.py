"""A real browser for the web tests: Debian's Chromium driven by Playwright.

Playwright cannot download its own browsers here, so it launches /usr/bin/chromium (installed by
bin/setup) with the flags a root sandbox with no network needs.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("KRAVBIB_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: bin/setup installs Debian's chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
