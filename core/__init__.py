"""dateline: full-text search for a news archive.

The package's core, imported by both halves and importing neither: configuration (``dateline.config``), the
Elasticsearch client (``dateline.client``) and the index contract (``dateline.schema``). The indexer
(``dateline.indexer``) and the search service (``dateline.service``) stand on it, and the ``dateline`` command
(``dateline.cli``) on both.
"""
