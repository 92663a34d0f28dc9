"""A stored article read back the same way by every view, feed and export."""

from dateline.service.stored import StoredArticle


def test_a_sparse_document_reads_back_with_defaults():
    article = StoredArticle.from_source({"dateline": {"country": "Armenia"}}, "hit-id")
    assert (article.id, article.title, article.headline) == ("hit-id", "(untitled)", None)
    assert article.dateline == {"city": None, "country": "Armenia"} and article.place == "Armenia"
    assert article.entities == {"organizations": [], "places": [], "people": []}
    assert article.paragraphs == []


def test_paragraphs_are_the_non_blank_lines():
    article = StoredArticle.from_source({"id": "a", "body": "One.\n\n  \nTwo\nThree. "})
    assert article.paragraphs == ["One.", "Two", "Three."]
