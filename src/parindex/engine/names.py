"""Unit names and keys of a frame, checked in a few passes in C (tên đơn vị).

The batch path (:mod:`parindex.engine.batch`) takes names and keys only when they are
certainly what a sheet would make of them: text, not blank, free of control and
invisible characters, already in :func:`~parindex._text.normalize_key` form (Unicode
NFC, single inner spaces, none at the edges) and, for units, distinct even with letter
case and tone-mark placement folded. On any doubt it raises :class:`Fallback` and the
sheet path decides, with its exact message; these checks never decide an error
themselves.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from parindex._text import distinct_spellings, normalize_key, spelling_clash
from parindex.engine.arrays import arrow_stored, lazy_units
from parindex.engine.letters import casefold_plain
from parindex.engine.scores import object_array
from parindex.model.entries import forbidden_character

__all__ = ["Fallback", "normal_keys", "table_str_dtype", "unit_keys"]


class Fallback(Exception):
    """A vectorised check failed: let the ScoreSheet path raise the exact error.

    Example:
        >>> from parindex.engine.names import Fallback, normal_keys
        >>> try:
        ...     normal_keys(["A", None])
        ... except Fallback:
        ...     print("the sheet path decides")
        the sheet path decides
    """


def normal_keys(keys: list[object]) -> list[str]:
    """The keys in :func:`~parindex._text.normalize_key` form, or :class:`Fallback`
    when one is not non-blank text free of control and invisible characters.

    Example:
        >>> from parindex.engine.names import normal_keys
        >>> normal_keys([" Đắk  Lắk ", "Gia Lai"])
        ['Đắk Lắk', 'Gia Lai']
    """
    return _normal_keys_joined(keys)[0]


def _normal_keys_joined(keys: list[object]) -> tuple[list[str], str | None]:
    """:func:`normal_keys`, with the NUL-joined keys when they were already normal
    (the usual case, checked in C on that one string), else ``None``."""
    try:
        joined = "\x00".join(keys)  # type: ignore[arg-type]  # TypeError: not all text
    except TypeError:
        raise Fallback from None
    printable = _check_joined(joined, len(keys))
    texts: list[str] = keys  # type: ignore[assignment]  # the join proved they are str
    if _already_normal(joined, len(texts), printable=printable):
        return texts, joined
    normal = [normalize_key(u) for u in texts]
    if not all(normal):
        raise Fallback
    return normal, None


def _check_joined(joined: str, count: int) -> bool:
    """Fall back unless the ``count`` NUL-joined keys are all non-blank and free of
    NUL, control and invisible characters; returns whether they are all printable."""
    if not count or "\x00\x00" in joined or joined.startswith("\x00") or joined.endswith("\x00"):
        raise Fallback  # a blank key
    spaced = joined.replace("\x00", " ")
    printable = spaced.isprintable()  # in C: no control, format or surrogate character
    if joined.count("\x00") != count - 1 or (not printable and forbidden_character(spaced)):
        raise Fallback  # a key holding NUL, a control or an invisible character
    return printable


def _already_normal(joined: str, count: int, *, printable: bool) -> bool:
    """Whether each of the ``count`` NUL-joined keys equals its
    :func:`~parindex._text.normalize_key` form (NUL never composes, so NFC of the join
    is the join of NFCs). ``printable``: whether the keys are all printable."""
    if joined.count("\x00") != count - 1:
        return False  # a key holds NUL itself
    if " \x00" in joined or "\x00 " in joined or "  " in joined:
        return False
    if joined.startswith(" ") or joined.endswith(" "):
        return False
    # Every whitespace character but the space is non-printable, so printable text
    # (NUL separators aside) without the double and edge spaces above is split-stable.
    split_stable = printable or (" ".join(joined.split()) == joined)
    return split_stable and unicodedata.is_normalized("NFC", joined)


def _arrow_text(col: pd.Series) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]] | None:
    """Where each name of an Arrow-backed text column ends (``ends[k]``, a byte
    position in ``body``) and ``body``, the UTF-8 bytes of all names one after the
    other, read from the column's buffers without a Python string per name; when no
    name is empty and no byte is a control character or a space out of place.
    ``None`` otherwise, or when the column is not Arrow text without nulls.

    In UTF-8 every byte below 0x80 is an ASCII character of its own, so controls
    (NUL, tab and new line among them) and spaces are found in the bytes, in NumPy."""
    arr = arrow_stored(col.array)  # None: pandas' own strings, read name by name
    if arr is None:
        return None
    kind = str(arr.type)
    if not len(arr) or arr.null_count or kind not in ("string", "large_string"):
        return None
    _, offsets_buffer, data_buffer = arr.buffers()
    if data_buffer is None:  # every name empty
        return None
    width = np.int64 if kind == "large_string" else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=width)[arr.offset : arr.offset + len(arr) + 1]
    if not (np.diff(offsets) > 0).all():
        return None  # an empty name
    ends = offsets[1:].astype(np.int64) - int(offsets[0])
    body = np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
    if int(body.min()) < 0x20 or bool((body == 0x7F).any()):
        return None  # a control character
    space = body == 0x20
    starts = np.concatenate(([0], ends[:-1]))
    if space[starts].any() or space[ends - 1].any() or (space[1:] & space[:-1]).any():
        return None  # a space at an edge, or two in a row: not in normal form
    return ends, body


def _joined(ends: npt.NDArray[np.int64], body: npt.NDArray[np.uint8]) -> str | None:
    """The names decoded and joined by NUL (``None``: not valid UTF-8). UTF-8 never
    has a 0 byte inside a character, and :func:`_arrow_text` found none in a name."""
    joined = np.zeros(body.size + ends.size - 1, dtype=np.uint8)
    keep = np.ones(joined.size, dtype=bool)
    keep[ends[:-1] + np.arange(ends.size - 1)] = False  # a NUL after each name but the last
    joined[keep] = body
    try:
        return joined.tobytes().decode("utf-8")
    except UnicodeDecodeError:
        return None


def _normal_joined(ends: npt.NDArray[np.int64], body: npt.NDArray[np.uint8]) -> str | None:
    """The names joined by NUL when every one is printable and NFC (their bytes
    passed :func:`_arrow_text`, so they are then in normal form), else ``None``."""
    joined = _joined(ends, body)
    if joined is None or not joined.replace("\x00", " ").isprintable():
        return None  # a character the long way names or normalises (NBSP, U+200B...)
    return joined if unicodedata.is_normalized("NFC", joined) else None


def _plain_distinct(ends: npt.NDArray[np.int64], body: npt.NDArray[np.uint8]) -> bool | None:
    """Whether no two names are one name spelled two ways (nor one name twice), when
    every character is ASCII or a plain Latin letter
    (:func:`~parindex.engine.letters.casefold_plain`: the names are then printable and
    NFC, and so are their folds). ``None`` otherwise: the text is asked instead.

    The folds are counted in Arrow, from the bytes, as one array of names; only text
    that spells a tone mark the old way (*Hoà*) is decoded, for the spelling key's
    replacements."""
    got = casefold_plain(body)
    if got is None:
        return None
    folded, old_tone = got
    if old_tone:
        joined = _joined(ends, folded)
        if joined is None:
            return None
        return distinct_spellings(joined, folded=True)
    return _distinct_bytes(ends, folded)


# Names counted at once: Arrow's count keeps a copy of every name and a hash table,
# about six times the names' bytes, so a million names are counted in parts.
_COUNTED_AT_ONCE = 1 << 16


def _distinct_bytes(ends: npt.NDArray[np.int64], body: npt.NDArray[np.uint8]) -> bool:
    """Whether the names in ``body`` (``ends``: where each ends) are all different,
    counted in Arrow. Beyond :data:`_COUNTED_AT_ONCE` names, in parts that equal names
    cannot straddle (split by length, first and last byte), so that Arrow never holds
    more than a part's copy and table."""
    import pyarrow as pa  # type: ignore[import-untyped]  # present: the names came in it
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    n = ends.size
    offsets = np.concatenate(([0], ends)).astype(np.int64)
    keys = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(body)]
    )
    parts = -(-n // _COUNTED_AT_ONCE)
    if parts == 1:
        return len(pc.unique(keys)) == n
    starts = offsets[:-1]
    spread = (ends - starts) * 65599 + body[starts].astype(np.int64) * 257 + body[ends - 1]
    part = (spread % parts).astype(np.uint16)
    order = np.argsort(part, kind="stable")  # a radix sort: 16-bit keys
    bounds = np.searchsorted(part[order], np.arange(parts + 1))
    for a, b in itertools.pairwise(bounds.tolist()):
        if b - a > 1 and len(pc.unique(keys.take(pa.array(order[a:b])))) != b - a:
            return False
    return True


def unit_keys(col: pd.Series) -> Sequence[str]:
    """One normalised, non-blank, distinct name per row of a wide frame, or
    :class:`Fallback`. When the names are the column's very strings, they are left in
    the column's array (:func:`~parindex.engine.arrays.lazy_units`): checked here,
    made Python strings again only if something reads them, and taken from that array
    by the tables.

    Example:
        >>> import pandas as pd
        >>> from parindex.engine.names import unit_keys
        >>> list(unit_keys(pd.Series(["Đắk Lắk", " Gia  Lai"])))
        ['Đắk Lắk', 'Gia Lai']
        >>> unit_keys(pd.Series(["Thuỷ Nguyên", "THỦY NGUYÊN"]))
        Traceback (most recent call last):
        ...
        parindex.engine.names.Fallback
    """
    text = _arrow_text(col) if col.dtype == table_str_dtype() else None
    if text is not None:
        # The usual case, checked without a Python string per name: Latin letters
        # checked and casefolded in the bytes (every Vietnamese name), other text
        # asked of the joined string. Distinct spellings (case, tone-mark placement
        # folded) are distinct names too: one count tells both that no unit repeats
        # and that none is spelled two ways. Any doubt goes the long way below,
        # which decides as it always has.
        distinct = _plain_distinct(*text)
        if distinct is None:
            joined = _normal_joined(*text)
            if joined is not None:
                distinct = distinct_spellings(joined)
        if distinct is not None:
            if not distinct:
                raise Fallback  # a repeated unit, or two spellings of one
            # A copy (of the array object: Arrow buffers are shared, never written):
            # an edit of the frame afterwards must not rename scored units.
            return lazy_units(col.array.copy())
    raw = col.tolist()  # a missing name is not text: the join below falls back
    keys, joined = _normal_keys_joined(raw)
    if spelling_clash(keys, joined_nfc=joined) is not None:
        raise Fallback  # a repeated unit, or two spellings of one: the tidy path names them
    if joined is not None and col.dtype == table_str_dtype():
        return lazy_units(col.array.copy())  # a copy, as above
    return tuple(keys)


def table_str_dtype() -> object:
    """The dtype pandas gives a column of names built from Python strings (``str`` on
    pandas 3, ``object`` before): a column of that dtype goes to the results' tables
    as it is, and they come out exactly as if built from the strings.

    Example:
        >>> import pandas as pd
        >>> from parindex.engine.names import table_str_dtype
        >>> pd.Series(["A"]).dtype == table_str_dtype()
        True
    """
    global _TABLE_STR_DTYPE
    if _TABLE_STR_DTYPE is None:
        _TABLE_STR_DTYPE = pd.DataFrame({"unit": object_array(["a"])})["unit"].dtype
    return _TABLE_STR_DTYPE


_TABLE_STR_DTYPE: object = None
