"""Latin letters in UTF-8 bytes (chữ cái Latinh): checked and casefolded in NumPy.

Every Vietnamese name is written in ASCII and three Unicode blocks: Latin-1
Supplement, Latin Extended-A/B and Latin Extended Additional (ạ ả ấ ... ỹ). For text
of those characters, the questions :mod:`parindex.engine.names` asks of each unit name
(printable? in NFC? its casefold?) have answers per character, so they are answered
for a whole column of names at once from its UTF-8 bytes, without a Python string per
name: a table says, for each such code point, whether it is a *plain letter* (below)
and what it casefolds to.

A character is plain when it is printable and not white space, is its own NFC, is not
a combining mark, and casefolds to one character with those same properties and as
many UTF-8 bytes. Text of ASCII and plain characters is NFC, and so is its casefold:
none of them composes with the character before it (no canonical decomposition ends
in one: the tests check this on every pair). Anything else (another script, a
combining mark, a ligature, a malformed byte) answers ``None``, and the caller asks
the decoded text instead.
"""

from __future__ import annotations

import functools
import unicodedata

import numpy as np
import numpy.typing as npt

from parindex._text import OLD_TONE_PAIRS

__all__ = ["KNOWN_BLOCKS", "casefold_plain", "fold_table"]

# Latin-1 Supplement to Latin Extended-B, and Latin Extended Additional.
KNOWN_BLOCKS = ((0x0080, 0x0250), (0x1E00, 0x1F00))


def _plain(ch: str) -> bool:
    # Every white space character but the space is non-printable, and the known
    # blocks hold no combining mark (the tests check both).
    return (
        ch.isprintable()
        and unicodedata.is_normalized("NFC", ch)
        and any(lo <= ord(ch) < hi for lo, hi in KNOWN_BLOCKS)
    )


@functools.cache
def fold_table() -> npt.NDArray[np.int32]:
    """For each code point below U+1F00: the code point it casefolds to when it is a
    plain letter of :data:`KNOWN_BLOCKS`, else -1 (built once, from the running
    Python's own Unicode tables: about a thousand characters).

    Example:
        >>> from parindex.engine.letters import fold_table
        >>> table = fold_table()
        >>> chr(table[ord("Ắ")]), chr(table[ord("đ")]), int(table[ord("ß")])
        ('ắ', 'đ', -1)
    """
    table = np.full(KNOWN_BLOCKS[-1][1], -1, dtype=np.int32)
    for lo, hi in KNOWN_BLOCKS:
        for code in range(lo, hi):
            ch = chr(code)
            folded = ch.casefold()
            # (The same UTF-8 length and NFC hold for every plain character of
            # today's Unicode; checked so that no future version can break the table.)
            if (
                len(folded) == 1
                and _plain(ch)
                and _plain(folded)
                and len(folded.encode()) == len(ch.encode())
            ):
                table[code] = ord(folded)
    table.flags.writeable = False
    return table


def casefold_plain(
    body: npt.NDArray[np.uint8],
) -> tuple[npt.NDArray[np.uint8], bool] | None:
    """The casefold of UTF-8 text ``body`` (free of ASCII controls), byte for byte,
    and whether it spells a tone mark the old way (*oà*, *uỳ*: see
    :func:`parindex._text.spelling_key`), when every character is printable ASCII or
    a plain letter; else ``None``.

    Example:
        >>> import numpy as np
        >>> from parindex.engine.letters import casefold_plain
        >>> def fold(text):
        ...     out = casefold_plain(np.frombuffer(text.encode(), dtype=np.uint8))
        ...     return None if out is None else (out[0].tobytes().decode(), out[1])
        >>> fold("Đắk Lắk"), fold("HOÀ AN"), fold("Straße"), fold("Α")
        (('đắk lắk', False), ('hoà an', True), None, None)
    """
    # A-Z to a-z (bytes 65-90: below 0x80, so never part of another character).
    folded = body + (((body - 65) < 26).view(np.uint8) << 5)
    high = int(np.count_nonzero(body >= 0x80))
    if not high:
        return folded, False  # ASCII: no more to do
    leads = np.flatnonzero(body >= 0xC0)
    if not leads.size:
        return None  # continuation bytes without a lead
    first = body[leads].astype(np.int32)
    three = first >= 0xE0
    if int(first.max()) >= 0xF0 or int(leads[-1]) + 1 + int(three[-1]) >= body.size:
        return None  # a four-byte character, or a character cut off at the end
    # Well formed: as many continuation bytes as the leads need, and each lead followed
    # by its own (windows of different leads cannot overlap: a window holds no lead).
    if high - leads.size != leads.size + int(np.count_nonzero(three)):
        return None
    second = body[leads + 1].astype(np.int32)
    third = body[leads + 1 + three].astype(np.int32)  # a two-byte one's second again
    if bool(((second & 0xC0) != 0x80).any()) or bool(((third & 0xC0) != 0x80).any()):
        return None
    code = np.where(
        three,
        ((first & 0x0F) << 12) | ((second & 0x3F) << 6) | (third & 0x3F),
        ((first & 0x1F) << 6) | (second & 0x3F),
    )
    if bool((three & (code < 0x800)).any()):
        return None  # an overlong form (two-byte ones below U+0080 read -1 below)
    table = fold_table()
    if int(code.max()) >= table.size:
        return None
    to = table[code]
    if int(to.min()) < 0:
        return None  # not a plain letter: the text is asked instead
    # The old tone placement: a marked vowel folded from a letter after "o" or "u"
    # (every such pair is a plain letter after an ASCII one). A lead at position 0
    # reads the last byte: at worst a needless "yes", which only sends the caller the
    # long way.
    old_tone = bool((_tone_vowels()[to] == folded[leads - 1]).any())
    # Write the characters whose fold differs (lower-case letters, most of them, stay).
    changed = np.flatnonzero(to != code)
    if changed.size:
        at, to, wide = leads[changed], to[changed], three[changed]
        folded[at] = np.where(wide, 0xE0 | (to >> 12), 0xC0 | (to >> 6))
        folded[at + 1] = np.where(wide, 0x80 | ((to >> 6) & 0x3F), 0x80 | (to & 0x3F))
        folded[at[wide] + 2] = 0x80 | (to[wide] & 0x3F)
    return folded, old_tone


@functools.cache
def _tone_vowels() -> npt.NDArray[np.uint8]:
    """For each code point below U+1F00: the ASCII vowel before which it spells a tone
    mark the old way (``o`` before *à*, ``u`` before *ỳ*), else 0 (never a byte of a
    name: controls are refused)."""
    table = np.zeros(KNOWN_BLOCKS[-1][1], dtype=np.uint8)
    for pair in OLD_TONE_PAIRS:
        table[ord(pair[1])] = ord(pair[0])
    return table
