"""Methodology files: plain data (YAML/JSON) to validated :class:`Methodology` objects
and back. Files are read through :mod:`parindex.io.safe`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from parindex.errors import LimitExceededError, MethodologyError
from parindex.io.safe import read_text_file, safe_parse
from parindex.model.methodology import (
    Band,
    Decision,
    Methodology,
    Node,
    RankingPolicy,
    ScoreComponent,
    Source,
)
from parindex.rules import flag_setting, rule_from_dict

__all__ = [
    "FORMAT",
    "dump_methodology",
    "load_methodology",
    "methodology_from_dict",
    "methodology_to_dict",
]

FORMAT = "parindex-methodology/1"


# --------------------------------------------------------------------------- dict -> model

_TOP_KEYS = {
    "format",
    "id",
    "aliases",
    "name_vi",
    "name_en",
    "level",
    "decision",
    "evaluation_years",
    "official",
    "complete",
    "total_max",
    "source",
    "sources",
    "counts",
    "components",
    "bands",
    "ranking",
    "notes",
    "tree",
    "issuer_region",
    "total_source",
}
_NODE_KEYS = {
    "id",
    "name_vi",
    "name_en",
    "max_points",
    "method",
    "rule",
    "children",
    "allow_na",
    "children_complete",
    "counts",
    "source",
    "note",
}


def _message(err: BaseException) -> str:
    """The human part of an error (attrs validators put extra objects in ``args``)."""
    if isinstance(err, KeyError) and err.args:
        return f"missing {err.args[0]!r}"
    if err.args and isinstance(err.args[0], str):
        return err.args[0]
    return str(err)


def _expect(data: object, kind: type, where: str) -> Any:
    if not isinstance(data, kind):
        raise MethodologyError(f"{where} must be a {kind.__name__}, got {type(data).__name__}")
    return data


def _keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise MethodologyError(f"{where}: unknown keys {sorted(map(str, unknown))}")


def _number(x: object, where: str) -> float | None:
    if x is None:
        return None
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise MethodologyError(f"{where} must be a number or null, got {x!r}")
    return float(x)


def _opt_flag(x: object, where: str) -> bool | None:
    return None if x is None else flag_setting(x, where, False)


def _year(x: object, where: str) -> int:
    if isinstance(x, bool) or not isinstance(x, int):
        raise MethodologyError(f"{where} must be a whole year like 2024, got {x!r}")
    return x


def _band_year(x: object, name: str) -> int:
    if isinstance(x, str) and x.strip().isdigit():  # JSON object keys are text
        return int(x)
    return _year(x, f"{name} bands: year")


def _counts(data: object, where: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for k, v in _expect(data or {}, dict, where).items():
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise MethodologyError(f"{where}.{k} must be a whole number >= 0, got {v!r}")
        out[str(k)] = v
    return out


def _node(data: object, where: str) -> Node:
    d = _expect(data, dict, where)
    node_id = d.get("id")
    _keys(d, _NODE_KEYS, f"{where} (node {node_id})" if isinstance(node_id, str) else where)
    if not isinstance(node_id, str):
        raise MethodologyError(f'{where}: node id must be a string like "3.2", got {node_id!r}')
    here = f"node {node_id}"
    kids = _expect(d.get("children") or [], list, f"{here} children")
    children = [_node(c, f"{here} child {i}") for i, c in enumerate(kids)]
    rule = d.get("rule")
    try:
        return Node(
            id=node_id,
            name_vi=str(d.get("name_vi", "")),
            name_en=str(d.get("name_en", "")),
            max_points=_number(d.get("max_points"), f"{here} max_points"),
            method=d.get("method"),
            rule=None if rule is None else rule_from_dict(rule),
            children=tuple(children),
            allow_na=flag_setting(d.get("allow_na"), "allow_na", True),
            children_complete=_opt_flag(d.get("children_complete"), "children_complete"),
            counts=_counts(d.get("counts"), f"{here} counts"),
            source=d.get("source"),
            note=str(d.get("note", "")),
        )
    except MethodologyError as err:
        if err.node is None:
            raise MethodologyError(f"{here}: {err}", node=node_id) from None
        raise
    except (TypeError, ValueError, OverflowError) as err:
        raise MethodologyError(f"{here}: {_message(err)}", node=node_id) from None


def _band(data: object, where: str) -> Band:
    d = _expect(data, dict, where)
    _keys(
        d,
        {"label", "min_inclusive", "min_exclusive", "max_inclusive", "max_exclusive", "source"},
        where,
    )
    lower = d.get("min_inclusive", d.get("min_exclusive"))
    upper = d.get("max_inclusive", d.get("max_exclusive"))
    return Band(
        label=str(d["label"]),
        lower=_number(lower, f"{where} lower bound"),
        upper=_number(upper, f"{where} upper bound"),
        lower_inclusive="min_exclusive" not in d,
        upper_inclusive="max_inclusive" in d,
        source=d.get("source"),
    )


def _date(x: object, where: str) -> dt.date | None:
    if x is None or isinstance(x, dt.date):
        return x
    if isinstance(x, str):
        try:
            return dt.date.fromisoformat(x)
        except ValueError:
            pass
    raise MethodologyError(f"{where} must be a date YYYY-MM-DD or null, got {x!r}")


def methodology_from_dict(data: object, *, name: str = "methodology") -> Methodology:
    """Build a :class:`~parindex.Methodology` from plain data (a parsed file).

    Example:
        >>> import parindex
        >>> m = parindex.methodology_from_dict({
        ...     "format": "parindex-methodology/1", "id": "my-district-set", "level": "district",
        ...     "evaluation_years": [2024], "total_max": 100, "official": False,
        ...     "tree": [{"id": "1", "max_points": 60}, {"id": "2", "max_points": 40}]})
        >>> m.max_points_of("2"), m.children_exhaustive(None)
        (40.0, True)

    Raises:
        MethodologyError: the data is malformed or inconsistent; the message names the
            node where there is one.
    """
    d = _expect(data, dict, name)
    _keys(d, _TOP_KEYS, name)
    if d.get("format") != FORMAT:
        raise MethodologyError(f"{name}: 'format' must be {FORMAT!r}, got {d.get('format')!r}")
    try:
        dec = _expect(d.get("decision") or {}, dict, f"{name} decision")
        _keys(
            dec,
            {"number", "date", "issuer", "title", "effective", "replaces"},
            f"{name} decision",
        )
        sources = {
            str(k): Source(**_expect(v, dict, f"{name} source {k}"))
            for k, v in _expect(d.get("sources") or {}, dict, f"{name} sources").items()
        }
        components = []
        for i, c in enumerate(_expect(d.get("components") or [], list, f"{name} components")):
            cd = _expect(c, dict, f"{name} component {i}")
            _keys(
                cd,
                {"id", "max_points", "name_vi", "name_en", "method", "allow_na", "source"},
                f"{name} component {i}",
            )
            components.append(
                ScoreComponent(
                    **(
                        cd
                        | {
                            "max_points": _number(
                                cd.get("max_points"), f"{name} component {i} max_points"
                            ),
                            "allow_na": flag_setting(
                                cd.get("allow_na"), f"{name} component {i} allow_na", False
                            ),
                        }
                    )
                )
            )
        bands = {
            _band_year(year, name): tuple(
                _band(b, f"{name} band {year}/{i}")
                for i, b in enumerate(_expect(items, list, f"{name} bands {year}"))
            )
            for year, items in _expect(d.get("bands") or {}, dict, f"{name} bands").items()
        }
        rk = dict(_expect(d.get("ranking") or {}, dict, f"{name} ranking"))
        _keys(rk, {"ties", "precision", "within_groups", "unranked", "source"}, f"{name} ranking")
        precision = rk.get("precision")
        if precision is not None and (
            isinstance(precision, bool) or not isinstance(precision, int) or not 0 <= precision <= 9
        ):
            raise MethodologyError(
                f"{name} ranking precision must be a whole number from 0 to 9, got {precision!r}"
            )
        rk["within_groups"] = flag_setting(
            rk.get("within_groups"), f"{name} ranking within_groups", True
        )
        unranked = rk.get("unranked", [])
        if not isinstance(unranked, list) or not all(isinstance(u, str) for u in unranked):
            raise MethodologyError(
                f"{name} ranking unranked must be a list of unit names, got {unranked!r}"
            )
        years = _expect(d.get("evaluation_years") or [], list, f"{name} evaluation_years")
        nodes = _expect(d.get("tree") or [], list, f"{name} tree")
        tree = [_node(n, f"{name} tree[{i}]") for i, n in enumerate(nodes)]
        if "total_max" not in d:
            # Required so that an unknown total is said, not forgotten: null is unknown.
            raise MethodologyError(
                f"{name}: total_max is required (null when no source states the total)"
            )
        total = _number(d["total_max"], f"{name} total_max")
        return Methodology(
            id=str(d.get("id", "")),
            name_vi=str(d.get("name_vi", "")),
            name_en=str(d.get("name_en", "")),
            level=str(d.get("level", "")),
            decision=Decision(
                number=dec.get("number"),
                date=_date(dec.get("date"), f"{name} decision date"),
                issuer=dec.get("issuer"),
                title=dec.get("title"),
                effective=_date(dec.get("effective"), f"{name} decision effective"),
                replaces=dec.get("replaces"),
            ),
            evaluation_years=tuple(_year(y, f"{name} evaluation_years") for y in years),
            total_max=total,
            tree=tuple(tree),
            complete=flag_setting(d.get("complete"), f"{name} complete", False),
            official=flag_setting(d.get("official"), f"{name} official", True),
            sources=sources,
            source=d.get("source"),
            components=tuple(components),
            bands=bands,
            ranking=RankingPolicy(**rk),
            counts=_counts(d.get("counts"), f"{name} counts"),
            aliases=tuple(str(a) for a in d.get("aliases") or ()),
            issuer_region=d.get("issuer_region"),
            notes=str(d.get("notes", "")),
            total_source=d.get("total_source"),
        )
    except (MethodologyError, LimitExceededError):
        raise
    except (TypeError, ValueError, KeyError, OverflowError) as err:
        raise MethodologyError(f"{name}: {_message(err)}") from None


def load_methodology(path: str | Path) -> Methodology:
    """Load and validate a methodology file (YAML or JSON).

    Example:
        >>> import parindex, tempfile, pathlib
        >>> m = parindex.get_methodology("province-2017")
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = pathlib.Path(tmp) / "m.yaml"
        ...     _ = path.write_text(parindex.io.methodology.dump_methodology(m), encoding="utf-8")
        ...     parindex.load_methodology(path) == m
        True
    """
    text = read_text_file(path)
    try:
        return methodology_from_dict(safe_parse(text, name=str(path)), name=str(path))
    except MethodologyError as err:
        raise MethodologyError(
            err.args[0] if str(path) in err.args[0] else f"{path}: {err}", node=err.node
        ) from None


# --------------------------------------------------------------------------- model -> dict


def _drop_empty(d: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k in keep or v not in (None, "", [], {})}


def _node_to_dict(node: Node) -> dict[str, Any]:
    out = _drop_empty(
        {
            "id": node.id,
            "name_vi": node.name_vi,
            "name_en": node.name_en,
            "max_points": node.max_points,
            "method": node.method,
            "rule": None if node.rule is None else node.rule.to_dict(),
            "counts": dict(node.counts),
            "source": node.source,
            "note": node.note,
            "children_complete": node.children_complete,
        }
    )
    if not node.allow_na:
        out["allow_na"] = False
    if node.children:
        out["children"] = [_node_to_dict(c) for c in node.children]
    return out


def _band_to_dict(b: Band) -> dict[str, Any]:
    out: dict[str, Any] = {"label": b.label}
    if b.lower is not None:
        out["min_inclusive" if b.lower_inclusive else "min_exclusive"] = b.lower
    if b.upper is not None:
        out["max_inclusive" if b.upper_inclusive else "max_exclusive"] = b.upper
    if b.source is not None:
        out["source"] = b.source
    return out


def methodology_to_dict(m: Methodology) -> dict[str, Any]:
    """Plain data for a methodology; :func:`methodology_from_dict` inverts it.

    Example:
        >>> import parindex
        >>> m = parindex.get_methodology("province-2017")
        >>> data = parindex.methodology_to_dict(m)
        >>> data["decision"]["number"], parindex.methodology_from_dict(data) == m
        ('2948/QĐ-BNV', True)
    """
    rk = m.ranking
    return _drop_empty(
        {
            "format": FORMAT,
            "id": m.id,
            "aliases": list(m.aliases),
            "name_vi": m.name_vi,
            "name_en": m.name_en,
            "level": m.level,
            "issuer_region": m.issuer_region,
            "decision": _drop_empty(
                {
                    "number": m.decision.number,
                    "date": None if m.decision.date is None else m.decision.date.isoformat(),
                    "issuer": m.decision.issuer,
                    "title": m.decision.title,
                    "effective": None
                    if m.decision.effective is None
                    else m.decision.effective.isoformat(),
                    "replaces": m.decision.replaces,
                }
            ),
            "evaluation_years": list(m.evaluation_years),
            "official": m.official,
            "complete": m.complete,
            "total_max": m.total_max,
            "total_source": m.total_source,
            "source": m.source,
            "counts": dict(m.counts),
            "sources": {
                k: _drop_empty({"url": s.url, "confidence": s.confidence, "note": s.note})
                for k, s in m.sources.items()
            },
            "components": [
                _drop_empty(
                    {
                        "id": c.id,
                        "max_points": c.max_points,
                        "name_vi": c.name_vi,
                        "name_en": c.name_en,
                        "method": c.method,
                        "allow_na": c.allow_na or None,
                        "source": c.source,
                    }
                )
                for c in m.components
            ],
            "bands": {year: [_band_to_dict(b) for b in bands] for year, bands in m.bands.items()},
            "ranking": _drop_empty(
                {
                    "ties": rk.ties,
                    "precision": rk.precision,
                    "within_groups": None if rk.within_groups else False,
                    "unranked": list(rk.unranked),
                    "source": rk.source,
                }
            ),
            "notes": m.notes,
            "tree": [_node_to_dict(n) for n in m.tree],
        },
        keep=("total_max",),  # null (unknown) is written out, not dropped
    ) | {"official": m.official, "complete": m.complete}


def dump_methodology(m: Methodology) -> str:
    """The methodology as YAML text (what :func:`load_methodology` reads back).

    Example:
        >>> import parindex
        >>> parindex.io.methodology.dump_methodology(parindex.get_methodology("province-2017")).splitlines()[:2]
        ['format: parindex-methodology/1', 'id: province-2017']
    """
    import yaml

    return yaml.safe_dump(methodology_to_dict(m), allow_unicode=True, sort_keys=False, width=100)
