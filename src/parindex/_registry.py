"""The methodology registry: shipped data files, loaded lazily, looked up by id, alias,
decision number or ``level-year`` key (e.g. ``province-2023``).

Adding a year or a province's own set is adding a file under
``parindex/data/methodologies/`` (or calling :meth:`Registry.add_file`); the engine
never branches on the year.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from parindex._io import load_methodology, methodology_from_dict, safe_parse
from parindex._model import Methodology
from parindex.errors import MethodologyError, UnknownMethodologyError

__all__ = ["Registry", "default_registry", "get_methodology", "list_methodologies"]

_LEVEL_YEAR = re.compile(r"^([a-z_]+)-(\d{4})$")


def _norm(text: str) -> str:
    """Casefold, drop diacritics (đ -> d) and spaces: '876/QĐ-BNV' == '876/qd-bnv'."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return "".join(text.casefold().split())


def _national(m: Methodology) -> bool:
    """Issued by the Ministry for the whole country: no issuing province, and official
    (an illustrative set is neither national nor provincial)."""
    return m.issuer_region is None and m.official


class Registry:
    """A set of methodologies with lookups. The default one holds the shipped files;
    users may add their own (a province's set, an official annex they completed).

    Example:
        >>> import parindex
        >>> reg = parindex.Registry()
        >>> reg.add(parindex.get_methodology("province-2017"))
        >>> reg.get("2948/QD-BNV", level="province").id
        'province-2017'
    """

    def __init__(self, *, load_shipped: bool = False) -> None:
        self._items: dict[str, Methodology] = {}
        self._load_shipped = load_shipped
        self._loaded = not load_shipped

    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        folder = resources.files("parindex") / "data" / "methodologies"
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".yaml", ".yml", ".json")):
                text = entry.read_text(encoding="utf-8")
                self.add(methodology_from_dict(safe_parse(text, name=entry.name), name=entry.name))

    def add(self, methodology: Methodology) -> None:
        """Register a methodology; its id and aliases must not clash with existing ones.

        Example:
            >>> import parindex
            >>> reg = parindex.Registry()
            >>> reg.add(parindex.get_methodology("province-2017"))
            >>> reg.add(parindex.get_methodology("province-2017"))
            Traceback (most recent call last):
            ...
            parindex.errors.MethodologyError: a methodology with id 'province-2017' is already registered
        """
        self._ensure_loaded()
        if methodology.id in self._items:
            raise MethodologyError(
                f"a methodology with id {methodology.id!r} is already registered"
            )
        taken = {_norm(k) for m in self._items.values() for k in (m.id, *m.aliases)}
        for key in (methodology.id, *methodology.aliases):
            if _norm(key) in taken:
                raise MethodologyError(f"methodology key {key!r} is already taken")
        self._items[methodology.id] = methodology

    def add_file(self, path: str | Path) -> Methodology:
        """Load, validate and register a methodology file; returns it.

        Example:
            >>> import parindex
            >>> reg = parindex.Registry()
            >>> reg.add_file("src/parindex/data/methodologies/binhduong-district-2017.yaml").id
            'binhduong-district-2017'
        """
        m = load_methodology(path)
        self.add(m)
        return m

    def __iter__(self) -> Iterator[Methodology]:
        self._ensure_loaded()
        return iter(
            sorted(
                self._items.values(),
                key=lambda m: (m.issuer_region or "", m.level, m.evaluation_years[:1], m.id),
            )
        )

    def __len__(self) -> int:
        self._ensure_loaded()
        return len(self._items)

    def ids(self) -> list[str]:
        """Every registered id.

        Example:
            >>> import parindex
            >>> parindex.default_registry.ids()[:4]
            ['illustrative-district', 'ministry-2012', 'ministry-2016', 'ministry-2017']
        """
        return [m.id for m in self]

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
            >>> parindex.default_registry.get("876/QĐ-BNV", level="ministry").id
            'ministry-2022'
            >>> parindex.default_registry.get("province-2023").id
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
            >>> m, year = parindex.default_registry.lookup("province-2023")
            >>> m.id, year
            ('province-2022', 2023)
            >>> parindex.default_registry.lookup("province-2022", year=2024)[1]
            2024
        """
        m, implied = self._find(key, level)
        if level is not None and m.level != level:
            # An id or alias names one methodology: a level that contradicts it is a mistake.
            raise UnknownMethodologyError(
                f"{key!r} is {m.id}, a {m.level} methodology, not {level}"
            )
        if implied is not None and year is not None and year != implied:
            raise UnknownMethodologyError(f"{key!r} names {implied}, not {year}")
        return m, implied if implied is not None else year

    def _find(self, key: str, level: str | None) -> tuple[Methodology, int | None]:
        self._ensure_loaded()
        if key in self._items:
            return self._items[key], None
        wanted = _norm(key)
        for m in self._items.values():
            if wanted in {_norm(a) for a in m.aliases}:
                return m, None
        by_decision = [
            m
            for m in self._items.values()
            if m.decision.number
            and _norm(m.decision.number) == wanted
            and (level is None or m.level == level)
        ]
        if len(by_decision) == 1:
            return by_decision[0], None
        if len(by_decision) > 1:
            options = ", ".join(f"{m.id} (level {m.level})" for m in by_decision)
            raise UnknownMethodologyError(
                f"decision {key!r} has several methodologies: {options}; pass level=..."
            )
        match = _LEVEL_YEAR.match(key.strip().casefold())
        if match:
            lvl, year = match.group(1), int(match.group(2))
            national = [m for m in self._items.values() if m.level == lvl and _national(m)]
            hits = [m for m in national if year in m.evaluation_years]
            if len(hits) == 1:
                return hits[0], year
            if len(hits) > 1:
                raise UnknownMethodologyError(
                    f"{key!r} matches several methodologies: {', '.join(m.id for m in hits)}"
                )
            covered = sorted({y for m in national for y in m.evaluation_years})
            if not covered:
                levels = sorted({m.level for m in self._items.values() if _national(m)})
                raise UnknownMethodologyError(
                    f"{key!r}: no national methodology for level {lvl!r} (levels covered: "
                    f"{', '.join(levels)})"
                )
            raise UnknownMethodologyError(
                f"{key!r}: no {lvl} methodology covers {year}; years covered: "
                f"{', '.join(map(str, covered))}"
            )
        raise UnknownMethodologyError(
            f"no methodology {key!r}; known ids: {', '.join(self.ids())} (or use a decision "
            "number such as '876/QĐ-BNV', or a level-year key such as 'province-2023')"
        )


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
        >>> from parindex._registry import resolve_methodology
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
