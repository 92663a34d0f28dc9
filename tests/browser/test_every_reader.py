"""The pages for every reader, in headless Chromium: print, dark mode, the live region that announces the
result count, the "/" shortcut, the query-syntax help and the article's citation."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.integration import corpus

DOCS = corpus.articles()


def _first_article_url(page, live_server) -> str:
    page.goto(live_server + "/search?q=harvest")
    return page.locator(".hit__title a").first.get_attribute("href")


def test_the_result_count_is_announced_to_screen_readers(live_server, page):
    page.goto(live_server + "/search?q=harvest")
    region = page.locator("[aria-live=polite]")
    expected = sum(corpus.has_word(doc, "harvest") for doc in DOCS)
    expect(region).to_have_text(f"{expected:,} articles for harvest")
    with page.expect_navigation():
        page.locator('input[name="country"]').first.check()
    narrowed = int(page.locator(".total").inner_text().replace(",", ""))
    assert narrowed < expected
    expect(region).to_have_text(re.compile(rf"^{narrowed:,} articles? for harvest$"))
    assert page.errors == []


def test_slash_focuses_the_search_box_but_not_while_typing(live_server, page):
    page.goto(live_server + _first_article_url(page, live_server))
    page.keyboard.press("/")
    box = page.get_by_label("Search the archive")
    assert page.evaluate("document.activeElement.id") == "q"
    box.type("pipe/line")  # typed in the box, "/" is a character
    assert box.input_value().endswith("pipe/line")
    assert page.errors == []


def test_the_search_box_links_to_the_query_syntax_help(live_server, page):
    page.goto(live_server + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="How to search").click()
    assert page.get_by_role("heading", name="How to search").is_visible()
    for example in ('"gold mine"', "protest -Shusha", "Baku OR Ganja"):
        assert page.get_by_text(example, exact=True).first.is_visible()


def test_print_shows_an_article_as_clean_text_and_results_without_the_sidebar(live_server, page):
    article_url = _first_article_url(page, live_server)
    page.goto(live_server + "/search?q=harvest")
    page.emulate_media(media="print")
    assert not page.locator(".filters").is_visible() and not page.locator(".site-header").is_visible()
    assert page.locator(".hit").first.is_visible()
    assert page.locator(".hits").bounding_box()["x"] < 60  # the results take the sidebar's place

    page.goto(live_server + article_url)
    for hidden in (".site-header", ".site-footer", ".related", ".cite"):
        assert not page.locator(hidden).first.is_visible(), hidden
    for shown in ("h1", ".article .meta time", ".article__body"):
        assert page.locator(shown).first.is_visible(), shown
    printed = page.locator(".print-only").inner_text()
    assert live_server + article_url in printed
    page.emulate_media(media="screen")
    assert page.locator(".site-header").is_visible() and not page.locator(".print-only").is_visible()


def test_dark_mode_follows_the_system_setting(live_server, page):
    def colours():
        return page.evaluate("""() => { const s = getComputedStyle(document.body);
            return [s.backgroundColor, s.color]; }""")

    page.emulate_media(color_scheme="light")
    page.goto(live_server + "/search?q=harvest")
    light = colours()
    page.emulate_media(color_scheme="dark")
    dark = colours()
    assert light != dark

    def brightness(rgb: str) -> float:
        red, green, blue = (int(part) for part in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3])
        return (red * 299 + green * 587 + blue * 114) / 1000

    assert brightness(light[0]) > 200 and brightness(dark[0]) < 60  # the page
    assert brightness(dark[1]) > 180  # the text


def test_an_article_page_carries_its_citation(live_server, page):
    page.goto(live_server + _first_article_url(page, live_server))
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert canonical == page.url
    headline = page.locator("h1").inner_text()
    assert page.locator('meta[name="citation_title"]').get_attribute("content") == headline
    assert page.locator('meta[property="og:title"]').get_attribute("content") == headline
    published = page.locator('meta[name="citation_publication_date"]').get_attribute("content")
    assert published[:4] in page.locator(".cite").inner_text()
    page.get_by_text("BibTeX").click()
    assert "@article{" in page.locator(".cite pre").first.inner_text()
    assert page.errors == []
