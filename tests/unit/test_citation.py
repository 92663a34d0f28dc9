"""Citations of an article: CSL-JSON, plain text and BibTeX that reference managers read back."""

import json

from pybtex.database import parse_string

from dateline.service.citation import cite


def test_the_three_forms_name_headline_source_date_and_url():
    citation = cite("trend-1", "Russian community joins protest, 100% sure", "2023-02-01", "Trend", "Baku",
                    "https://example.org/a_b?c=1%20")
    assert citation.plain == ("Trend (2023) “Russian community joins protest, 100% sure”, Trend, 1 February. "
                              "Available at: https://example.org/a_b?c=1%20.")
    [item] = json.loads(citation.csl_json)
    assert item["type"] == "article-newspaper" and item["issued"] == {"date-parts": [[2023, 2, 1]]}
    assert (item["container-title"], item["publisher-place"]) == ("Trend", "Baku")
    entry = parse_string(citation.bibtex, "bibtex").entries["trend2023russian"]
    assert entry.fields["url"] == "https://example.org/a_b?c=1%20"  # verbatim, as BibLaTeX reads it
    assert (entry.fields["journal"], entry.fields["year"], entry.fields["date"]) == ("Trend", "2023", "2023-02-01")


def test_hostile_headlines_cannot_break_the_bibtex_entry():
    citation = cite("x", 'a { b } } " \\end', None, None, None, 'https://example.org/"}{')
    [entry] = parse_string(citation.bibtex, "bibtex").entries.values()
    assert entry.fields["title"].startswith("a ( b ) )")
    assert entry.fields["url"] == "https://example.org/%22%7D%7B"
    assert "issued" not in json.loads(citation.csl_json)[0]
