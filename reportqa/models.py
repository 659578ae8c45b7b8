"""The engine's outputs as frozen dataclasses: citations, answers and fact-check verdicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Citation:
    n: int  # the marker number used in the answer: [n]
    text: str  # the passage as stored
    source: str
    section: str
    start: int  # offsets of the passage in its source document
    end: int
    score: float
    title: str = ""
    highlight: tuple[int, int] | None = None  # the answering sentence, as offsets within `text`

    def to_dict(self) -> dict:
        data = asdict(self)
        data["highlight"] = list(self.highlight) if self.highlight else None
        return data


@dataclass(frozen=True)
class Answer:
    question: str  # as asked
    standalone_question: str  # what was searched for (follow-ups rewritten with the chat history)
    text: str  # what the user reads, with [n] markers
    abstained: bool
    citations: tuple[Citation, ...] = ()
    language: str = "zh"
    mode: str = "extractive"  # or "llm"
    notice: str = ""  # e.g. why an LLM answer was replaced
    latency_ms: float = 0.0
    extras: dict = field(default_factory=dict, compare=False)
    verified: bool = False  # a staff correction (mode "correction"), shown as checked by staff

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "language": self.language,
            "mode": self.mode,
            "notice": self.notice,
            "latency_ms": round(self.latency_ms, 1),
            "why": self.extras,  # the reader's span and scores, or the reason for a refusal
            "verified": self.verified,
        }


VERDICTS = ("supported", "contradicted", "not_found")


@dataclass(frozen=True)
class Verdict:
    claim: str
    verdict: str  # one of VERDICTS
    evidence: str  # the report's sentence that decides, '' when not found
    citations: tuple[Citation, ...] = ()
    claimed_figure: str = ""  # the claim's figure that disagrees
    report_figure: str = ""  # the report's figure beside it
    explanation: str = ""
    latency_ms: float = 0.0

    def to_dict(self) -> dict:
        return {
            "claim": self.claim,
            "verdict": self.verdict,
            "evidence": self.evidence,
            "citations": [c.to_dict() for c in self.citations],
            "claimed_figure": self.claimed_figure,
            "report_figure": self.report_figure,
            "explanation": self.explanation,
            "latency_ms": round(self.latency_ms, 1),
        }


class QuestionError(ValueError):
    """A question that cannot be asked as given (empty, too long); the message says what to do."""
