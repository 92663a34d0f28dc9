"""The links of a results page, made without Flask's ``url_for`` per link, are the URLs of the routes."""

from urllib.parse import urlencode

import pytest
from flask import url_for

from dateline import config
from dateline.service import routes
from dateline.service.app import create_app
from dateline.service.params import SearchParams

IDS = ["reuters/1987/03/0001", "a b/c?d#e%f&g=ü+~", "x:y;z@!$'()*,=", "漢字/é"]


@pytest.mark.parametrize("script_root", ["", "/news"])
def test_article_and_search_links_are_those_of_the_routes(script_root):
    app = create_app(config.from_env(), client=object())
    with app.test_request_context("/search", base_url=f"http://example.org{script_root}/"):
        article_url = routes._article_urls()
        for article_id in IDS:
            assert article_url(article_id) == url_for("dateline.article_page", article_id=article_id)
        search_url = routes._search_urls("dateline.search_api")
        params = SearchParams(q="oil & gas", filters={"country": ("Côte d'Ivoire", "a=b")}, page=3)
        assert search_url(params) == url_for("dateline.search_api") + "?" + urlencode(params.to_args())
        assert search_url(SearchParams()) == url_for("dateline.search_api")


@pytest.mark.parametrize("script_root", ["", "/news"])
def test_page_links_follow_the_path_the_service_is_mounted_at(script_root):
    app = create_app(config.from_env(), client=object())
    client = app.test_client()
    for root in (script_root, "/other"):  # the links of one mount are not reused under another
        page = client.get("/api/docs", base_url=f"http://localhost{root}/").get_data(as_text=True)
        assert f'href="{root}/static/style.css"' in page
        assert f'action="{root}/search"' in page
