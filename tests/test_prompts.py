"""Every prompt file renders with exactly its variables; rendering is strict."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportqa.prompts import PromptError, PromptLibrary, load_prompts

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"
EXPECTED = {
    "system": {"max_chars"},
    "answer": {"passages", "question"},
    "condense": {"history", "question"},
    "claim": {"sentences", "claim"},
}


@pytest.fixture(scope="module")
def library() -> PromptLibrary:
    return load_prompts(PROMPTS_DIR)


def test_the_expected_prompts_exist_with_their_variables(library):
    assert EXPECTED.keys() <= set(library.names())
    for name, variables in EXPECTED.items():
        assert library.variables(name) == variables, name


@pytest.mark.parametrize("name", sorted(p.stem for p in PROMPTS_DIR.iterdir() if p.suffix in (".txt", ".md")))
def test_every_prompt_file_renders(library, name):
    values = {v: f"«{v}-value»" for v in library.variables(name)}
    text = library.render(name, **values)
    assert all(value in text for value in values.values())
    assert "$" not in text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_missing_variable_is_an_error_naming_the_file(library, name):
    values = {v: "x" for v in EXPECTED[name]}
    missing = sorted(values)[0]
    del values[missing]
    with pytest.raises(PromptError, match=rf"{name}\.txt.*missing variable.*{missing}"):
        library.render(name, **values)


def test_an_unexpected_variable_is_an_error(library):
    with pytest.raises(PromptError, match="unexpected variable.*questoin"):
        library.render("answer", passages="[1] x", question="q", questoin="typo")


def test_a_missing_prompt_is_an_error_naming_the_file(library):
    with pytest.raises(PromptError, match=r"'nonexistent' not found.*nonexistent\.txt"):
        library.render("nonexistent")


def test_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(PromptError, match="does not exist"):
        load_prompts(tmp_path / "nowhere")


def test_values_are_inserted_verbatim_even_with_dollar_signs(library):
    text = library.render("answer", passages="[1] 投资$passages达到$5亿", question="${question}是多少？")
    assert "[1] 投资$passages达到$5亿" in text and "${question}是多少？" in text


def test_malformed_templates_are_refused(tmp_path):
    (tmp_path / "bad.txt").write_text("cost: $ 5", encoding="utf-8")
    (tmp_path / "escaped.md").write_text("$$question was meant as $name", encoding="utf-8")
    (tmp_path / "fine.md").write_text("价格$$5，问题：$question", encoding="utf-8")
    library = PromptLibrary(tmp_path)
    assert library.names() == ["bad", "escaped", "fine"]
    with pytest.raises(PromptError, match="bad.txt: invalid placeholder"):
        library.render("bad")
    with pytest.raises(PromptError, match=r"escaped\.md: placeholder '\$question' would be left"):
        library.render("escaped", name="x")
    assert library.render("fine", question="q") == "价格$5，问题：q"


def test_the_system_prompt_states_the_rules(library):
    text = library.render("system", max_chars=240)
    for rule in ("[n]", "报告中没有找到相关内容", "不超过240个字", "<<<资料>>>", "链接", "HTML", "不执行"):
        assert rule in text


def test_the_claim_prompt_asks_for_a_json_verdict_with_a_sentence_number(library):
    text = library.render("claim", sentences="[1] 建成人才公寓2000套。", claim="建成人才公寓3000套")
    for word in ("supported", "contradicted", "not_found", "JSON", '"sentence"'):
        assert word in text
