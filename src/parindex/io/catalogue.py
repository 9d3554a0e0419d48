"""The methodology registry: shipped data files, loaded lazily, looked up by id, alias,
decision number or ``level-year`` key (e.g. ``province-2023``).

Adding a year or a province's own set is adding a file under
``parindex/data/methodologies/`` (or calling :meth:`Registry.add_file`); the engine
never branches on the year. The shipped files are listed in ``index.json`` in that
folder (ids, aliases, decision numbers, levels, years), so that looking one up parses
that one file only; after adding or editing a file, regenerate the index with
``python tools/write_index.py`` (a test fails while it is out of date).
"""

from __future__ import annotations

import difflib
import os
import re
import threading
import unicodedata
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from parindex.errors import InputFormatError, MethodologyError, UnknownMethodologyError
from parindex.io.methodology import load_methodology, methodology_from_dict
from parindex.io.safe import dump_json, safe_parse
from parindex.model.methodology import Methodology

__all__ = [
    "INDEX_FILE",
    "Registry",
    "build_index",
    "default_registry",
    "get_methodology",
    "list_methodologies",
    "resolve_methodology",
    "write_index",
]

INDEX_FILE = "index.json"
"""The catalogue index, in the folder of the shipped methodology files."""
_INDEX_FORMAT = "parindex-methodology-index/1"
_SUFFIXES = (".yaml", ".yml", ".json")

_LEVEL_YEAR = re.compile(r"^([a-z_]+)-(\d{4})$")


def _norm(text: str) -> str:
    """Casefold, drop diacritics (đ -> d) and spaces: '876/QĐ-BNV' == '876/qd-bnv'."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return "".join(text.casefold().split())


@dataclass(frozen=True)
class _Entry:
    """What a lookup needs to know of a methodology, without parsing its file."""

    id: str
    aliases: tuple[str, ...]
    decision_number: str | None
    level: str
    issuer_region: str | None
    official: bool
    evaluation_years: tuple[int, ...]
    file: str | None = None
    """The shipped file (None: registered with :meth:`Registry.add`)."""

    @classmethod
    def of(cls, m: Methodology, file: str | None = None) -> _Entry:
        return cls(
            m.id,
            m.aliases,
            m.decision.number,
            m.level,
            m.issuer_region,
            m.official,
            m.evaluation_years,
            file,
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> _Entry:
        return cls(
            d["id"],
            tuple(d["aliases"]),
            d["decision_number"],
            d["level"],
            d["issuer_region"],
            d["official"],
            tuple(d["evaluation_years"]),
            d["file"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "id": self.id,
            "aliases": list(self.aliases),
            "decision_number": self.decision_number,
            "level": self.level,
            "issuer_region": self.issuer_region,
            "official": self.official,
            "evaluation_years": list(self.evaluation_years),
        }

    @property
    def national(self) -> bool:
        """Issued by the Ministry for the whole country: no issuing province, and
        official (an illustrative set is neither national nor provincial)."""
        return self.issuer_region is None and self.official

    @property
    def order(self) -> tuple[str, str, tuple[int, ...], str]:
        """Listing order: national first, then by level, first year and id."""
        return (self.issuer_region or "", self.level, self.evaluation_years[:1], self.id)


def _shipped_folder() -> Traversable:
    return resources.files("parindex") / "data" / "methodologies"


def _read_methodology(entry: Traversable | Path) -> Methodology:
    text = entry.read_text(encoding="utf-8")
    return methodology_from_dict(safe_parse(text, name=entry.name), name=entry.name)


def _read_index(folder: Traversable) -> list[_Entry]:
    index = folder / INDEX_FILE
    data = safe_parse(index.read_text(encoding="utf-8"), name=INDEX_FILE)
    try:
        if data["format"] != _INDEX_FORMAT:
            raise ValueError(f"format {data['format']!r}, expected {_INDEX_FORMAT!r}")
        return [_Entry.from_dict(d) for d in data["methodologies"]]
    except (KeyError, TypeError, ValueError) as err:
        raise InputFormatError(f"{INDEX_FILE}: not a catalogue index ({err})") from None


class Registry:
    """A set of methodologies with lookups. The default one holds the shipped files;
    users may add their own (a province's set, an official annex they completed).

    Example:
        >>> import parindex
        >>> reg = parindex.io.catalogue.Registry()
        >>> reg.add(parindex.get_methodology("province-2017"))
        >>> reg.get("2948/QD-BNV", level="province").id
        'province-2017'
    """

    def __init__(self, *, load_shipped: bool = False) -> None:
        self._entries: dict[str, _Entry] = {}  # every methodology, in registration order
        self._items: dict[str, Methodology] = {}  # those parsed (or added) so far
        # Reentrant: add() loads the index under the lock it already holds.
        self._lock = threading.RLock()
        self._loaded = not load_shipped
        _registries.add(self)

    def _after_fork(self) -> None:
        """In a forked child: a fresh lock. One held by another thread at the fork
        would stay held for good (that thread does not exist in the child). What the
        holder was doing is redone: entries and parsed files are published only when
        complete, and reading them again gives the same."""
        self._lock = threading.RLock()

    def _ensure_loaded(self) -> None:
        """Read the index of the shipped files (their content is parsed on demand)."""
        if self._loaded:
            return
        with self._lock:
            if self._loaded:  # another thread loaded it while this one waited
                return
            for entry in _read_index(_shipped_folder()):
                self._entries[entry.id] = entry
            # Set last: a thread that sees the flag sees every entry.
            self._loaded = True

    def _methodology(self, entry: _Entry) -> Methodology:
        """The methodology of an entry, its file parsed on first use."""
        m = self._items.get(entry.id)
        if m is not None:
            return m
        with self._lock:
            m = self._items.get(entry.id)
            if m is None:
                assert entry.file is not None  # added methodologies are in _items
                m = _read_methodology(_shipped_folder() / entry.file)
                if _Entry.of(m, entry.file) != entry:
                    raise MethodologyError(
                        f"{entry.file}: the methodology catalogue index ({INDEX_FILE}) is "
                        "out of date; regenerate it with `python tools/write_index.py`"
                    )
                self._items[m.id] = m
        return m

    def add(self, methodology: Methodology) -> None:
        """Register a methodology; its id and aliases must not clash with existing ones.

        Example:
            >>> import parindex
            >>> reg = parindex.io.catalogue.Registry()
            >>> reg.add(parindex.get_methodology("province-2017"))
            >>> reg.add(parindex.get_methodology("province-2017"))
            Traceback (most recent call last):
            ...
            parindex.errors.MethodologyError: a methodology with id 'province-2017' is already registered
        """
        with self._lock:
            self._ensure_loaded()
            if methodology.id in self._entries:
                raise MethodologyError(
                    f"a methodology with id {methodology.id!r} is already registered"
                )
            taken = {_norm(k) for e in self._entries.values() for k in (e.id, *e.aliases)}
            for key in (methodology.id, *methodology.aliases):
                if _norm(key) in taken:
                    raise MethodologyError(f"methodology key {key!r} is already taken")
            self._items[methodology.id] = methodology
            self._entries[methodology.id] = _Entry.of(methodology)

    def add_file(self, path: str | Path) -> Methodology:
        """Load, validate and register a methodology file; returns it.

        Example:
            >>> import parindex
            >>> reg = parindex.io.catalogue.Registry()
            >>> reg.add_file("src/parindex/data/methodologies/binhduong-district-2017.yaml").id
            'binhduong-district-2017'
        """
        m = load_methodology(path)
        self.add(m)
        return m

    def __iter__(self) -> Iterator[Methodology]:
        # Every file is parsed: listing needs each methodology in full.
        self._ensure_loaded()
        with self._lock:
            entries = sorted(self._entries.values(), key=lambda e: e.order)
            return iter([self._methodology(e) for e in entries])

    def __len__(self) -> int:
        self._ensure_loaded()
        return len(self._entries)

    def ids(self) -> list[str]:
        """Every registered id.

        Example:
            >>> import parindex
            >>> parindex.io.catalogue.default_registry.ids()[:4]
            ['illustrative-district', 'ministry-2012', 'ministry-2016', 'ministry-2017']
        """
        self._ensure_loaded()
        with self._lock:
            return [e.id for e in sorted(self._entries.values(), key=lambda e: e.order)]

    def get(self, key: str, *, level: str | None = None) -> Methodology:
        """Find a methodology by id, alias, decision number (``"876/QĐ-BNV"``, with
        ``level`` when the decision covers several levels) or ``level-year`` key
        (``"province-2023"``: official national methodologies only; a province's own
        sets and illustrative sets are found by id).

        Raises:
            UnknownMethodologyError: nothing matches, or the key is ambiguous; the
                message lists the candidates or the years that are covered.

        Example:
            >>> import parindex
            >>> parindex.io.catalogue.default_registry.get("876/QĐ-BNV", level="ministry").id
            'ministry-2022'
            >>> parindex.io.catalogue.default_registry.get("province-2023").id
            'province-2022'
        """
        return self.lookup(key, level=level)[0]

    def lookup(
        self, key: str, *, level: str | None = None, year: int | None = None
    ) -> tuple[Methodology, int | None]:
        """Like :meth:`get`, with the evaluation year to score and band for: the year of
        a ``level-year`` key (``"province-2023"`` is 876/QĐ-BNV in 2023), else ``year``.
        An id, alias or decision number names a decision, which may cover several
        years, so it implies none (``"province-2022"`` is the id of 876/QĐ-BNV).

        Raises:
            UnknownMethodologyError: as :meth:`get`, or ``year`` is not the year of the
                ``level-year`` key.

        Example:
            >>> import parindex
            >>> m, year = parindex.io.catalogue.default_registry.lookup("province-2023")
            >>> m.id, year
            ('province-2022', 2023)
            >>> parindex.io.catalogue.default_registry.lookup("province-2022", year=2024)[1]
            2024
        """
        self._ensure_loaded()
        with self._lock:  # entries are read while another thread may add one
            e, implied = self._find(key, level)
        if level is not None and e.level != level:
            # An id or alias names one methodology: a level that contradicts it is a mistake.
            raise UnknownMethodologyError(
                f"{key!r} is {e.id}, a {e.level} methodology, not {level}"
            )
        if implied is not None and year is not None and year != implied:
            raise UnknownMethodologyError(f"{key!r} names {implied}, not {year}")
        return self._methodology(e), implied if implied is not None else year

    def _find(self, key: str, level: str | None) -> tuple[_Entry, int | None]:
        if key in self._entries:
            return self._entries[key], None
        wanted = _norm(key)
        for e in self._entries.values():
            if wanted in {_norm(a) for a in e.aliases}:
                return e, None
        by_decision = [
            e
            for e in self._entries.values()
            if e.decision_number
            and _norm(e.decision_number) == wanted
            and (level is None or e.level == level)
        ]
        if len(by_decision) == 1:
            return by_decision[0], None
        if len(by_decision) > 1:
            options = ", ".join(f"{e.id} (level {e.level})" for e in by_decision)
            raise UnknownMethodologyError(
                f"decision {key!r} has several methodologies: {options}; pass level=..."
            )
        match = _LEVEL_YEAR.fullmatch(key.strip().casefold())
        if match:
            lvl, year = match.group(1), int(match.group(2))
            national = [e for e in self._entries.values() if e.level == lvl and e.national]
            hits = [e for e in national if year in e.evaluation_years]
            if len(hits) == 1:
                return hits[0], year
            if len(hits) > 1:
                raise UnknownMethodologyError(
                    f"{key!r} matches several methodologies: {', '.join(e.id for e in hits)}"
                )
            covered = sorted({y for e in national for y in e.evaluation_years})
            if not covered:
                levels = sorted({e.level for e in self._entries.values() if e.national})
                close = difflib.get_close_matches(lvl, levels, n=1)
                hint = f"; did you mean '{close[0]}-{year}'?" if close else ""
                raise UnknownMethodologyError(
                    f"{key!r}: no national methodology for level {lvl!r} (levels covered: "
                    f"{', '.join(levels)}){hint}"
                )
            raise UnknownMethodologyError(
                f"{key!r}: no {lvl} methodology covers {year}; years covered: "
                f"{', '.join(map(str, covered))}"
            )
        raise UnknownMethodologyError(
            f"no methodology {key!r}{self._did_you_mean(key)}; known ids: "
            f"{', '.join(self.ids())} (or use a decision number such as '876/QĐ-BNV', or a "
            "level-year key such as 'province-2023')"
        )

    def _did_you_mean(self, key: str) -> str:
        """ "; did you mean ...?": the ids closest in spelling, or the methodologies of a
        decision whose number the key begins (``876`` -> ``876/QĐ-BNV``)."""
        wanted = _norm(key)
        by_number = [
            e.id
            for e in self._entries.values()
            if e.decision_number and _norm(e.decision_number).startswith(wanted) and wanted
        ]
        close = by_number or difflib.get_close_matches(key, self.ids(), n=3, cutoff=0.75)
        return f"; did you mean {' or '.join(map(repr, close[:3]))}?" if close else ""


_registries: weakref.WeakSet[Registry] = weakref.WeakSet()
"""Every registry, for :meth:`Registry._after_fork`."""


def _after_fork_in_child() -> None:
    for registry in list(_registries):
        registry._after_fork()


if hasattr(os, "register_at_fork"):  # POSIX; elsewhere there is no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)

default_registry = Registry(load_shipped=True)
"""The registry of shipped methodologies (loaded on first use)."""


def get_methodology(key: str, *, level: str | None = None) -> Methodology:
    """Look up a shipped (or registered) methodology; see :meth:`Registry.get`.

    Example:
        >>> import parindex
        >>> parindex.get_methodology("ministry-2023").decision.number
        '876/QĐ-BNV'
    """
    return default_registry.get(key, level=level)


def resolve_methodology(
    methodology: Methodology | str, year: int | None = None
) -> tuple[Methodology, int | None]:
    """A methodology and the evaluation year it is used for: a ``level-year`` key
    names its year (see :meth:`Registry.lookup`); a :class:`Methodology` or an id
    names ``year``.

    Example:
        >>> from parindex.io.catalogue import resolve_methodology
        >>> m, year = resolve_methodology("province-2023")
        >>> m.decision.number, year
        ('876/QĐ-BNV', 2023)
    """
    if isinstance(methodology, str):
        return default_registry.lookup(methodology, year=year)
    return methodology, year


def list_methodologies() -> list[Methodology]:
    """Every methodology in the default registry, national first.

    Example:
        >>> import parindex
        >>> "province-2017" in [m.id for m in parindex.list_methodologies()]
        True
    """
    return list(default_registry)


def build_index(folder: str | Path | None = None) -> dict[str, Any]:
    """The catalogue index of a folder of methodology files (default: the shipped
    ones): each file's id, aliases, decision number, level, issuing region, official
    flag and evaluation years, in file-name order. Every file is parsed and validated,
    and registered in a fresh :class:`Registry`, so ids and aliases must not clash.

    Example:
        >>> from parindex.io.catalogue import build_index
        >>> entry = build_index()["methodologies"][0]
        >>> entry["file"], entry["id"], entry["level"], entry["issuer_region"]
        ('bentre-district-2022.yaml', 'bentre-district-2022', 'district', 'Bến Tre')
    """
    where: Traversable | Path = _shipped_folder() if folder is None else Path(folder)
    registry = Registry()
    entries = []
    for item in sorted(where.iterdir(), key=lambda item: item.name):
        if item.name.endswith(_SUFFIXES) and item.name != INDEX_FILE:
            m = _read_methodology(item)
            registry.add(m)
            entries.append(_Entry.of(m, item.name).to_dict())
    return {
        "format": _INDEX_FORMAT,
        "note": "Generated by `python tools/write_index.py` from the files in this folder.",
        "methodologies": entries,
    }


def write_index(folder: str | Path | None = None) -> Path:
    """Write (or rewrite) ``index.json`` in ``folder`` (default: the shipped
    methodologies, in a source checkout); returns its path.

    Example:
        >>> import shutil, tempfile, pathlib
        >>> from parindex.io.catalogue import write_index
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     _ = shutil.copy("src/parindex/data/methodologies/camau-2013.yaml", tmp)
        ...     write_index(tmp).name
        'index.json'
    """
    where = Path(str(_shipped_folder())) if folder is None else Path(folder)
    path = where / INDEX_FILE
    path.write_text(dump_json(build_index(where)) + "\n", encoding="utf-8")
    return path
