"""Vietnamese text, normalised one way: every name, key and label in parindex is
compared through these functions (Unicode form, spacing, letter case, tone-mark
placement, diacritics).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = [
    "OLD_TONE_PAIRS",
    "distinct_spellings",
    "escape_control",
    "lookup_key",
    "neutralize_cell",
    "normalize_key",
    "plural",
    "spelling_clash",
    "spelling_key",
    "strip_marks",
    "unneutralize_cell",
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
# The pairs of letters (lower case) that spell a tone mark the old way ("oà", "uỳ"...).
OLD_TONE_PAIRS = tuple(_OLD_TONE_PLACEMENT)
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
    return _new_tone_placement(_nfc(text.casefold()))


def _new_tone_placement(folded: str) -> str:
    """Casefolded NFC text with the old tone-mark placement made the new one."""
    if any(mark in folded for mark in _OLD_TONE_MARKS) and _OLD_TONE.search(folded):
        for old, new in _OLD_TONE_PLACEMENT.items():
            folded = folded.replace(old, new)
    return folded


def _nfc(text: str) -> str:
    # The quick check is much cheaper than normalising text that is already NFC.
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def distinct_spellings(joined: str, *, folded: bool = False) -> bool:
    """Whether no two of the names joined by NUL in ``joined`` (each NFC, none holding
    NUL; casefolded too, and still NFC, when ``folded``) are one name spelled two ways
    or one name twice (see :func:`spelling_key`). Checked in C, on the one string.

    Example:
        >>> from parindex._text import distinct_spellings
        >>> distinct_spellings("Hòa An\\x00Hoà An"), distinct_spellings("Hòa An\\x00Hóa An")
        (False, True)
    """
    keys = _split_keys(joined, folded=folded)
    return len(set(keys)) == len(keys)


def _split_keys(joined: str, *, folded: bool) -> list[str]:
    return (_new_tone_placement(joined) if folded else _fold_nfc(joined)).split("\x00")


def spelling_clash(
    names: Sequence[str], *, joined_nfc: str | None = None
) -> tuple[str, str] | None:
    """Two of the distinct ``names`` that are one name spelled two ways (see
    :func:`spelling_key`), or ``None``. Checked on one joined string, in C.

    ``joined_nfc``: the names joined by NUL, when the caller already made that string
    and knows every name is NFC and free of NUL (saves a join and a normal-form check).

    Example:
        >>> from parindex._text import spelling_clash
        >>> spelling_clash(["Hòa Bình", "Hoà Bình", "Hòa An"])
        ('Hòa Bình', 'Hoà Bình')
        >>> print(spelling_clash(["Hòa An", "Hóa An"]))
        None
    """
    if joined_nfc is not None:
        keys = _split_keys(joined_nfc, folded=False)
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


# OWASP "CSV injection": a spreadsheet treats a cell starting with one of these as a
# formula (tab and carriage return hide the sign from a quick look).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(text: str) -> str:
    r"""``text`` made safe for a CSV or Excel cell: a leading ``'`` when it starts with
    ``= + - @``, a tab or a carriage return, so that no spreadsheet runs it as a formula.

    Example:
        >>> from parindex._text import neutralize_cell
        >>> print(neutralize_cell("=SUM(A1:A2)"), neutralize_cell("-1"), neutralize_cell("Huyện A"))
        '=SUM(A1:A2) '-1 Huyện A
    """
    # Also "'=x": otherwise the reader, stripping one quote, would give back "=x".
    return "'" + text if text.lstrip("'").startswith(_FORMULA_STARTS) else text


def unneutralize_cell(text: str) -> str:
    """The inverse of :func:`neutralize_cell`, used by readers so that a file parindex
    wrote reads back equal.

    Example:
        >>> from parindex._text import unneutralize_cell
        >>> unneutralize_cell("'=1+2"), unneutralize_cell("'quoted"), unneutralize_cell("''=x")
        ('=1+2', "'quoted", "'=x")
    """
    return (
        text[1:] if text.startswith("'") and text.lstrip("'").startswith(_FORMULA_STARTS) else text
    )


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def escape_control(text: str) -> str:
    r"""``text`` with control characters (terminal escapes among them) shown as
    ``\xNN`` / ``\uNNNN``, so printing it cannot move the cursor, recolour the
    terminal or hide text. Newlines and tabs are kept.

    Example:
        >>> from parindex._text import escape_control
        >>> print(escape_control("Huyện \x1b[31mA"))
        Huyện \x1b[31mA
    """
    return _CONTROL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def plural(count: int, word: str) -> str:
    """``"1 problem"``, ``"2 problems"``: a count with its English noun.

    Example:
        >>> from parindex._text import plural
        >>> plural(1, "warning"), plural(3, "problem")
        ('1 warning', '3 problems')
    """
    return f"{count} {word}{'' if count == 1 else 's'}"


def points_word(amount: float) -> str:
    """``"point"`` for exactly one point, ``"points"`` otherwise (0, 0.5, 2).

    Example:
        >>> from parindex._text import points_word
        >>> [f"{x:g} {points_word(x)}" for x in (1, 0.5, 2)]
        ['1 point', '0.5 points', '2 points']
    """
    return "point" if amount == 1 else "points"
