"""Configuration from the environment."""

from pathlib import Path

import pytest

from dateline.config import ConfigError, Settings, cache_dir, from_env


def test_defaults_point_at_a_local_node_and_the_articles_alias():
    settings = from_env({})
    assert settings == Settings()
    assert settings.es_urls == ("http://127.0.0.1:9200",)
    assert settings.alias == "articles"


def test_a_comma_separated_es_url_means_several_nodes():
    settings = from_env({"ES_URL": "http://a:9200, http://b:9200,"})
    assert settings.es_urls == ("http://a:9200", "http://b:9200")


def test_credentials_and_server_settings_are_read():
    settings = from_env({"ES_USERNAME": "reader", "ES_PASSWORD": "s3cret", "DATELINE_ALIAS": "news",
                         "DATELINE_PORT": "8080", "ES_TIMEOUT": "2.5", "DATELINE_WORKERS": "3"})
    assert (settings.es_username, settings.es_password, settings.alias) == ("reader", "s3cret", "news")
    assert (settings.port, settings.es_timeout, settings.workers) == (8080, 2.5, 3)


@pytest.mark.parametrize("environ, message", [
    ({"ES_USERNAME": "reader"}, "ES_PASSWORD"),
    ({"DATELINE_PORT": "eighty"}, "DATELINE_PORT"),
    ({"ES_TIMEOUT": "-1"}, "ES_TIMEOUT"),
    ({"DATELINE_ALIAS": "My Alias"}, "DATELINE_ALIAS"),
    ({"DATELINE_WORKERS": "0"}, "DATELINE_WORKERS"),
])
def test_unusable_values_are_refused_with_the_variable_named(environ, message):
    with pytest.raises(ConfigError, match=message):
        from_env(environ)


def test_log_level_and_format_are_read_and_checked():
    settings = from_env({"LOG_LEVEL": "debug", "LOG_FORMAT": "JSON"})
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")
    assert (Settings().log_level, Settings().log_format) == ("INFO", "text")
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        from_env({"LOG_FORMAT": "xml"})


def test_the_cache_folder_follows_xdg_and_can_be_turned_off():
    assert cache_dir({"XDG_CACHE_HOME": "/var/cache"}) == Path("/var/cache/dateline")
    assert cache_dir({"DATELINE_CACHE_DIR": "/srv/dateline", "XDG_CACHE_HOME": "/var/cache"}) == Path("/srv/dateline")
    assert cache_dir({}) == Path.home() / ".cache" / "dateline"
    assert cache_dir({"DATELINE_CACHE_DIR": "off"}) is None
