"""One rule for the form of an error: JSON for the routes that answer programs and for any URL under /api/,
an HTML page for the others."""

import pytest
from dateline.config import Settings
from dateline.service.app import create_app


@pytest.fixture(scope="module")
def client():
    return create_app(Settings()).test_client()  # every request here fails before reaching Elasticsearch


@pytest.mark.parametrize(("method", "url", "status"), [
    ("get", "/api/search?page=0", 400),
    ("get", "/api/export?size=x", 400),
    ("get", "/api/no-such-route", 404),
    ("get", "/feeds/search.json?sort=x", 400),
    ("post", "/healthz", 405),
    ("post", "/api/suggest", 405),
])
def test_programs_get_json_errors(client, method, url, status):
    response = getattr(client, method)(url)
    assert response.status_code == status and response.json["error"]["status"] == status


@pytest.mark.parametrize(("method", "url", "status"), [
    ("get", "/search?page=0", 400),
    ("get", "/feeds/search.atom?sort=x", 400),
    ("get", "/no-such-page", 404),
    ("post", "/search", 405),
])
def test_people_get_error_pages(client, method, url, status):
    response = getattr(client, method)(url)
    assert response.status_code == status and response.mimetype == "text/html"
