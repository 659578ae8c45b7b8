"""The grounding guard: what a generated answer must pass before anyone sees it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportqa.grounding import MARKER, check_grounding
from reportqa.models import Citation
from retrieval.text import squash, strip_invisible

NOT_FOUND = "报告中没有找到相关内容"
# How models say the passages do not answer ("报告中没有找到关于…的相关内容", "报告未提及…").
_SAYS_NOT_FOUND = re.compile(r"没有找到.{0,30}?相关内容|报告中?(?:并)?(?:没有|未)(?:提到|提及|涉及|找到)")
# Signs that a reply obeyed an instruction planted in a passage or question, or echoes the prompt's frame.
_INJECTION = re.compile(
    r"系统提示|提示词|system\s*prompt|忽略(?:以上|上述|之前|前面|所有)|ignore\s+(?:all\s+)?(?:the\s+)?(?:previous|above)"
    r"|[<>＜＞]{3}",
    re.IGNORECASE,
)
_DELIMITER_RUN = re.compile(r"[<>＜＞]{3,}")
LEAK_WINDOW = 20  # this many consecutive characters of the system prompt in a reply count as revealing it
_SENTENCE = re.compile(r"[^。！？!?；;\n]*[。！？!?；;\n]+[”’」』)）]*(?:\s*\[\d+\])*")


@dataclass(frozen=True)
class GuardResult:
    ok: bool
    reason: str = ""  # short Chinese phrase for the user's notice, e.g. 数字无出处
    problems: tuple[str, ...] = ()


def says_not_found(text: str) -> bool:
    """The reply says the passages do not answer the question."""
    return bool(_SAYS_NOT_FOUND.search(text))


def sanitize(text: str) -> str:
    """Data going into a prompt: no invisible characters, nothing that looks like the prompt's delimiters."""
    return _DELIMITER_RUN.sub(" ", strip_invisible(text))


def _reason(problem: str) -> str:
    if problem.startswith("marker"):
        return "引用编号无效"
    if problem.startswith("contains"):
        return "含链接、图片或HTML"
    return "数字无出处"


def _leaks(text: str, secrets: Sequence[str]) -> bool:
    body = squash(MARKER.sub("", text)).replace(NOT_FOUND, "")
    for secret in secrets:
        plain = squash(MARKER.sub("", secret)).replace(NOT_FOUND, "")
        if any(plain[i : i + LEAK_WINDOW] in body for i in range(max(0, len(plain) - LEAK_WINDOW + 1))):
            return True
    return False


def is_unsafe(text: str) -> bool:
    """Contains a link, image or HTML, or signs of an obeyed injection (citations aside)."""
    return bool(_INJECTION.search(text)) or any(
        p.startswith("contains") for p in check_grounding(text, ()).problems
    )


def check_piece(text: str, citations: Sequence[Citation], secrets: Sequence[str] = ()) -> GuardResult:
    """A sentence or a whole reply: no obeyed injection or leaked prompt, and check_grounding passes."""
    if _INJECTION.search(text) or _leaks(text, secrets):
        return GuardResult(False, "疑似执行了资料或问题中的指令", ("reply obeys an injected instruction",))
    report = check_grounding(text, citations)
    if not report.ok:
        return GuardResult(False, _reason(report.problems[0]), report.problems)
    return GuardResult(True)


def check_reply(text: str, citations: Sequence[Citation], secrets: Sequence[str] = ()) -> GuardResult:
    """A whole answering reply: check_piece, plus at least one [n] marker."""
    result = check_piece(text, citations, secrets)
    if result.ok and not MARKER.search(text):
        return GuardResult(False, "未标注出处", ("reply cites no passage",))
    return result


def split_complete(buffer: str) -> tuple[list[str], str]:
    """Completed sentences (with their trailing [n] markers) at the start of a streamed buffer, and the rest.

    A sentence counts as complete only once something other than a possible marker follows it, so that
    "…2000套。[1]" is never cut between the full stop and its marker.
    """
    sentences: list[str] = []
    pos = 0
    while (match := _SENTENCE.match(buffer, pos)) and match.end() > pos:
        rest = buffer[match.end() :]
        if not rest.strip() or rest.lstrip().startswith("["):
            break
        sentences.append(buffer[pos : match.end()])
        pos = match.end()
    return sentences, buffer[pos:]


def fit_length(text: str, max_chars: int) -> str:
    """The reply cut to the whole sentences that fit in max_chars (markers not counted); '' if none fit."""
    if len(MARKER.sub("", text)) <= max_chars:
        return text
    kept = ""
    for sentence in _SENTENCE.findall(text):
        if len(MARKER.sub("", kept + sentence)) > max_chars:
            break
        kept += sentence
    return kept.strip()
