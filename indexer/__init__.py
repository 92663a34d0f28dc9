"""dateline indexer: turns folders of news articles into documents in an Elasticsearch index behind an alias."""
