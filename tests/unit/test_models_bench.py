"""The model comparison's pure parts: licences from package metadata, the query sample, the fusion summary."""

from __future__ import annotations

from email.message import Message

from bench import models


def _meta(**fields) -> Message:
    meta = Message()
    for key, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            meta[key.replace("_", "-")] = value
    return meta


def test_the_licence_is_the_field_or_expression_else_the_classifier():
    assert models.licence(_meta(License_Expression="Apache-2.0", License="whatever")) == "Apache-2.0"
    assert models.licence(_meta(License="MIT")) == "MIT"
    classified = _meta(License="Copyright (c) 2024\nPermission is hereby granted...",
                       Classifier=["Programming Language :: Python", "License :: OSI Approved :: MIT License"])
    assert models.licence(classified) == "MIT License"
    assert models.licence(_meta()) == "not stated"


def test_the_sample_takes_the_first_queries_of_each_half_in_file_order():
    queries = {str(n): f"q{n}" for n in range(10)}
    chosen, tuning, held_out = models.sample(queries, 2)
    assert tuning == {"0", "1"} and held_out == {"5", "6"}
    assert list(chosen) == ["0", "1", "5", "6"]
    everything, tuning, held_out = models.sample(queries, None)
    assert everything == queries and len(tuning) == len(held_out) == 5


def test_the_summary_gives_the_product_weight_the_best_on_tuning_and_lexical():
    rows = [{"fusion": "blend w=0.0", "tuning": 0.5, "held_out": 0.4},
            {"fusion": "blend w=0.6", "tuning": 0.6, "held_out": 0.5},
            {"fusion": "blend w=0.8", "tuning": 0.7, "held_out": 0.45},
            {"fusion": "RRF k=60", "tuning": 0.9, "held_out": 0.9}]
    found = models.summary(rows, weight=0.6)
    assert found["product_weight"]["held_out"] == 0.5
    assert found["best_on_tuning"]["fusion"] == "blend w=0.8"  # RRF is not a blend weight
    assert found["lexical"]["tuning"] == 0.5
