"""Finding more in headless Chromium: autocomplete under the search box, and the rescue of a search that finds
nothing, used as a person would (typing, arrow keys, clicks)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from tests.integration import corpus

DOCS = corpus.articles()


def total(page) -> int:
    return int(page.locator(".total").inner_text().replace(",", ""))


def test_typing_a_prefix_lists_suggestions_and_the_keyboard_chooses_one(live_server, page, output_dir):
    page.goto(live_server + "/")
    box = page.get_by_label("Search the archive")
    box.press_sequentially("nik", delay=40)
    listbox = page.get_by_role("listbox", name="Suggestions")
    listbox.wait_for()
    option = listbox.get_by_role("option", name=re.compile("Nikol Pashinyan"))
    assert option.is_visible()
    expected = sum("Nikol Pashinyan" in doc["entities"]["people"] for doc in DOCS)
    assert option.locator(".count").inner_text() == str(expected)
    combobox = page.get_by_role("combobox", name="Search the archive")
    assert combobox.get_attribute("aria-expanded") == "true"
    page.screenshot(path=str(output_dir / "autocomplete.png"))

    page.keyboard.press("ArrowDown")
    assert combobox.get_attribute("aria-activedescendant") == option.get_attribute("id")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert parse_qsl(urlsplit(page.url).query) == [("person", "Nikol Pashinyan")]
    assert total(page) == expected
    assert page.errors == []


def test_a_headline_suggestion_opens_the_article_and_escape_closes_the_list(live_server, page):
    page.goto(live_server + "/")
    box = page.get_by_label("Search the archive")
    box.press_sequentially("solar fa", delay=40)
    listbox = page.get_by_role("listbox", name="Suggestions")
    listbox.wait_for()
    headlines = listbox.get_by_role("group", name="Articles").get_by_role("option")
    assert sorted(headlines.all_inner_texts()) == ["A new solar farm opens", "Solar panels for every farm"]
    page.keyboard.press("Escape")
    assert listbox.is_hidden()
    box.press_sequentially("r", delay=40)  # "solar far"
    listbox.get_by_role("option", name="A new solar farm opens").click()
    page.wait_for_url(re.compile(rf"/articles/{corpus.PHRASE_ID}$"))
    assert page.get_by_role("heading", level=1).inner_text() == "A new solar farm opens"
    assert page.errors == []


def test_a_search_that_finds_nothing_offers_a_rescue_that_finds_articles(live_server, page, output_dir):
    page.goto(live_server + "/")
    page.get_by_label("Search the archive").fill("pipelnie")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("No articles match.").is_visible()
    offers = page.get_by_role("list", name="Searches that find articles")
    first = offers.get_by_role("link").first
    assert first.inner_text() == "pipeline"
    page.screenshot(path=str(output_dir / "zero-results.png"), full_page=True)
    with page.expect_navigation():
        first.click()
    assert parse_qsl(urlsplit(page.url).query) == [("q", "pipeline")]
    assert total(page) == sum(corpus.has_word(doc, "pipeline") for doc in DOCS) > 0
    assert page.errors == []
