"""The hybrid retriever as a LangChain BaseRetriever."""

from __future__ import annotations

import pytest

langchain_retriever = pytest.importorskip("retrieval.langchain_retriever")


@pytest.fixture(scope="module")
def retriever(hash_engine):
    return langchain_retriever.ReportRetriever(hybrid=hash_engine.retriever, k=3)


def test_is_a_langchain_retriever(retriever) -> None:
    from langchain_core.retrievers import BaseRetriever

    assert isinstance(retriever, BaseRetriever)


def test_invoke_returns_documents_with_offsets(retriever, report_text) -> None:
    from langchain_core.documents import Document

    docs = retriever.invoke("人才公寓")
    assert 1 <= len(docs) <= 3
    assert all(isinstance(d, Document) for d in docs)
    assert "人才公寓" in docs[0].page_content
    for d in docs:
        meta = d.metadata
        assert {"source", "section", "start", "end"} <= set(meta)
        assert meta["source"] == "shangqiu-2023-government-work-report.txt"
        assert report_text[meta["start"] : meta["end"]] == d.page_content
    assert docs[0].metadata["section"].startswith("2023年工作安排")


def test_composes_in_a_runnable_chain(retriever) -> None:
    from langchain_core.runnables import RunnableLambda

    chain = retriever | RunnableLambda(lambda docs: [d.metadata["start"] for d in docs])
    starts = chain.invoke("累计造林")
    assert len(starts) >= 1 and all(isinstance(s, int) for s in starts)


def test_batch_and_async(retriever) -> None:
    import asyncio

    batches = retriever.batch(["人才公寓", "造林"])
    assert len(batches) == 2 and all(batches)
    # a fresh thread: another test (Playwright, Gradio) may have left an event loop running in this one
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        docs = pool.submit(asyncio.run, retriever.ainvoke("人才公寓")).result()
    assert "人才公寓" in docs[0].page_content
