"""The search page in headless Chromium, used as a person would: type, tick, read the counts, page."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

from tests.integration import corpus

DOCS = corpus.articles()


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def test_type_a_query_tick_a_facet_and_page_through(live_server, page, output_dir):
    page.goto(live_server + "/")
    page.get_by_label("Search the archive").fill("harvest")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert query_of(page.url) == [("q", "harvest")]  # empty fields stay out of the URL
    harvest = [doc for doc in DOCS if corpus.has_word(doc, "harvest")]
    assert int(page.locator(".total").inner_text()) == len(harvest)

    by_country = Counter(doc["dateline"]["country"] for doc in harvest if doc["dateline"]["country"])
    country, expected = by_country.most_common(1)[0]
    checkbox = page.locator(f'input[name="country"][value="{country}"]')
    row = page.locator("li.facet__value", has=checkbox)
    assert int(row.locator(".count").inner_text()) == expected
    with page.expect_navigation():
        checkbox.check()  # ticking searches at once
    assert query_of(page.url) == [("q", "harvest"), ("country", country)]
    assert page.locator(f'input[name="country"][value="{country}"]').is_checked()
    assert int(page.locator(".total").inner_text()) == expected
    assert page.get_by_role("link", name=f"Remove Country: {country}").is_visible()
    first_page = page.locator(".hit__title").all_inner_texts()
    assert len(first_page) == min(10, expected)

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next →").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert ("page", "2") in query_of(page.url) and ("country", country) in query_of(page.url)
    assert page.get_by_text(f"Page 2 of {-(-expected // 10)}").is_visible()
    assert not set(page.locator(".hit__title").all_inner_texts()) & set(first_page)
    assert page.errors == []
    page.screenshot(path=str(output_dir / "search-page.png"), full_page=True)


def test_without_javascript_the_apply_button_submits_the_ticked_facets(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server + "/search?q=summit")
        page.locator('input[name="source"][value="Trend"]').check()
        with page.expect_navigation():
            page.get_by_role("button", name="Apply filters").click()
        assert ("source", "Trend") in query_of(page.url) and ("q", "summit") in query_of(page.url)
        expected = sum(corpus.has_word(d, "summit") and d["source"] == "Trend" for d in DOCS)
        assert int(page.locator(".total").inner_text()) == expected
    finally:
        context.close()


def test_keyboard_reaches_the_skip_link_and_a_histogram_bar_narrows_the_dates(live_server, page):
    page.goto(live_server + "/search?q=vaccine")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    bar = page.locator(".histogram a").first
    label = bar.get_attribute("aria-label")
    count = int(re.search(r": ([\d,]+) article", label)[1].replace(",", ""))
    bar.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    params = dict(query_of(page.url))
    assert params["q"] == "vaccine" and params["from"] <= params["to"]
    assert int(page.locator(".total").inner_text()) == count
    assert page.errors == []
