"""The routes: every page has a JSON twin under ``/api`` that returns the view model the page renders.

Routes stay thin: validate the parameters, make one request to Elasticsearch, shape the answer with a pure
function of ``dateline.service.views`` that makes the whole view model, links included; the templates only
render it. (An article page makes two: the article, then its related articles; a search that finds nothing
makes a second to find what to offer instead.) Failures are raised and turned into 400/404/503 answers by the
error handlers in ``dateline.service.app``, as JSON for the routes declared with ``json_route`` (those that
answer programs) and HTML pages for the others.

Besides the search page and the article pages: autocomplete (``/api/suggest``), facet value search
(``/api/facets/<name>``), Atom and JSON Feed twins of every search (``/feeds/search.atom``, ``.json``) and the
export of every article of a search as JSON Lines (``/api/export``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote

from elasticsearch import exceptions as es_exc
from flask import Blueprint, abort, current_app, g, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException, TooManyRequests
from werkzeug.routing import RoutingException

from dateline import schema

from . import contract, feeds, ranking
from .alternatives import FILTER_PATH as ALTERNATIVES_FILTER_PATH
from .alternatives import Alternatives
from .cursor import Cursor, decode
from .export import (
    CSV_MEDIA_TYPE,
    MAX_CONCURRENT,
    MEDIA_TYPE,
    RETRY_AFTER,
    ExportsBusy,
    capped,
    export_csv,
    export_lines,
)
from .facets import FACETS_BY_NAME, canonical
from .params import ParamError, SearchParams, prefix_param
from .query import BY_MEANING, FILTER_PATH, build_facet_search, build_search, in_any_spelling, sort_for
from .related import build_related
from .suggest import FILTER_PATH as SUGGEST_FILTER_PATH
from .suggest import build_suggest, suggest_view
from .views import article_view, search_view

bp = Blueprint("dateline", __name__)
JSON_ENDPOINTS: set[str] = set()
MAX_ID_LENGTH = 512


def json_route(rule: str, **options):
    """``bp.get`` for a route whose answers are data (JSON, JSON Lines) for programs, so its errors are JSON."""
    def register(view):
        JSON_ENDPOINTS.add(f"{bp.name}.{options.get('endpoint', view.__name__)}")
        return bp.get(rule, **options)(view)
    return register


def answers_json() -> bool:
    """The one rule for the form of an error: JSON for a route declared with ``json_route`` (even when asked
    with a wrong method) and for any other URL under ``/api/``, an HTML page otherwise."""
    endpoint = request.endpoint
    if endpoint is None:  # routing failed: the route of the path, if any
        try:
            endpoint = current_app.url_map.bind_to_environ(request.environ).match(method="GET")[0]
        except (HTTPException, RoutingException):
            endpoint = None
    return endpoint in JSON_ENDPOINTS or request.path.startswith("/api/")


def _es():
    return current_app.extensions["dateline.es"]


def _alias() -> str:
    return current_app.config["DATELINE_ALIAS"]


def search_url(params: SearchParams, endpoint: str = "dateline.search_page") -> str:
    """The URL of a search (the page, or its JSON twin with ``endpoint="dateline.search_api"``)."""
    return _with_query(_route_url(endpoint), params)


def _search_urls(endpoint: str) -> Callable[[SearchParams], str]:
    """``search_url`` for one endpoint with its path worked out once: a results page makes dozens of links."""
    path = _route_url(endpoint)
    return lambda params: _with_query(path, params)


def _with_query(path: str, params: SearchParams) -> str:
    query = params.query_string()
    return path + ("?" + query if query else "")


def _route_url(endpoint: str) -> str:
    """``url_for(endpoint)``, worked out once per request."""
    urls = g.setdefault("route_urls", {})
    if endpoint not in urls:
        urls[endpoint] = url_for(endpoint)
    return urls[endpoint]


def _api_search_url(params: SearchParams) -> str:
    return search_url(params, "dateline.search_api")


def _twin_url(endpoint: str, params: SearchParams) -> str:
    """The URL of a search in another form (a feed, an export): the same search, whatever page it is on."""
    return search_url(params.with_page(1).with_prefix_cleared(), endpoint)


def _feed_urls(params: SearchParams) -> dict[str, str]:
    """The Atom and JSON Feed twins of a search, by media type."""
    return {feeds.ATOM_TYPE: _twin_url("dateline.atom_feed", params),
            feeds.JSON_FEED_TYPE: _twin_url("dateline.json_feed", params)}


def _article_url(article_id: str) -> str:
    return url_for("dateline.article_page", article_id=article_id)


# What werkzeug's path converter leaves unquoted in an article id (the rest is percent-encoded as UTF-8).
_ID_SAFE = "!$&'()*+,/:;=@"


def _article_urls() -> Callable[[str], str]:
    """``_article_url`` with the route's path worked out once: a results page links every hit."""
    path = url_for("dateline.article_page", article_id="")
    return lambda article_id: path + quote(article_id, safe=_ID_SAFE)


def _value_url(facet: str, value: str) -> str:
    """The search for one value of a facet."""
    return search_url(SearchParams().toggled(facet, value))


def _cursor(params: SearchParams) -> Cursor | None:
    return decode(params.after, params, _alias(), sort_for(params)) if params.after else None


def _links(params: SearchParams) -> dict:
    """The URLs of a search in every form: its page, its JSON twin, its feeds (by media type) and its exports
    (JSON Lines and CSV)."""
    export = _twin_url("dateline.export_api", params)
    return {"page": search_url(params), "json": _api_search_url(params), "feeds": _feed_urls(params),
            "export": export, "export_csv": export + ("&" if "?" in export else "?") + "format=csv"}


def _search(params: SearchParams, url: Callable[[SearchParams], str], value_urls: bool = True) -> dict:
    """The view of a results page; ``url`` makes its links (to pages or to their JSON twins), ``value_urls``
    those of each facet value (see ``search_view``). When the words
    as written find nothing, or no article with every word, they are searched again in any spelling; what
    still finds nothing, or no article with every word, offers what to try instead
    (``dateline.service.alternatives``)."""
    after = _cursor(params)
    index = after.index if after and after.index else _alias()  # the version of the alias a cursor pins
    ranked = ranking.choose(params, current_app.extensions["dateline.index_models"].of(_es(), _alias()))
    if ranked == ranking.HYBRID and after is None:
        matrix = current_app.extensions["dateline.vector_matrices"].of(_es(), _alias())
        answer = ranking.hybrid_answer(_es(), index, params, matrix)
    else:
        answer = _lexical(params, index, after)
    params = canonical(params, answer.get("aggregations", {}))
    view = search_view(params, answer, _article_urls(), url, after, _links(params), value_urls)
    view["ranking"] = ranked
    view["by_meaning"] = answer.get(BY_MEANING, 0)
    if (view["total"]["value"] == 0 or view["notice"]) and after is None:
        offers = Alternatives(params)
        alternatives = offers.request()
        if alternatives:
            answer = _es().search(index=_alias(), filter_path=ALTERNATIVES_FILTER_PATH, **alternatives)
            view["suggestions"] = offers.view(answer, url)
    return view


def _lexical(params: SearchParams, index: str, after: Cursor | None) -> dict:
    """The answer of the lexical query (its words again in any spelling if they find too little)."""
    try:
        answer = _es().search(index=index, filter_path=FILTER_PATH, **build_search(params, after))
    except es_exc.NotFoundError:
        if after is None:
            raise
        raise ParamError("after", "the archive this cursor pages through has been rebuilt since: start the "
                                  "search again") from None
    if in_any_spelling(params, answer, after):
        spelt = _es().search(index=index, filter_path=FILTER_PATH, **build_search(params, names=True))
        if spelt.get("hits", {}).get("total", {}).get("value"):
            answer = spelt
    return answer


@bp.get("/")
@bp.get("/search")
def search_page():
    params = SearchParams.from_args(request.args)
    return render_template("search.html", view=_search(params, _search_urls("dateline.search_page"),
                                                       value_urls=False))


@json_route("/api/search")
def search_api():
    return jsonify(_search(SearchParams.from_args(request.args), _search_urls("dateline.search_api")))


@json_route("/api/suggest")
def suggest_api():
    """Headlines, places, organisations and people that complete ``q``."""
    prefix = prefix_param(request.args, "q")
    answer = {}
    if prefix:
        answer = _es().search(index=_alias(), filter_path=SUGGEST_FILTER_PATH, **build_suggest(prefix))
    return jsonify(suggest_view(prefix, answer, _article_url, _value_url))


@json_route("/api/facets/<name>", merge_slashes=False)  # a name with a slash is unknown, not a redirect
def facet_values_api(name: str):
    """The values of one facet that start with ``prefix``, counted as on the results page of the search the
    other parameters describe."""
    facet = FACETS_BY_NAME.get(name)
    if facet is None:
        abort(404, description=f"There is no facet of this name; the facets are {', '.join(FACETS_BY_NAME)}.")
    params = SearchParams.from_args(request.args)
    prefix = prefix_param(request.args, "prefix")
    answer = _es().search(index=_alias(), filter_path=FILTER_PATH,
                          **build_facet_search(params, facet, prefix))
    params = canonical(params, answer.get("aggregations", {}))
    return jsonify({
        "facet": facet.name,
        "label": facet.label,
        "prefix": prefix,
        "query": params.to_json(),
        "counts": "articles",
        "values": facet.view(answer.get("aggregations", {}).get(facet.name, {}), params,
                             _search_urls("dateline.search_page")),
    })


def _feed(media_type: str) -> tuple:
    """What a feed of the requested search is made of: title, the URLs of its page and of itself, the
    answer of Elasticsearch and the absolute URL of an article."""
    params = SearchParams.from_args(request.args)
    answer = _es().search(index=_alias(), **feeds.build_feed_search(params))
    root = request.host_url.rstrip("/")
    return (feeds.feed_title(params), root + search_url(feeds.feed_params(params)),
            root + _feed_urls(params)[media_type], answer, lambda article_id: root + _article_url(article_id))


@bp.get("/feeds/search.atom")
def atom_feed():
    """The newest results of a search as an Atom feed."""
    return current_app.response_class(feeds.atom(*_feed(feeds.ATOM_TYPE)), mimetype=feeds.ATOM_TYPE)


@json_route("/feeds/search.json")
def json_feed():
    """The newest results of a search as a JSON Feed."""
    document = feeds.json_feed(*_feed(feeds.JSON_FEED_TYPE))
    return current_app.response_class(json.dumps(document, ensure_ascii=False), mimetype=feeds.JSON_FEED_TYPE)


@json_route("/api/export")
def export_api():
    """Every article of a search as JSON Lines, streamed, in the shape ``dateline index rebuild`` reads; with
    ``format=csv`` as a spreadsheet, with its row count in the ``Dateline-Export-Rows`` header. 429 when this
    process streams ``MAX_CONCURRENT`` exports already."""
    params = SearchParams.from_args(request.args)
    form = request.args.get("format", "jsonl")
    if form not in ("jsonl", "csv"):
        raise ParamError("format", f"{form!r} is not jsonl or csv")
    slots = current_app.extensions["dateline.export_slots"]
    if form == "csv":
        rows = capped(slots, export_csv(_es(), _alias(), params))
        total = _first(rows)  # the count, with the first batch: fetched before the response starts
        return current_app.response_class(rows, mimetype=CSV_MEDIA_TYPE, headers={
            "Content-Disposition": 'attachment; filename="export.csv"', "Dateline-Export-Rows": total})
    lines = capped(slots, export_lines(_es(), _alias(), params))
    first = _first(lines)  # fetched before the response starts, so a failure is still a proper error
    return current_app.response_class(
        _chain(first, lines), mimetype=MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="export.jsonl"'},
    )


def _first(export) -> str:
    """The first item of an export; 429 when every export slot is taken."""
    try:
        return next(export)
    except ExportsBusy:
        raise TooManyRequests(f"{MAX_CONCURRENT} exports are running already; please try again in {RETRY_AFTER} "
                              f"seconds.", retry_after=RETRY_AFTER) from None


def _chain(first: str, rest):
    yield first
    yield from rest


def _find_article(article_id: str) -> dict:
    """The stored document of an article; 410 Gone if it was taken down (``dateline index delete``), else 404
    if there is none."""
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
        if _es().exists(index=schema.takedowns_index(_alias()), id=article_id):
            abort(410, description="This article was taken down from the archive.")
    abort(404, description="There is no article with this id in the archive.")


def _article(article_id: str, url: Callable[[SearchParams], str]) -> dict:
    """The view of an article with its related articles and the versions of its story; ``url`` makes its links
    to searches (pages or their JSON twins)."""
    source = _find_article(article_id)
    related = _es().search(index=_alias(), **build_related(source))
    links = {"page": _article_url(article_id), "json": url_for("dateline.article_api", article_id=article_id),
             "canonical": request.url_root.rstrip("/") + _article_url(article_id)}
    return article_view(source, related, _article_url, url, links)


@bp.get("/articles/<path:article_id>", merge_slashes=False)  # ids may hold any slashes
def article_page(article_id: str):
    return render_template("article.html", view=_article(article_id, search_url))


@json_route("/api/articles/<path:article_id>", merge_slashes=False)
def article_api(article_id: str):
    return jsonify(_article(article_id, _api_search_url))


@json_route("/healthz")
def healthz():
    """200 with what the alias serves when Elasticsearch answers; the error handlers make failures 503s."""
    indices = sorted(_es().indices.get_alias(name=_alias()))
    count = _es().count(index=_alias())["count"]
    return jsonify({"status": "ok", "alias": _alias(), "index": ",".join(indices), "documents": count})


@json_route("/api/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of the JSON routes (``service/openapi.json``)."""
    return jsonify(contract.openapi())


@bp.get("/api/docs")
def api_docs():
    """The JSON API for people: the OpenAPI description as a page."""
    return render_template("api.html", spec=contract.openapi(), resolve=contract.resolve)


@bp.get("/help/search")
def search_help():
    """How to write a query: words, phrases, exclusions, OR, filters, dates."""
    return render_template("syntax.html")
