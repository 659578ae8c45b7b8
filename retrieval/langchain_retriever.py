"""The hybrid retriever as a LangChain BaseRetriever, so it composes with LangChain chains."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict


class ReportRetriever(BaseRetriever):
    """Wraps a HybridRetriever; each LangChain Document carries source, section and offsets."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    hybrid: Any
    k: int = 5

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        hits = self.hybrid.search(query, self.k)
        return [
            LCDocument(
                page_content=h.chunk.text,
                id=h.chunk.id,
                metadata={
                    "source": h.chunk.source,
                    "section": h.chunk.section,
                    "start": h.chunk.start,
                    "end": h.chunk.end,
                    "part": h.chunk.part,
                    "title": h.chunk.title,
                    "score": h.score,
                },
            )
            for h in hits
        ]
