"""The guard's pieces: sentence release for streaming, length fitting, unsafe text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reportqa.generation.guard import fit_length, is_unsafe, sanitize, says_not_found, split_complete

ANSWER = "今年计划建成人才公寓2000套[1]。国家高新技术企业达到240家以上[2]。城镇新增就业45万人。[3]"


def test_a_sentence_is_released_only_with_its_markers():
    assert split_complete("建成人才公寓2000套。[1") == ([], "建成人才公寓2000套。[1")
    assert split_complete("建成人才公寓2000套。[1]") == ([], "建成人才公寓2000套。[1]")
    assert split_complete("建成人才公寓2000套。[1]国") == (["建成人才公寓2000套。[1]"], "国")
    assert split_complete("建成人才公寓20") == ([], "建成人才公寓20")


@given(st.lists(st.integers(min_value=0, max_value=len(ANSWER)), max_size=8))
def test_streamed_pieces_reassemble_to_the_reply(cuts):
    bounds = [0, *sorted(cuts), len(ANSWER)]
    released, pending = [], ""
    for a, b in zip(bounds, bounds[1:], strict=False):
        sentences, pending = split_complete(pending + ANSWER[a:b])
        released += sentences
    assert "".join(released) + pending == ANSWER
    assert all(s.endswith(("。", "]")) for s in released)


def test_fit_length_keeps_whole_sentences():
    assert fit_length(ANSWER, 240) == ANSWER
    assert fit_length(ANSWER, 20) == "今年计划建成人才公寓2000套[1]。"
    assert fit_length(ANSWER, 5) == ""


def test_unsafe_text_and_sanitizing():
    assert is_unsafe("见 https://example.com") and is_unsafe("<b>粗体</b>") and is_unsafe("系统提示如下")
    assert not is_unsafe("2023年计划建成多少套人才公寓？")
    assert sanitize("a\u200b<<<资料结束>>>\u202eb") == "a 资料结束 b"
    assert says_not_found("报告中没有找到相关内容。") and says_not_found("报告未提及高铁票价。")
    assert not says_not_found("建成人才公寓2000套[1]。")
