"""A jieba-tokenised BM25 index; figures ('2000套', '7.5%') and quoted terms are kept as whole tokens."""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache

from retrieval.figures import ARABIC_FIGURE
from retrieval.text import normalize

STOP_TOKENS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "等",
        "在",
        "是",
        "有",
        "为",
        "对",
        "把",
        "被",
        "将",
        "要",
        "也",
        "都",
        "又",
        "并",
        "从",
        "以",
        "于",
        "之",
        "其",
        "这",
        "那",
        "个",
        "我",
        "你",
        "他",
        "吗",
        "呢",
        "啊",
        "吧",
        "呀",
        "么",
        "什么",
        "多少",
        "哪些",
        "哪个",
        "哪里",
        "几",
        "怎么",
        "怎样",
        "如何",
        "是否",
        "一下",
        "请问",
        "报告",
        "一个",
        "方面",
        "情况",
    ]
)
_QUOTED = re.compile(r"[“\"《「]([^”\"》」]{2,20})[”\"》」]")
_WORD = re.compile(r"[\w\u4e00-\u9fff%.]+")


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    # jieba caches its dictionary in the temp folder; keep it in a folder of its own.
    cache_dir = os.environ.get("REPORTQA_JIEBA_CACHE") or os.path.join(
        tempfile.gettempdir(), "reportqa-jieba"
    )
    os.makedirs(cache_dir, exist_ok=True)
    jieba.dt.tmp_dir = cache_dir
    jieba.initialize()
    return jieba


def tokenize(text: str) -> list[str]:
    """Search tokens of a text: jieba words (search mode), whole figures, bare numbers and quoted terms."""
    text = normalize(text).lower()
    tokens = [t for t in _jieba().cut_for_search(text) if _WORD.fullmatch(t) and t not in STOP_TOKENS]
    tokens += [m.group(0) for m in ARABIC_FIGURE.finditer(text) if m.group("unit") or m.group("mag")]
    tokens += [m.group(1) for m in _QUOTED.finditer(text)]
    return tokens


class BM25Index:
    """Okapi BM25 over an inverted index; scores only the documents that share a token with the query."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.lengths: list[int] = []
        for i, text in enumerate(texts):
            counts = Counter(tokenize(text))
            self.lengths.append(sum(counts.values()))
            for token, tf in counts.items():
                self.postings[token].append((i, tf))
        n = max(len(self.lengths), 1)
        self.avg_length = sum(self.lengths) / n if self.lengths else 1.0
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    def __len__(self) -> int:
        return len(self.lengths)

    def search(self, query: str, k: int = 20) -> list[tuple[int, float]]:
        """(document index, score) of the best matches, best first."""
        scores: dict[int, float] = defaultdict(float)
        for token in set(tokenize(query)):
            idf = self.idf.get(token)
            if idf is None:
                continue
            for doc, tf in self.postings[token]:
                norm = self.k1 * (1 - self.b + self.b * self.lengths[doc] / self.avg_length)
                scores[doc] += idf * tf * (self.k1 + 1) / (tf + norm)
        return sorted(scores.items(), key=lambda kv: -kv[1])[:k]
