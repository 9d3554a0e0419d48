"""Unit names (tên đơn vị) as they arrive: "Dak Lak", "ĐẮK LẮK", "tỉnh Đắk Lắk", "TP. Hồ
Chí Minh", "Tp Thủ Dầu Một". Matching ignores case, Unicode normalisation (NFC/NFD),
old and new tone placement ("Hoà"/"Hòa"), punctuation, spaces, administrative prefixes
and, when nothing matches with them, diacritics (đ -> d). The official spelling (the
candidate list) is canonical. A name that fits several candidates is an error listing
them, never a guess.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping

import attrs

from parindex.errors import UnknownUnitError
from parindex.model.sheet import ScoreSheet

__all__ = ["PREFIXES", "UnitNames", "fold_name", "match_unit"]

# Administrative prefixes and their spellings, longest first; each maps to one key.
PREFIXES: Mapping[str, tuple[str, ...]] = {
    "thanh pho": ("thanh pho", "tp.", "tp", "t.p.", "t.p", "city of", "city"),
    "tinh": ("tinh", "province of", "province"),
    "huyen": ("huyen", "h.", "district of", "district"),
    "thi xa": ("thi xa", "tx.", "tx", "town of", "town"),
    "quan": ("quan", "q.", "q"),
    "xa": ("xa", "commune"),
    "phuong": ("phuong", "p.", "ward"),
    "thi tran": ("thi tran", "tt.", "tt"),
    "so": ("so", "department of"),
    "dac khu": ("dac khu",),
}
"""Prefix keys (without diacritics) and the spellings read as each."""

_SPELLINGS = sorted(
    ((spelling, key) for key, spellings in PREFIXES.items() for spelling in spellings),
    key=lambda item: -len(item[0]),
)
_PUNCT = re.compile(r"[^\w]+", re.UNICODE)


def _strip_marks(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))


def _split(name: str) -> tuple[str | None, str, str]:
    """``(prefix key, core with diacritics, core without)``; cores are casefolded NFC
    with punctuation and spaces removed."""
    text = " ".join(unicodedata.normalize("NFC", name).casefold().split())
    plain = _strip_marks(text)
    prefix: str | None = None
    for spelling, key in _SPELLINGS:
        if not plain.startswith(spelling):
            continue
        rest = plain[len(spelling) :]
        # A word prefix ends at a space or punctuation ("tp.hcm" too), and leaves a name.
        ends = spelling.endswith(".") or (rest[:1] != "" and not rest[0].isalnum())
        if ends and rest.strip(" .-"):
            prefix = key
            text, plain = text[len(spelling) :], rest
            break
    return prefix, _PUNCT.sub("", text), _PUNCT.sub("", plain)


def fold_name(name: str) -> str:
    """The matching key of a name without its prefix and diacritics.

    Example:
        >>> from parindex.analysis.names import fold_name
        >>> fold_name("tỉnh Đắk Lắk"), fold_name("DAK LAK"), fold_name("TP. Hồ Chí Minh")
        ('daklak', 'daklak', 'hochiminh')
    """
    return _split(name)[2]


def _names(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


@attrs.frozen
class UnitNames:
    """The official names of a set of units, and a matcher for other spellings.

    Matching tries, in order: the same prefix and the same letters with diacritics;
    a compatible prefix (the same, or one side has none) with diacritics; then the
    same two without diacritics. The first step with exactly one candidate wins;
    a step with several raises :class:`~parindex.errors.UnknownUnitError` listing them.

    Example:
        >>> from parindex import UnitNames
        >>> names = UnitNames(["Đắk Lắk", "Đắk Nông", "Thành phố Hồ Chí Minh"])
        >>> [names.match(n) for n in ("Dak Lak", "ĐẮK LẮK", "tỉnh Đắk Lắk")]
        ['Đắk Lắk', 'Đắk Lắk', 'Đắk Lắk']
        >>> names.match("Tp Hồ Chí Minh")
        'Thành phố Hồ Chí Minh'
    """

    names: tuple[str, ...] = attrs.field(converter=_names)
    _keys: tuple[tuple[str | None, str, str], ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        for n in self.names:
            if not isinstance(n, str) or not n.strip():
                raise UnknownUnitError(f"unit names must be non-blank text, got {n!r}", value=n)
        object.__setattr__(self, "_keys", tuple(_split(n) for n in self.names))

    def match(self, name: str) -> str:
        """The official spelling of ``name``.

        Raises:
            UnknownUnitError: no candidate fits (the message lists the closest), or
                several do (the message lists them).

        Example:
            >>> import parindex
            >>> names = parindex.analysis.names.UnitNames(p.name for p in parindex.io.units.provinces(2017))
            >>> names.match("dak nong"), names.match("Thua Thien Hue")
            ('Đắk Nông', 'Thừa Thiên Huế')
            >>> names.match("Đắk")
            Traceback (most recent call last):
            ...
            parindex.errors.UnknownUnitError: unit 'Đắk' matches none of the 63 known units; closest: 'Đắk Lắk', 'Đắk Nông'
        """
        hits = self.candidates(name)
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise UnknownUnitError(
                f"unit {name!r} is ambiguous: it could be {', '.join(map(repr, hits))}; "
                "write it as one of them",
                unit=name,
                value=hits,
            )
        plain = _split(name)[2]
        folded = {k[2]: n for n, k in zip(self.names, self._keys, strict=True)}
        close = difflib.get_close_matches(plain, list(folded), n=3, cutoff=0.6)
        hint = f"; closest: {', '.join(repr(folded[c]) for c in close)}" if close else ""
        raise UnknownUnitError(
            f"unit {name!r} matches none of the {len(self.names)} known units{hint}",
            unit=name,
            value=[folded[c] for c in close],
        )

    def candidates(self, name: str) -> list[str]:
        """The official names ``name`` may be: those of the first matching step (see
        the class), so one name is a match, several an ambiguity, none no match.

        Example:
            >>> from parindex import UnitNames
            >>> names = UnitNames(["tỉnh Phú Thọ", "thị xã Phú Thọ", "Đắk Lắk"])
            >>> names.candidates("Phu Tho"), names.candidates("DAK LAK"), names.candidates("Huế")
            (['tỉnh Phú Thọ', 'thị xã Phú Thọ'], ['Đắk Lắk'], [])
        """
        if not isinstance(name, str) or not name.strip():
            raise UnknownUnitError(f"unit name {name!r} is blank", unit=str(name), value=name)
        prefix, core, plain = _split(name)

        def compatible(p: str | None) -> bool:
            return prefix is None or p is None or p == prefix

        steps: tuple[Callable[[str | None, str, str], bool], ...] = (
            lambda p, c, f: p == prefix and c == core,
            lambda p, c, f: compatible(p) and c == core,
            lambda p, c, f: p == prefix and f == plain,
            lambda p, c, f: compatible(p) and f == plain,
        )
        for step in steps:
            hits = [n for n, k in zip(self.names, self._keys, strict=True) if step(*k)]
            if hits:
                return list(dict.fromkeys(hits))
        return []

    def canonicalize(self, sheet: ScoreSheet) -> ScoreSheet:
        """A new sheet whose unit names are the official spellings. The same unit
        spelled two ways then meets itself: giving a node twice is a
        :class:`~parindex.errors.DuplicateEntryError`, not two units.

        Example:
            >>> import parindex
            >>> sheet = parindex.ScoreSheet.from_records([
            ...     {"unit": "Dak Lak", "node": "1", "points": 5.5},
            ...     {"unit": "tỉnh Đắk Lắk", "node": "2", "points": 8.16},
            ... ])
            >>> parindex.analysis.names.UnitNames(["Đắk Lắk", "Đắk Nông"]).canonicalize(sheet).units
            ('Đắk Lắk',)
        """
        mapping = {u: self.match(u) for u in sheet.units}
        return ScoreSheet(tuple(attrs.evolve(e, unit=mapping[e.unit]) for e in sheet.entries))


def match_unit(name: str, candidates: Iterable[str]) -> str:
    """The candidate ``name`` refers to (see :class:`UnitNames`).

    Example:
        >>> from parindex import match_unit
        >>> match_unit("ĐẮK LẮK", ["Đắk Lắk", "Đắk Nông"])
        'Đắk Lắk'
        >>> match_unit("Phu Tho", ["tỉnh Phú Thọ", "thị xã Phú Thọ"])
        Traceback (most recent call last):
        ...
        parindex.errors.UnknownUnitError: unit 'Phu Tho' is ambiguous: it could be 'tỉnh Phú Thọ', 'thị xã Phú Thọ'; write it as one of them
    """
    return UnitNames(_names(candidates)).match(name)
