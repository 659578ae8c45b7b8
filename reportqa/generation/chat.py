"""The chat model behind LLM answers: construction from settings, and calls that respect a hard deadline."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable

    from reportqa.settings import Settings

FALLBACK_SUFFIX = "已改用原文摘录答案。"


def llm_configured(settings: Settings) -> bool:
    """True when an OpenAI-compatible endpoint is configured (base URL and model both set)."""
    if settings.llm_base_url and not settings.llm_model:
        raise ValueError("REPORTQA_LLM_MODEL must be set when REPORTQA_LLM_BASE_URL is set")
    return bool(settings.llm_base_url and settings.llm_model)


def make_chat_model(settings: Settings) -> BaseChatModel:
    """A ChatOpenAI client for the configured endpoint, with no retries so the timeout is the real budget."""
    from langchain_openai import ChatOpenAI  # imported here: nothing heavy unless an LLM is configured
    from pydantic import SecretStr

    return ChatOpenAI(
        base_url=settings.llm_base_url,
        model=str(settings.llm_model),
        # An explicit key even when the endpoint needs none, so OPENAI_API_KEY is never sent to it.
        api_key=SecretStr(settings.llm_api_key or "not-needed"),
        timeout=settings.llm_timeout,
        max_retries=0,
    )


def chat_chain(chat_model: BaseChatModel, with_system: bool = True) -> Runnable:
    """LCEL: (system, user) messages | chat model | text; the messages are rendered beforehand."""
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    messages = [("system", "{system}"), ("human", "{user}")] if with_system else [("human", "{user}")]
    return ChatPromptTemplate.from_messages(messages) | chat_model | StrOutputParser()


def _run(target: Any, name: str) -> None:
    # A daemon thread: a call still hanging after the deadline must not keep the process alive.
    threading.Thread(target=target, daemon=True, name=name).start()


def invoke_with_deadline(chain: Runnable, inputs: dict[str, str], timeout: float) -> str:
    """chain.invoke(inputs), or TimeoutError once `timeout` seconds have passed, whatever the transport does."""
    box: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def work() -> None:
        try:
            box.put((True, chain.invoke(inputs)))
        except Exception as exc:  # handed to the caller's thread
            box.put((False, exc))

    _run(work, "reportqa-llm-invoke")
    try:
        ok, value = box.get(timeout=timeout)
    except queue.Empty:
        raise TimeoutError(f"no reply within {timeout:g} s") from None
    if not ok:
        raise value
    return value


def stream_with_deadline(chain: Runnable, inputs: dict[str, str], timeout: float) -> Iterator[str]:
    """chain.stream(inputs) piece by piece; TimeoutError once `timeout` seconds have passed in all."""
    pieces: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            for piece in chain.stream(inputs):
                if stop.is_set():
                    return  # leaving the loop closes the HTTP stream
                pieces.put(("piece", piece))
            pieces.put(("done", None))
        except Exception as exc:
            pieces.put(("error", exc))

    deadline = time.monotonic() + timeout
    _run(work, "reportqa-llm-stream")
    try:
        while True:
            try:
                kind, value = pieces.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"reply not complete within {timeout:g} s") from None
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()


def failure_notice(exc: BaseException) -> str:
    """The user's notice for an endpoint that failed: timed out, unreachable or answered with an error."""
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    if isinstance(exc, TimeoutError) or "Timeout" in name:
        return "大模型响应超时，" + FALLBACK_SUFFIX
    if isinstance(status, int):
        return f"大模型服务出错（HTTP {status}），" + FALLBACK_SUFFIX
    if "Connection" in name or isinstance(exc, ConnectionError):
        return "无法连接大模型服务，" + FALLBACK_SUFFIX
    return "大模型未返回有效回答，" + FALLBACK_SUFFIX
