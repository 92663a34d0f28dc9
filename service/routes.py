"""The routes: every page has a JSON twin under ``/api`` that returns the view model the page renders.

Routes stay thin: validate the parameters, make one request to Elasticsearch, shape the answer with a pure
function. Failures are raised and turned into 400/404/503 answers by the error handlers in ``service.app``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for

from indexer import schema

from .facets import TERMS_FACETS
from .params import MAX_RESULT_WINDOW, SearchParams
from .results import article_view, field_value, histogram_chart, search_view
from .search import FILTER_PATH, build_search

bp = Blueprint("dateline", __name__)

MAX_ID_LENGTH = 512


def _es():
    return current_app.extensions["dateline.es"]


def _alias() -> str:
    return current_app.config["DATELINE_ALIAS"]


def search_url(params: SearchParams, endpoint: str = "dateline.search_page") -> str:
    """The URL of a search (the page, or its JSON twin with ``endpoint="dateline.search_api"``)."""
    query = urlencode(params.to_args())
    return url_for(endpoint) + ("?" + query if query else "")


def _api_search_url(params: SearchParams) -> str:
    return search_url(params, "dateline.search_api")


def _article_url(article_id: str) -> str:
    return url_for("dateline.article_page", article_id=article_id)


def _search(params: SearchParams) -> dict:
    answer = _es().search(index=_alias(), filter_path=FILTER_PATH, **build_search(params))
    return search_view(params, answer, _article_url, _api_search_url)


@bp.get("/")
@bp.get("/search")
def search_page():
    params = SearchParams.from_args(request.args)
    view = _search(params)
    chart = histogram_chart(view["histogram"])
    return render_template(
        "search.html",
        view=view,
        params=params,
        facets=TERMS_FACETS,
        selections=[(facet, value) for facet in TERMS_FACETS for value in params.selected(facet.name)],
        chart=chart,
        bar_urls=[search_url(params.with_dates(bar["start"], bar["end"])) if bar["count"] else None
                  for bar in chart["bars"]],
        last_page=-(-min(view["total"]["value"], MAX_RESULT_WINDOW) // params.size),
        json_url=_api_search_url(params),
    )


@bp.get("/api/search")
def search_api():
    return jsonify(_search(SearchParams.from_args(request.args)))


def _find_article(article_id: str) -> dict:
    """The stored document of an article; 404 if there is none."""
    if len(article_id) <= MAX_ID_LENGTH:
        answer = _es().search(
            index=_alias(),
            query={"term": {schema.ID: article_id}},
            size=1,
            filter_path="hits.hits._source",
        )
        hits = answer.get("hits", {}).get("hits", [])
        if hits:
            return hits[0]["_source"]
    abort(404, description="There is no article with this id in the archive.")


def _filed_under(source: dict) -> list[dict]:
    """The article's facet values, each linking to the search for that value."""
    groups = []
    for facet in TERMS_FACETS:
        values = field_value(source, facet.field)
        values = [values] if isinstance(values, str) else values or []
        links = [{"value": v, "url": search_url(SearchParams().toggled(facet.name, v))} for v in values]
        if links:
            groups.append({"label": facet.label, "links": links})
    return groups


@bp.get("/articles/<article_id>")
def article_page(article_id: str):
    source = _find_article(article_id)
    return render_template(
        "article.html",
        article=article_view(source, _article_url),
        filed_under=_filed_under(source),
        json_url=url_for("dateline.article_api", article_id=article_id),
    )


@bp.get("/api/articles/<article_id>")
def article_api(article_id: str):
    return jsonify(article_view(_find_article(article_id), _article_url))


@bp.get("/healthz")
def healthz():
    """200 with what the alias serves when Elasticsearch answers; the error handlers make failures 503s."""
    indices = sorted(_es().indices.get_alias(name=_alias()))
    count = _es().count(index=_alias())["count"]
    return jsonify({"status": "ok", "alias": _alias(), "index": ",".join(indices), "documents": count})
