"""The conversation log: turns with their citations and ratings, filters, retention, exports, the off switch."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from reportqa.conversations import COLUMNS, ConversationLog, open_log
from reportqa.models import Answer, Citation

CITATION = Citation(1, "建成人才公寓2000套。", "report.txt", "2023年工作安排", 10, 21, 0.9)


def answer(question: str, abstained: bool = False, verified: bool = False) -> Answer:
    text = "报告中没有找到这个问题的答案。" if abstained else "建成人才公寓2000套。[1]"
    return Answer(question, question, text, abstained, (CITATION,), latency_ms=12.34, verified=verified)


def test_turns_are_logged_rated_filtered_and_exported(tmp_path):
    log = ConversationLog(tmp_path / "log.sqlite3")
    first = log.add(answer("人才公寓多少套？"))
    second = log.add(answer("机场何时通航？", abstained=True), channel="api")
    third = log.add(answer("人才公寓呢？", verified=True))
    log.rate(first, "down")
    log.rate(second, "down")
    turns = log.turns()
    assert [t.id for t in turns] == [third, second, first]
    assert turns[2].citations[0]["text"] == "建成人才公寓2000套。" and turns[2].latency_ms == 12.3
    assert (turns[1].abstained, turns[1].channel, turns[0].verified) == (True, "api", True)
    assert [t.id for t in log.turns(refused_only=True)] == [second]
    assert [t.id for t in log.turns(down_only=True)] == [second, first]
    assert [t.id for t in log.turns(refused_only=True, down_only=True)] == [second]
    assert [t.id for t in log.turns(limit=1)] == [third]
    rows = list(csv.DictReader(io.StringIO(log.export_csv(down_only=True))))
    assert [r["question"] for r in rows] == ["人才公寓多少套？", "机场何时通航？"] and rows[0][
        "rating"
    ] == "down"
    assert json.loads(rows[0]["citations"])[0]["n"] == 1
    lines = [json.loads(line) for line in log.export_jsonl().splitlines()]
    assert [line["id"] for line in lines] == [first, second, third]
    assert set(lines[0]) == set(COLUMNS)
    # nothing that identifies a person is stored: no address, agent or session column
    assert not {"ip", "address", "client", "session", "user_agent"} & set(COLUMNS)


def test_turns_past_the_retention_are_deleted(tmp_path):
    log = ConversationLog(tmp_path / "log.sqlite3", retention_days=7)
    now = datetime.now(UTC)
    log.add(answer("旧的"), now=now - timedelta(days=8))
    log.add(answer("六天前"), now=now - timedelta(days=6))
    assert [t.question for t in log.turns()] == ["六天前", "旧的"]
    log.add(answer("今天"), now=now)  # writing a turn drops those past the retention
    assert [t.question for t in log.turns()] == ["今天", "六天前"]
    assert log.purge(now + timedelta(days=2)) == 1 and [t.question for t in log.turns()] == ["今天"]


def test_the_log_can_be_off(tmp_path):
    assert open_log(tmp_path / "off.sqlite3", enabled=False, retention_days=30) is None
    assert not (tmp_path / "off.sqlite3").exists()
    log = open_log(tmp_path / "on.sqlite3", enabled=True, retention_days=30)
    assert log is not None and log.retention_days == 30 and log.db.integrity() == "ok"
