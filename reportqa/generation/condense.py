"""Follow-up condensing with the LLM: rewrite a follow-up into a standalone question, else the rule-based way."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from reportqa.generation.chat import chat_chain, invoke_with_deadline, llm_configured, make_chat_model
from reportqa.generation.guard import NOT_FOUND, is_unsafe, sanitize
from reportqa.grounding import MARKER
from reportqa.prompts import PromptError, PromptLibrary, load_prompts
from retrieval.text import strip_invisible

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from reportqa.settings import Settings

logger = logging.getLogger(__name__)
Rewrite = Callable[[str, Sequence[str]], str]
_LABEL = re.compile(r"^(?:改写后的问题|完整问题|问题|question)\s*[:：]\s*", re.IGNORECASE)
_QUOTES = "\"'“”‘’「」『』"
HISTORY_TURNS = 6


def format_history(history: Sequence[str], turns: int = HISTORY_TURNS) -> str:
    """The latest earlier turns, one cleaned line each, oldest first."""
    lines = [" ".join(sanitize(turn).split())[:300] for turn in history[-turns:]]
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, start=1) if line)


class LLMCondenser:
    """Rewrites follow-ups with the chat model; any failure or odd output falls back to `fallback_rewrite`."""

    def __init__(
        self,
        chat_model: BaseChatModel,
        prompts: PromptLibrary,
        fallback_rewrite: Rewrite,
        timeout: float = 20.0,
        max_chars: int = 200,
    ) -> None:
        if prompts.variables("condense") != {"history", "question"}:
            raise PromptError(f"{prompts.path('condense')}: expected variables ['history', 'question']")
        self.chain = chat_chain(chat_model, with_system=False)
        self.prompts, self.fallback_rewrite = prompts, fallback_rewrite
        self.timeout, self.max_chars = timeout, max_chars

    def condense(self, question: str, history: Sequence[str]) -> str:
        """The standalone form of `question` given the earlier user turns (oldest first)."""
        if not history:
            return question.strip()
        user = self.prompts.render(
            "condense", history=format_history(history), question=" ".join(sanitize(question).split())
        )
        try:
            reply = invoke_with_deadline(self.chain, {"user": user}, self.timeout)
        except Exception as exc:
            return self._fall_back(question, history, repr(exc))
        standalone = _LABEL.sub("", strip_invisible(reply or "").strip()).strip(_QUOTES + " ")
        if problem := self._odd(standalone):
            return self._fall_back(question, history, f"{problem}: {reply!r:.200}")
        return standalone

    __call__ = condense

    def _odd(self, text: str) -> str:
        if not text:
            return "empty rewrite"
        if len(text) > self.max_chars or "\n" in text or MARKER.search(text) or NOT_FOUND in text:
            return "not a single question"
        if is_unsafe(text):
            return "link, HTML or injected instruction"
        return ""

    def _fall_back(self, question: str, history: Sequence[str], why: str) -> str:
        logger.warning(
            "LLM follow-up rewrite failed for question %r (%s); using the rule-based one", question, why
        )
        return self.fallback_rewrite(question, history)


def make_condenser(
    settings: Settings,
    fallback_rewrite: Rewrite,
    prompts: PromptLibrary | None = None,
    chat_model: BaseChatModel | None = None,
) -> Rewrite:
    """A follow-up rewriter: the LLM one when an endpoint is configured, else `fallback_rewrite` itself."""
    if not llm_configured(settings):
        return fallback_rewrite
    return LLMCondenser(
        chat_model or make_chat_model(settings),
        prompts or load_prompts(settings.prompts_dir),
        fallback_rewrite,
        timeout=settings.llm_timeout,
    )
