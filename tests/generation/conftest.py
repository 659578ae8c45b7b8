"""Shared pieces for generation tests: real passages of the report, a loopback OpenAI server, a fallback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from reportqa.prompts import PromptLibrary, load_prompts
from reportqa.query import Query
from retrieval.chunking import Chunk, chunk_document
from retrieval.documents import read_document
from retrieval.hybrid import Hit
from retrieval.text import normalize
from tests.fakes.openai_server import FakeOpenAIServer

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "knowledge" / "shangqiu-2023-government-work-report.txt"
# Real passages of the report: the talent flats (2000套), innovation subjects (240家) and jobs (45万人).
NEEDLES = ("建成人才公寓2000套", "国家高新技术企业达到240家以上", "城镇新增就业45万人")


@pytest.fixture(scope="session")
def chunks() -> list[Chunk]:
    return chunk_document(read_document(REPORT))


def chunk_with(chunks: list[Chunk], needle: str) -> Chunk:
    return next(c for c in chunks if needle in c.text)


def as_hits(passages: list[Chunk]) -> list[Hit]:
    return [Hit(chunk=c, score=1.0 - i / 10, dense=0.5, lexical=3.0) for i, c in enumerate(passages)]


@pytest.fixture
def hits(chunks: list[Chunk]) -> list[Hit]:
    return as_hits([chunk_with(chunks, n) for n in NEEDLES])


def injected(chunk: Chunk, text: str) -> Chunk:
    """The chunk with planted text appended (as a poisoned document would carry it)."""
    return replace(chunk, text=chunk.text + text, end=chunk.end + len(text))


def make_query(question: str) -> Query:
    text = normalize(question)
    return Query(original=question, standalone=question, text=text, language="zh", lexical_text=text)


@pytest.fixture(scope="session")
def prompts() -> PromptLibrary:
    return load_prompts(ROOT / "prompts")


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as fake:
        yield fake


@pytest.fixture(scope="session")
def fallback():
    """The real extractive answerer: the shipped reader with its calibrated abstention model."""
    from reportqa.reader.model import calibrated_abstention, shared_reader
    from reportqa.reading import ReaderAnswerer, ReaderPolicy

    return ReaderAnswerer(shared_reader(), ReaderPolicy(abstention=calibrated_abstention()))
