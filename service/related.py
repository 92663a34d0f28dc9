"""Related articles: more like this one, from other stories.

More-like-this picks the article's most telling words over headline and body (by tf-idf; only words that occur
in another article too) and finds the articles that share most of them. The article's own story is left out,
since its versions are the same news and not related news, and each other story shows once. In the same
request a global aggregation counts the versions of the article's own story, for the page's link to them.
"""

from __future__ import annotations

from collections.abc import Callable

from dateline import schema

from .stored import StoredArticle

SIZE = 5
_FIELDS = [schema.ID, schema.HEADLINE, schema.PUBLISHED, schema.CITY, schema.COUNTRY, schema.SOURCE]


def build_related(source: dict) -> dict:
    """Keyword arguments for ``Elasticsearch.search`` (besides ``index``): the articles related to ``source``
    (an article as indexed), and the number of versions of its story."""
    story = source.get(schema.STORY) or source[schema.ID]
    like = {"doc": {field: source.get(field) or "" for field in (schema.HEADLINE, schema.BODY)}}
    more_like_this = {
        "fields": [schema.HEADLINE, schema.BODY],
        "like": [like],
        "min_term_freq": 1,  # a word said once in a short article may be what it is about
        "min_doc_freq": 2,  # the article itself and one other: a word no other article has finds nothing
    }
    return {
        "query": {"bool": {
            "must": [{"more_like_this": more_like_this}],
            "must_not": [{"term": {schema.ID: source[schema.ID]}}, {"term": {schema.STORY: story}}],
        }},
        "collapse": {"field": schema.STORY},
        "size": SIZE,
        "_source": _FIELDS,
        "track_total_hits": False,
        "aggs": {"versions": {"global": {}, "aggs": {"story": {"filter": {"term": {schema.STORY: story}}}}}},
    }


def related_view(answer: dict, article_url: Callable[[str], str]) -> tuple[list[dict], int]:
    """The related articles (``{"id", "url", "headline", "published", "dateline", "source"}``, most related
    first) and the number of versions of the article's story."""
    related = []
    for hit in answer.get("hits", {}).get("hits", []):
        article = StoredArticle.from_source(hit["_source"])
        related.append({
            "id": article.id,
            "url": article_url(article.id),
            "headline": article.title,
            "published": article.published,
            "dateline": article.dateline,
            "source": article.source,
        })
    versions = answer.get("aggregations", {}).get("versions", {}).get("story", {}).get("doc_count", 1)
    return related, versions
