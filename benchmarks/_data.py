"""Synthetic data for the benchmarks: a ~100-leaf methodology, random sheets, a flat
methodology for the comparisons with pandas and scikit-criteria, provincial points."""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

import parindex
from parindex import Band, Methodology, Node
from parindex.model.methodology import Decision, RankingPolicy
from parindex.rules import Deduction, PercentTiers, Proportional, Tier, YesNo


def _rule(k: int) -> object:
    kind = k % 4
    if kind == 0:
        return PercentTiers(
            (Tier(1.0, lower=100, upper=None), Tier(0.5, lower=80, upper=100), Tier(0.0, upper=80))
        )
    if kind == 1:
        return Proportional()
    if kind == 2:
        return Deduction(per_occurrence=0.25)
    return YesNo()


def methodology(fields: int = 5, criteria: int = 4, leaves: int = 5) -> Methodology:
    """fields x criteria x leaves leaves of 1 point each, every leaf with a rule."""
    tree = []
    k = 0
    for f in range(1, fields + 1):
        crits = []
        for c in range(1, criteria + 1):
            kids = []
            for s in range(1, leaves + 1):
                kids.append(
                    Node(
                        f"{f}.{c}.{s}",
                        name_vi=f"Tiêu chí thành phần {f}.{c}.{s}",
                        max_points=1.0,
                        rule=_rule(k),  # type: ignore[arg-type]
                        allow_na=s == leaves,
                    )
                )
                k += 1
            crits.append(
                Node(
                    f"{f}.{c}",
                    name_vi=f"Tiêu chí {f}.{c}",
                    max_points=float(leaves),
                    children=tuple(kids),
                )
            )
        tree.append(
            Node(
                str(f),
                name_vi=f"Lĩnh vực {f}",
                max_points=float(criteria * leaves),
                children=tuple(crits),
            )
        )
    return Methodology(
        id="bench",
        name_vi="Bộ chỉ số thử tốc độ",
        name_en="Benchmark methodology",
        level="district",
        decision=Decision(None),
        evaluation_years=(2024,),
        total_max=float(fields * criteria * leaves),
        tree=tuple(tree),
        complete=True,
        official=False,
        ranking=RankingPolicy(ties="min"),
    )


def wide_values(m: Methodology, n_units: int, seed: int = 0) -> pd.DataFrame:
    """Raw values for every leaf (rates in percent, counts, yes/no as 0/1)."""
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {"unit": [f"Đơn vị {i:05d}" for i in range(n_units)]}
    for k, leaf in enumerate(n for n in m.nodes() if n.is_leaf):
        kind = k % 4
        if kind in (0, 1):
            cols[leaf.id] = np.round(rng.uniform(60, 100, n_units), 2)
        elif kind == 2:
            cols[leaf.id] = rng.integers(0, 5, n_units).astype(float)
        else:
            cols[leaf.id] = rng.integers(0, 2, n_units).astype(float)
    return pd.DataFrame(cols)


def flat_methodology(criteria: int = 100) -> Methodology:
    """``criteria`` leaves straight under the total (points entered directly)."""
    tree = tuple(
        Node(str(i), name_vi=f"Tiêu chí {i}", max_points=float(1 + i % 4))
        for i in range(1, criteria + 1)
    )
    return Methodology(
        id="flat",
        name_vi="Bộ chỉ số phẳng",
        name_en="Flat benchmark methodology",
        level="district",
        decision=Decision(None),
        evaluation_years=(2024,),
        total_max=float(sum(n.max_points or 0.0 for n in tree)),
        tree=tree,
        complete=True,
        official=False,
        ranking=RankingPolicy(ties="first"),
    )


def fresh(m: Methodology) -> Methodology:
    """An equal methodology that no cache has seen (compiled anew on first use): every
    timed call is a cold one, as a user's first call is."""
    return attrs.evolve(m)


def with_bands(m: Methodology, lowers: list[float]) -> Methodology:
    """``m`` with bands A, B, C, ... for its one evaluation year: A from ``lowers[0]``
    up, B from ``lowers[1]`` to ``lowers[0]``, ..., the last band below the last bound."""
    labels = "ABCDEFGH"
    bands = [Band(labels[0], lower=lowers[0])]
    for k in range(1, len(lowers)):
        bands.append(Band(labels[k], lower=lowers[k], upper=lowers[k - 1]))
    bands.append(Band(labels[len(lowers)], upper=lowers[-1]))
    return attrs.evolve(m, bands={m.evaluation_years[0]: tuple(bands)})


def province_records(n_units: int = 63, seed: int = 3) -> list[dict[str, object]]:
    """Points for the eight fields of the provincial index (876/QĐ-BNV) for the first
    ``n_units`` of the 63 provinces of 2023, as a service client sends them: one record
    per unit and field."""
    from parindex.io.units import provinces

    m = parindex.get_methodology("province-2022")
    rng = np.random.default_rng(seed)
    records: list[dict[str, object]] = []
    for unit in provinces(2023)[:n_units]:
        for node in m.tree:
            top = node.max_points or 0.0
            points = float(np.round(rng.uniform(0.6, 1.0) * top, 2))
            records.append({"unit": unit.name, "node": node.id, "points": points})
    return records
