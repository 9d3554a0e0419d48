"""Latin letters in UTF-8 bytes: the table and the byte-level casefold give exactly
what Python's own ``str`` methods give, and answer ``None`` for anything else."""

from __future__ import annotations

import unicodedata

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from parindex.engine.letters import KNOWN_BLOCKS, casefold_plain, fold_table


def _plain_characters() -> list[str]:
    table = fold_table()
    return [chr(code) for code in np.flatnonzero(table >= 0)]


def test_the_table_is_pythons_casefold_of_plain_letters() -> None:
    table = fold_table()
    plain = _plain_characters()
    assert len(plain) > 600  # every Vietnamese letter among them
    assert all(ch in plain for ch in "ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
    for ch in plain:
        folded = chr(table[ord(ch)])
        assert ch.casefold() == folded
        assert ch.isprintable()
        assert not ch.isspace()
        assert unicodedata.combining(ch) == 0
        assert unicodedata.is_normalized("NFC", ch)
        assert unicodedata.is_normalized("NFC", folded)
        assert len(ch.encode()) == len(folded.encode())
    # Refused: a fold to two characters, a space, a combining mark, another script.
    for ch in ("ß", "ŉ", "ǰ", "\u00a0", "\u0301", "ſ", "İ"):
        assert ord(ch) >= table.size or table[ord(ch)] < 0, ch
    assert not table.flags.writeable


def test_no_two_plain_characters_compose() -> None:
    # Text of ASCII and plain letters is NFC, and so is its casefold, because no pair
    # of them (nor of their folds) composes: the claim the byte path rests on.
    chars = [chr(c) for c in range(0x20, 0x7F)] + _plain_characters()
    joined = "".join(chars)
    for first in chars:
        # One string per first character: first + each other, separated by a space
        # (a space never composes), so one NFC check covers a whole row of pairs.
        row = " ".join(first + second for second in joined)
        assert unicodedata.is_normalized("NFC", row), first


def _fold(text: str) -> str | None:
    out = casefold_plain(np.frombuffer(text.encode(), dtype=np.uint8))
    return None if out is None else out[0].tobytes().decode()


LETTERS = ["a", "Z", " ", "1", "Đ", "đ", "Ắ", "ỹ", "Ỹ", "ß", "ẞ", "ſ", "İ", "\u0301", "Α", "ω",
           "\u00a0", "中", "\U0001d400", "ǅ", "ǈ", "Ω", "µ", "ÿ", "Ÿ", "ﬁ", "ẛ", "ẖ", "ǰ"]  # fmt: skip


@given(st.text(alphabet=LETTERS, min_size=1, max_size=12))
@example("Đắk Lắk")
@example("ǅ")  # a title-case digraph: folds to one character
def test_the_byte_fold_is_casefold_or_nothing(text: str) -> None:
    got = _fold(text)
    plain = set(_plain_characters())
    if all(ch.isascii() or ch in plain for ch in text):
        assert got == text.casefold()
    else:
        assert got is None


@given(st.binary(min_size=1, max_size=16).map(lambda b: bytes(max(x, 0x20) for x in b)))
@example(b"\xc3")  # cut off
@example(b"\xe1\xba")  # cut off
@example(b"\xc0\xa1")  # overlong
@example(b"\xe0\x82\xa0")  # overlong
@example(b"\xed\xa0\x80")  # a surrogate
@example(b"\x80a")  # a stray continuation byte
@example(b"\xc3\xa1\xa1")  # one continuation byte too many
@example(b"\xc3a\xa1")  # as many continuation bytes as leads need, one misplaced
@example(b"\xe1\xbaa\xa1")  # the same in a three-byte character
@example(b"\xe1\xba a\xa1")  # the same, the misplaced byte a space
@example(b"\xe0\x83\xa1")  # "á" in an overlong three-byte form
@example(b"\xf1\xb8\x80")  # a four-byte lead, cut off where a three-byte one ends
def test_malformed_bytes_are_never_folded(data: bytes) -> None:
    out = casefold_plain(np.frombuffer(data, dtype=np.uint8))
    if out is not None:
        text = data.decode("utf-8")  # only well-formed text is folded
        assert out[0].tobytes().decode() == text.casefold()


def test_known_blocks_hold_the_vietnamese_letters() -> None:
    def known(ch: str) -> bool:
        return any(lo <= ord(ch) < hi for lo, hi in KNOWN_BLOCKS)

    assert all(known(ch) for ch in "ĐđẠỹƠư")


TONE = ["o", "O", "u", "U", "à", "À", "ả", "ỳ", "Ỳ", "ò", "a", "y", "đ", " "]


@given(st.text(alphabet=TONE, min_size=1, max_size=8))
@example("Hoà")
@example("THUỶ")
@example("àb")  # a mark at the very start: reads the last byte
def test_old_tone_placement_is_found_in_the_bytes(text: str) -> None:
    from parindex._text import _OLD_TONE

    out = casefold_plain(np.frombuffer(text.encode(), dtype=np.uint8))
    assert out is not None
    found = _OLD_TONE.search(text.casefold()) is not None
    # Found whenever the text spells one; a mark at the start may say so needlessly
    # (it reads the last byte), which only sends the caller the long way.
    assert out[1] == found or (not found and text.casefold()[-1] in "ou")
