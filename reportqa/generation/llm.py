"""LLM answers through LangChain, shown only after the grounding guard passes; else the extractive answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from reportqa.generation.chat import (
    FALLBACK_SUFFIX,
    chat_chain,
    failure_notice,
    invoke_with_deadline,
    llm_configured,
    make_chat_model,
    stream_with_deadline,
)
from reportqa.generation.guard import (
    NOT_FOUND,
    check_piece,
    check_reply,
    fit_length,
    sanitize,
    says_not_found,
    split_complete,
)
from reportqa.models import Answer, Citation
from reportqa.prompts import PromptError, PromptLibrary, load_prompts
from reportqa.reading import citation_for
from retrieval.text import strip_invisible

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from reportqa.generation import Generator
    from reportqa.query import Query
    from reportqa.settings import Settings
    from retrieval.hybrid import Hit


logger = logging.getLogger(__name__)
ABSTAIN_TEXT = NOT_FOUND + "，以下是最接近的段落，供参考。"


def citations_from(hits: Sequence[Hit]) -> tuple[Citation, ...]:
    """Citation n=1..k for the hits, in the order they are shown to the model."""
    return tuple(citation_for(h, i) for i, h in enumerate(hits, start=1))


def format_passages(citations: Sequence[Citation]) -> str:
    """The numbered passages as the model sees them: '[n]（章节：…）' then the cleaned passage text."""
    blocks = []
    for c in citations:
        heading = f"[{c.n}]（章节：{sanitize(c.section)}）" if c.section else f"[{c.n}]"
        blocks.append(f"{heading}\n{sanitize(c.text).strip()}")
    return "\n\n".join(blocks)


class LLMGenerator:
    """Answers from an OpenAI-compatible chat model; every reply is checked before it is shown."""

    mode = "llm"

    def __init__(
        self,
        chat_model: BaseChatModel,
        prompts: PromptLibrary,
        fallback: Generator,
        timeout: float = 20.0,
        max_chars: int = 240,
    ) -> None:
        for name, needed in (("system", {"max_chars"}), ("answer", {"passages", "question"})):
            if prompts.variables(name) != needed:  # fail at start-up, not on the first question
                raise PromptError(f"{prompts.path(name)}: expected variables {sorted(needed)}")
        self.chain = chat_chain(chat_model)
        self.prompts, self.fallback = prompts, fallback
        self.timeout, self.max_chars = timeout, max_chars
        self._secret_texts: tuple[str, ...] = ()

    def _messages(self, query: Query, citations: Sequence[Citation]) -> dict[str, str]:
        system = self.prompts.render("system", max_chars=self.max_chars)
        user = self.prompts.render(
            "answer",
            passages=format_passages(citations),
            question=sanitize(query.standalone or query.original).strip(),
        )
        return {"system": system, "user": user}

    def _secrets(self) -> tuple[str, ...]:
        """The prompt's own wording (passages and question left out): a reply must not reveal it."""
        if not self._secret_texts:
            self._secret_texts = (
                self.prompts.render("system", max_chars=self.max_chars),
                self.prompts.render("answer", passages="", question=""),
            )
        return self._secret_texts

    def generate(self, query: Query, hits: Sequence[Hit]) -> Answer:
        """The checked LLM answer, or the fallback's answer with a notice saying why."""
        started = time.monotonic()
        if not hits:  # nothing to ground an answer on: the extractive answerer's abstention
            return self.fallback.generate(query, hits)
        citations = citations_from(hits)
        messages = self._messages(query, citations)
        try:
            reply = invoke_with_deadline(self.chain, messages, self.timeout)
        except Exception as exc:
            return self._fall_back(query, hits, started, failure_notice(exc), (repr(exc),))
        return self._finish(query, hits, citations, reply, started)

    def stream(self, query: Query, hits: Sequence[Hit]) -> Iterator[Answer]:
        """Growing partial answers, then the final one (extras['partial'] tells them apart).

        Text is released sentence by sentence, each sentence only after it passes the guard (figures in
        the passages it cites, valid markers, no links/HTML, no obeyed injection). This keeps the
        promise that nothing unverified is shown while the user still sees the answer grow, which
        buffering the whole reply would not give. The final answer is checked again as a whole; if
        that or anything else fails, the last Answer yielded is the fallback's, with its notice.
        """
        started = time.monotonic()
        if not hits:
            yield self.fallback.generate(query, hits)
            return
        citations = citations_from(hits)
        messages = self._messages(query, citations)
        shown, pending = "", ""
        try:
            for piece in stream_with_deadline(self.chain, messages, self.timeout):
                pending += piece
                sentences, pending = split_complete(pending)
                for sentence in sentences:
                    result = check_piece(sentence, citations, self._secrets())
                    if not result.ok:
                        yield self._rejected(query, hits, started, result.reason, result.problems)
                        return
                    shown += strip_invisible(sentence)
                    yield self._answer(query, citations, shown.strip(), False, started, partial=True)
        except Exception as exc:
            yield self._fall_back(query, hits, started, failure_notice(exc), (repr(exc),))
            return
        yield self._finish(query, hits, citations, shown + pending, started)

    def _finish(
        self, query: Query, hits: Sequence[Hit], citations: tuple[Citation, ...], reply: str, started: float
    ) -> Answer:
        text = strip_invisible(reply or "").strip()
        if not text:
            return self._fall_back(
                query, hits, started, "大模型未返回有效回答，" + FALLBACK_SUFFIX, ("empty reply",)
            )
        if says_not_found(text):
            # The model found nothing: abstain, and show the passages searched as the nearest ones.
            return self._answer(query, citations, ABSTAIN_TEXT, True, started)
        result = check_reply(text, citations, self._secrets())
        if not result.ok:
            return self._rejected(query, hits, started, result.reason, result.problems)
        fitted = fit_length(text, self.max_chars)
        if not fitted:
            return self._rejected(query, hits, started, "回答过长", ("reply too long",))
        return self._answer(query, citations, fitted, False, started)

    def _answer(
        self,
        query: Query,
        citations: tuple[Citation, ...],
        text: str,
        abstained: bool,
        started: float,
        partial: bool = False,
    ) -> Answer:
        return Answer(
            question=query.original,
            standalone_question=query.standalone,
            text=text,
            abstained=abstained,
            citations=citations,
            language=query.language,
            mode=self.mode,
            latency_ms=(time.monotonic() - started) * 1000,
            extras={"partial": partial},
        )

    def _rejected(
        self, query: Query, hits: Sequence[Hit], started: float, reason: str, problems: Sequence[str]
    ) -> Answer:
        notice = f"大模型回答未通过核验（{reason}），" + FALLBACK_SUFFIX
        return self._fall_back(query, hits, started, notice, problems)

    def _fall_back(
        self, query: Query, hits: Sequence[Hit], started: float, notice: str, problems: Sequence[str]
    ) -> Answer:
        logger.warning(
            "LLM answer replaced by the extractive one for question %r: %s (%s)",
            query.original,
            notice,
            "; ".join(problems),
        )
        answer = self.fallback.generate(query, hits)
        extras = {**answer.extras, "partial": False, "llm_failure": notice, "llm_problems": list(problems)}
        return replace(answer, notice=notice, latency_ms=(time.monotonic() - started) * 1000, extras=extras)


def make_generator(
    settings: Settings,
    fallback: Generator,
    prompts: PromptLibrary | None = None,
    chat_model: BaseChatModel | None = None,
) -> Generator:
    """The LLM generator when an endpoint is configured, else `fallback` (the extractive answerer)."""
    if not llm_configured(settings):
        return fallback
    return LLMGenerator(
        chat_model or make_chat_model(settings),
        prompts or load_prompts(settings.prompts_dir),
        fallback,
        timeout=settings.llm_timeout,
        max_chars=settings.max_answer_chars,
    )
