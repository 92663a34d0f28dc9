"""The JSON API against its OpenAPI description (service/openapi.json): real answers of a real node, for every
route and its errors, validated by openapi-core, so the description cannot drift from the code."""

from __future__ import annotations

import dataclasses
import json

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse

from dateline.client import connect
from dateline.indexer.rebuild import rebuild
from dateline.service.app import create_app
from dateline.service.contract import OPENAPI_PATH


@pytest.fixture(scope="module")
def contract():
    # JSON Feed's own media type is JSON too.
    return OpenAPI.from_file_path(str(OPENAPI_PATH), config=Config(
        extra_media_type_deserializers={"application/feed+json": json.loads}))


@pytest.fixture
def client(test_settings, seeds_dir):
    rebuild(connect(test_settings), test_settings.alias, [str(seeds_dir)])
    return create_app(test_settings).test_client()


def _checked(contract, client, url: str, status: int):
    response = client.get(url)
    assert response.status_code == status, (url, response.get_data(as_text=True)[:300])
    contract.validate_response(WerkzeugOpenAPIRequest(response.request), WerkzeugOpenAPIResponse(response))
    return response


def test_every_json_route_answers_as_described(contract, client):
    found = _checked(contract, client, "/api/search?q=protest&country=Azerbaijan&sort=newest", 200).get_json()
    assert found["hits"], "the seeds match: the hit schema is exercised"
    article_id = found["hits"][0]["id"]
    for url in ("/api/search", "/api/search?q=qqqzzzx", f"/api/articles/{article_id}", "/api/suggest?q=ba",
                "/api/facets/place?prefix=l", "/api/export", "/api/export?format=csv", "/feeds/search.json?q=baku",
                "/healthz", "/api/openapi.json"):
        _checked(contract, client, url, 200)


def test_errors_answer_as_described(contract, client):
    assert _checked(contract, client, "/api/search?page=x", 400).get_json()["error"]["parameter"] == "page"
    _checked(contract, client, "/api/search?from=2023-13-01", 400)
    _checked(contract, client, "/api/articles/no-such-article", 404)
    _checked(contract, client, "/api/facets/colour", 404)
    _checked(contract, client, "/api/export?format=xlsx", 400)


def test_an_unreachable_node_answers_as_described(contract, test_settings):
    down = create_app(dataclasses.replace(test_settings, es_urls=("http://127.0.0.1:9",), es_timeout=1))
    _checked(contract, down.test_client(), "/healthz", 503)
    _checked(contract, down.test_client(), "/api/search?q=baku", 503)
