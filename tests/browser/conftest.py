"""Fixtures for tests in headless Chromium: the service over the generated corpus, served on a free port.

Debian's chromium (``/usr/bin/chromium``) drives the pages through Playwright; Playwright's own browser
downloads are never used. Without chromium the tests are skipped, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import uuid
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from dateline import config
from dateline.client import connect
from dateline.service.app import create_app
from tests.integration import corpus

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def live_server():
    """The URL of the service, serving from a background thread over the corpus behind a fresh alias."""
    settings = config.from_env()
    client = connect(settings)
    if not client.ping():
        pytest.fail(f"no Elasticsearch answers at {', '.join(settings.es_urls)}: start one (make es-start)")
    alias = f"test-{uuid.uuid4().hex[:10]}"
    index = corpus.load(client, alias)
    app = create_app(dataclasses.replace(settings, alias=alias))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        client.indices.delete(index=index, ignore_unavailable=True)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"browser tests need Debian's chromium: {CHROMIUM} is missing"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page that records script errors and Content-Security-Policy violations in ``page.errors``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    yield page
    context.close()
