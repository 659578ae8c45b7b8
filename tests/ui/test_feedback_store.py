"""The SQLite feedback store: add, list newest first, counts, and CSV/JSONL export."""

from __future__ import annotations

import csv
import io
import json

import pytest


def test_add_list_count_and_export(store):
    first = store.add(
        "up", "多少套？", "2000套。[1]", [{"n": 1, "text": "建成人才公寓2000套"}], "好", settings={"top_k": 5}
    )
    store.add("down", "<b>?</b>", "不知道", comment="  错了  ")
    entries = store.entries()
    assert [e.rating for e in entries] == ["down", "up"] and entries[1].id == first
    assert (
        entries[0].comment == "错了"
        and entries[1].citations[0]["n"] == 1
        and entries[1].settings == {"top_k": 5}
    )
    assert store.counts() == {"up": 1, "down": 1}
    lines = [json.loads(line) for line in store.export_jsonl().splitlines()]
    assert lines[0]["question"] == "多少套？" and lines[1]["question"] == "<b>?</b>"
    rows = list(csv.DictReader(io.StringIO(store.export_csv())))
    assert rows[0]["rating"] == "up" and json.loads(rows[0]["citations"])[0]["text"] == "建成人才公寓2000套"


def test_unknown_rating_is_refused(store):
    with pytest.raises(ValueError):
        store.add("meh", "q", "a")


def test_the_store_persists(store, tmp_path):
    from reportqa.feedback import FeedbackStore

    store.add("up", "q", "a")
    assert len(FeedbackStore(tmp_path / "feedback.sqlite3").entries()) == 1
