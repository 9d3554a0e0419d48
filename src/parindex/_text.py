"""Vietnamese text, normalised one way: every name, key and label in parindex is
compared through these functions (Unicode form, spacing, letter case, tone-mark
placement, diacritics).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = [
    "lookup_key",
    "normalize_key",
    "spelling_clash",
    "spelling_key",
    "strip_marks",
]


def normalize_key(text: str) -> str:
    """Unicode NFC and trimmed spaces, so that visually equal keys are equal."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _old_tone_placement() -> dict[str, str]:
    # "oà, oè, uỳ" (old placement, on the second vowel) -> "òa, òe, ùy" (the new).
    table = {}
    for first, second, old, new in (
        ("o", "a", "àáảãạ", "òóỏõọ"),
        ("o", "e", "èéẻẽẹ", "òóỏõọ"),
        ("u", "y", "ỳýỷỹỵ", "ùúủũụ"),
    ):
        for marked_second, marked_first in zip(old, new, strict=True):
            table[first + marked_second] = marked_first + second
    return table


_OLD_TONE_PLACEMENT = _old_tone_placement()
_OLD_TONE = re.compile("|".join(map(re.escape, _OLD_TONE_PLACEMENT)))
# The marked second vowels: text holding none of them has no old placement, which a
# few substring scans tell faster than the regex (most names hold none).
_OLD_TONE_MARKS = tuple(dict.fromkeys(key[1] for key in _OLD_TONE_PLACEMENT))


def spelling_key(text: str) -> str:
    """The form under which two spellings are one name: Unicode NFC, letter case and
    old or new tone-mark placement (*Hoà* / *Hòa*, *Thuỷ* / *Thủy*) folded. Diacritics
    are kept: *Hòa* and *Hóa* are different names.

    Example:
        >>> from parindex._text import spelling_key
        >>> spelling_key("Uỷ ban Dân tộc") == spelling_key("ỦY BAN DÂN TỘC")
        True
        >>> spelling_key("Hòa An") == spelling_key("Hóa An")
        False
    """
    return _fold_nfc(_nfc(text))


def _fold_nfc(text: str) -> str:
    """:func:`spelling_key` of text already in NFC."""
    folded = _nfc(text.casefold())
    if any(mark in folded for mark in _OLD_TONE_MARKS) and _OLD_TONE.search(folded):
        for old, new in _OLD_TONE_PLACEMENT.items():
            folded = folded.replace(old, new)
    return folded


def _nfc(text: str) -> str:
    # The quick check is much cheaper than normalising text that is already NFC.
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def spelling_clash(
    names: Sequence[str], *, joined_nfc: str | None = None
) -> tuple[str, str] | None:
    """Two of the distinct ``names`` that are one name spelled two ways (see
    :func:`spelling_key`), or ``None``. Checked on one joined string, in C.

    ``joined_nfc``: the names joined by NUL, when the caller already made that string
    and knows every name is NFC and free of NUL (saves a join and a normal-form check).
    """
    if joined_nfc is not None:
        keys = _fold_nfc(joined_nfc).split("\x00")
    else:
        joined = "\x00".join(names)
        keys = (
            spelling_key(joined).split("\x00")
            if joined.count("\x00") == len(names) - 1  # no name holds NUL itself
            else [spelling_key(n) for n in names]
        )
    if len(set(keys)) == len(keys):
        return None
    first: dict[str, str] = {}
    for name, key in zip(names, keys, strict=True):
        if key in first:
            return first[key], name
        first[key] = name
    raise AssertionError("unreachable: a repeated key was found above")  # pragma: no cover


def strip_marks(text: str) -> str:
    """Text without diacritics (*đ* read as *d*), in NFC.

    Example:
        >>> from parindex._text import strip_marks
        >>> strip_marks("Đắk Lắk")
        'Dak Lak'
    """
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))


def lookup_key(text: str) -> str:
    """Casefolded, without diacritics or spaces: the key under which identifiers such as
    decision numbers are looked up (``876/QĐ-BNV`` == ``876/qd-bnv``).

    Example:
        >>> from parindex._text import lookup_key
        >>> lookup_key("876/QĐ-BNV") == lookup_key("876/qd-bnv")
        True
    """
    return "".join(strip_marks(text).casefold().split())
