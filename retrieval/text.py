"""Text normalisation shared by indexing, querying and scoring."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Zero-width, bidi controls and other invisible formatting characters.
_INVISIBLE = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\u00ad\u180e\U000e0000-\U000e007f]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented: pure Python, no download

    return opencc.OpenCC("t2s")


def strip_invisible(text: str) -> str:
    """Remove control, zero-width and bidi characters."""
    return _CONTROL.sub("", _INVISIBLE.sub("", text))


def to_simplified(text: str) -> str:
    """Convert traditional Chinese characters to simplified ones."""
    return _t2s().convert(text)


@lru_cache(maxsize=65536)  # passages are normalised again and again while scoring clauses
def normalize(text: str) -> str:
    """NFKC (full-width digits → ASCII), simplified characters, no invisible chars, folded spaces."""
    text = unicodedata.normalize("NFKC", strip_invisible(text))
    text = _THOUSANDS.sub("", text)
    text = to_simplified(text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def squash(text: str) -> str:
    """normalize() and remove all white space: the form used for substring comparisons."""
    return _SPACES.sub("", normalize(text))


def has_cjk(text: str) -> bool:
    """True when the text contains at least one CJK ideograph."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def is_english(text: str) -> bool:
    """True for questions written mainly in Latin script."""
    letters = sum(ch.isascii() and ch.isalpha() for ch in text)
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    return letters >= 3 and cjk * 3 < letters
