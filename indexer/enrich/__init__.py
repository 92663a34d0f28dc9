"""Enrichment: what the indexer adds to a parsed article, one module per concern.

``names`` (one form of a name), ``gazetteer`` (known places, organisations and people), ``entities`` (names
found in text), ``stories`` (the near-duplicate story key) and ``document`` (the index document and its id).
"""
