"""Gap analysis for one unit (phân tích khoảng cách).

:func:`gap` says how far a unit is from the next rank, the next band or a target index,
how much headroom every node has left, and a greedy plan over the inputs that closes
the gap with the fewest changes (checked with :func:`parindex.analysis.what_if.what_if`).
"""

from __future__ import annotations

import math
from typing import Literal

import attrs
import pandas as pd

from parindex._numbers import snap
from parindex._text import points_word
from parindex.analysis._sheet_edits import find_unit, fmt, with_peers
from parindex.analysis.ranking import rank
from parindex.analysis.what_if import WhatIf, what_if
from parindex.engine.arrays import MissingPolicy
from parindex.engine.compile import compile_methodology
from parindex.engine.scores import TOTAL, Scores, score
from parindex.engine.tables import INDEX_COLUMN
from parindex.errors import InputFormatError
from parindex.model.methodology import Methodology, TiePolicy, ensure_methodology
from parindex.model.sheet import ScoreSheet, as_sheet
from parindex.rules import Categorical, Deduction, PercentTiers, RateScale, Rule, YesNo

__all__ = ["Gap", "PlanStep", "gap"]


@attrs.frozen
class PlanStep:
    """One step of a gap plan: raise ``node`` from ``points_from`` to ``points_to``.

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
        >>> step = parindex.gap("illustrative-district", sheet, "Huyện Minh Họa D").plan[0]
        >>> step.node, step.points_from, step.points_to, step.how
        ('7.2', 2.0, 6.0, "tier '100 % <= x: 6 points'")
    """

    node: str
    points_from: float
    points_to: float
    gain: float
    how: str
    index_after: float


def _outcomes(rule: Rule | None, max_points: float) -> tuple[list[float] | None, str]:
    """Possible points of a rule with discrete outcomes (``None``: any value)."""
    if isinstance(rule, PercentTiers):
        return sorted({t.points for t in rule.tiers}), "tiers"
    if isinstance(rule, Categorical):
        return sorted({lv.points for lv in rule.levels}), "levels"
    if isinstance(rule, YesNo):
        yes = max_points if rule.yes_points is None else rule.yes_points
        return sorted({yes, rule.no_points}), "yes/no"
    if isinstance(rule, Deduction):
        steps = math.ceil((max_points - rule.floor) / rule.per_occurrence)
        values = {max(rule.floor, max_points - k * rule.per_occurrence) for k in range(steps + 1)}
        return sorted(snap(v) for v in values), "deductions"
    return None, "points"


def _how(rule: Rule | None, points: float, max_points: float) -> str:
    if isinstance(rule, PercentTiers):
        for t in rule.tiers:
            if snap(t.points) == snap(points):
                return f"tier {t.describe()!r}"
    if isinstance(rule, Categorical):
        for lv in rule.levels:
            if snap(lv.points) == snap(points):
                return f"level {lv.label!r}"
    if isinstance(rule, YesNo):
        return "yes"
    if isinstance(rule, Deduction):
        k = round((max_points - points) / rule.per_occurrence)
        return f"{k} occurrence{'s' if k != 1 else ''}"
    return f"{fmt(points)} of {fmt(max_points)} {points_word(max_points)}"


@attrs.frozen(eq=False)
class Gap:
    """The result of :func:`gap`.

    ``points_needed`` is ``None`` when there is no target (already first, or in the
    top band), and 0 when the target is already met. ``strict`` means the target must
    be passed, not just equalled (e.g. tie policy ``max``).

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
        >>> g = parindex.gap("illustrative-district", sheet, "Huyện Minh Họa D", target=85)
        >>> g.points_needed, g.plan_changes()
        (3.947334, {'7.2': 6.0})
    """

    unit: str
    target: str
    target_index: float | None
    index: float | None
    points_needed: float | None
    strict: bool
    reachable: bool
    headroom: pd.DataFrame = attrs.field(repr=False)
    plan: tuple[PlanStep, ...]
    check: WhatIf | None = attrs.field(repr=False)

    def plan_changes(self) -> dict[str, float]:
        """The plan as ``what_if`` changes (node -> points).

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
            >>> g = parindex.gap("illustrative-district", sheet, "Huyện Minh Họa D")
            >>> g.plan_changes()
            {'7.2': 6.0, '3.3': 7.825874}
            >>> parindex.what_if("illustrative-district", sheet, "Huyện Minh Họa D", g.plan_changes()).rank_after
            2
        """
        return {s.node: s.points_to for s in self.plan}

    def plan_frame(self) -> pd.DataFrame:
        """The plan as a table, one row per step.

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
            >>> g = parindex.gap("illustrative-district", sheet, "Huyện Minh Họa F", target="band")
            >>> g.plan_frame()[["node", "points_from", "points_to", "how"]].to_dict("records")
            [{'node': '3.1.1', 'points_from': 0.0, 'points_to': 4.0, 'how': "tier '100 % <= x: 4 points'"}]
        """
        return pd.DataFrame([attrs.asdict(s) for s in self.plan])

    def explain(self) -> str:
        """The gap and the plan in words (rounded half-up to 2 decimals).

        Example:
            >>> import parindex
            >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
            >>> print(parindex.gap("illustrative-district", sheet, "Huyện Minh Họa F", target="band").explain())
            Huyện Minh Họa F: index 76.25; band 'Tốt' at index 80; needs 3.75 points
              1. 3.1.1: 0 -> 4 points (+4; tier '100 % <= x: 4 points'); index then 80.25
              check: Huyện Minh Họa F: index 76.25 -> 80.25; rank 6 -> 6; band Khá -> Tốt
        """
        if self.points_needed is None:
            return f"{self.unit}: no {self.target} to reach (index {fmt(self.index)})"
        head = (
            f"{self.unit}: index {fmt(self.index)}; {self.target} at index {fmt(self.target_index)}"
        )
        if self.points_needed <= 0 and not self.strict:
            return head + "; already reached"
        more = "more than " if self.strict else ""
        lines = [
            head + f"; needs {more}{fmt(self.points_needed)} {points_word(self.points_needed)}"
        ]
        for i, s in enumerate(self.plan, 1):
            lines.append(
                f"  {i}. {s.node}: {fmt(s.points_from)} -> {fmt(s.points_to)} points "
                f"(+{fmt(s.gain)}; {s.how}); index then {fmt(s.index_after)}"
            )
        if not self.reachable:
            lines.append("  the headroom left on the inputs given is not enough")
        elif self.check is not None:
            lines.append(f"  check: {self.check.headline()}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.explain()


def gap(
    methodology: Methodology,
    sheet: ScoreSheet | pd.DataFrame,
    unit: str,
    *,
    target: Literal["rank", "band"] | float = "rank",
    peers: ScoreSheet | pd.DataFrame | None = None,
    missing: MissingPolicy = "error",
    rate_scale: RateScale | None = None,
    ties: TiePolicy | None = None,
    year: int | None = None,
) -> Gap:
    """How far a unit is from the next rank, the next band or a target index, the
    headroom left on every node, and a greedy plan that closes the gap.

    ``target="rank"``: pass the unit ranked just above (with the tie policy in force:
    equalling it is enough under ``min``, ``dense`` and ``average``; under ``max`` it
    must be passed; under ``first`` it depends on the names). ``"band"``: the lower
    bound of the next band up. A number: that index. Points needed = index gap x the
    applicable maximum / 100 (N/A nodes stay out of the maximum).

    The plan takes, at each step, the input with the largest gain still possible
    (ties: decision order) and raises it to its best outcome; the last step goes only
    as far as needed. A leaf whose rule has discrete outcomes (tiers, levels, yes/no,
    deductions) only jumps to one of them. Inputs are the entries given directly
    (leaves, or components when only components were given); N/A and missing entries
    are left alone. The plan is checked by rescoring (:attr:`Gap.check`).

    Example:
        >>> import parindex
        >>> sheet = parindex.load_sheet("examples/illustrative-districts.csv")
        >>> g = parindex.gap("illustrative-district", sheet, "Huyện Minh Họa D")
        >>> g.target_index, g.points_needed, [s.node for s in g.plan]
        (86.412666667, 5.345874, ['7.2', '3.3'])
        >>> g.check.rank_after
        2
    """
    m = ensure_methodology(methodology)
    sheet = as_sheet(sheet)  # a tidy DataFrame is read as score() reads it
    unit = find_unit(sheet, unit)
    full = with_peers(sheet, None if peers is None else as_sheet(peers))
    scores = score(m, full, missing=missing, rate_scale=rate_scale)
    ranking = rank(scores, ties=ties, year=year)
    me = scores.unit(unit)
    idx, max_pts = me.total.index, me.total.max_points
    table = ranking.table
    my_row = table.loc[table["unit"] == unit].iloc[0]
    strict = False
    target_index: float | None
    if target == "rank":
        label = "next rank"
        peers_t = table.loc[table["ranked"] & (table["unit"] != unit) & table[INDEX_COLUMN].notna()]
        if m.ranking.within_groups and not pd.isna(my_row["group"]):
            peers_t = peers_t.loc[peers_t["group"] == my_row["group"]]
        above = peers_t.loc[peers_t[INDEX_COLUMN] > (idx if idx is not None else math.inf) + 1e-9]
        if idx is None or above.empty:
            target_index = None
        else:
            nxt = above.sort_values([INDEX_COLUMN, "unit"]).iloc[0]
            target_index = float(nxt[INDEX_COLUMN])
            strict = ranking.ties == "max" or (ranking.ties == "first" and unit > nxt["unit"])
    elif target == "band":
        label = "next band"
        bands = m.bands_for(ranking.year)
        ups = [b for b in bands if b.lower is not None and idx is not None and b.lower > idx]
        if ups:
            b = min(ups, key=lambda b: b.lower or 0.0)
            target_index = b.lower
            strict = not b.lower_inclusive
            label = f"band {b.label!r}"
        else:
            target_index = None
    else:
        if isinstance(target, bool) or not isinstance(target, int | float):
            raise InputFormatError(f"target must be 'rank', 'band' or an index, got {target!r}")
        target_index = float(target)
        label = "target"  # explain() reads "target at index 85"
    needed: float | None = None
    if target_index is not None and idx is not None and max_pts:
        # Rounded up to 1e-6 points, so that float noise never leaves the unit a hair
        # below its target (noise under 1e-9 points is not rounded up).
        raw = (target_index - idx) / 100.0 * max_pts
        needed = max(0.0, snap(math.ceil(raw * 1e6 - 1e-3) / 1e6))
        room = snap(max_pts - (me.total.points or 0.0))
        if raw <= room + 1e-9:
            needed = min(needed, room)  # the maximum itself is always enough
    headroom = _headroom(scores, unit)
    plan, reachable = _plan(m, full, unit, scores, needed or 0.0, max_pts or 0.0, strict)
    check = None
    if plan and reachable:
        check = what_if(
            m,
            full,
            unit,
            {s.node: s.points_to for s in plan},
            missing=missing,
            rate_scale=rate_scale,
            ties=ties,
            year=year,
        )
    return Gap(
        unit=unit,
        target=label,
        target_index=None if target_index is None else snap(target_index),
        index=idx,
        points_needed=needed,
        strict=strict,
        reachable=reachable or needed is None or needed == 0,
        headroom=headroom,
        plan=tuple(plan),
        check=check,
    )


def _headroom(scores: Scores, unit: str) -> pd.DataFrame:
    frame = scores.to_frame()
    frame = frame.loc[(frame["unit"] == unit) & (frame["status"] == "scored")]
    out = frame[["node", "kind", "depth", "points", "max_points", INDEX_COLUMN]].copy()
    out["headroom"] = (out["max_points"] - out["points"]).round(9)
    return out.reset_index(drop=True)


_Option = tuple[float, int, str, float, float, "Rule | None"]


def _move(option: _Option, remaining: float, strict: bool) -> float:
    """Points an input goes to: just enough for ``remaining`` if it can, else its best."""
    _, _, _, pts, mx, rule = option
    outcomes, _ = _outcomes(rule, mx)
    if outcomes is None:
        want = pts + remaining + (0.01 if strict else 0.0)  # strict: a hundredth above
        return snap(min(mx, want))
    higher = [o for o in outcomes if o > pts + 1e-9]
    enough = [
        o
        for o in higher
        if o - pts > remaining + 1e-9 or (not strict and o - pts >= remaining - 1e-9)
    ]
    return snap(min(enough) if enough else max(higher))


def _plan(
    m: Methodology,
    sheet: ScoreSheet,
    unit: str,
    scores: Scores,
    needed: float,
    max_total: float,
    strict: bool,
) -> tuple[list[PlanStep], bool]:
    if needed <= 0 and not strict:
        return [], True
    c = compile_methodology(m)
    result = scores.unit(unit)
    options: list[_Option] = []
    for e in sheet.entries:
        if e.unit != unit or e.na or e.node == TOTAL:
            continue
        s = c.pos[e.node]
        node = result.nodes.get(e.node) or result.components.get(e.node)
        if node is None or node.points is None or node.max_points is None:
            continue
        rule = c.rules[s] if s < c.n_nodes else None
        outcomes, _ = _outcomes(rule, node.max_points)
        best = node.max_points if outcomes is None else max(outcomes)
        if best - node.points > 1e-9:
            options.append((-(best - node.points), s, e.node, node.points, node.max_points, rule))
    options.sort()
    steps: list[PlanStep] = []
    got = 0.0
    idx0 = result.total.index or 0.0

    def done(total: float) -> bool:
        return total > needed + 1e-9 or (total >= needed - 1e-9 and not strict)

    while options and not done(got):
        remaining = needed - got
        moves = [(_move(o, remaining, strict), o) for o in options]
        closing = [(to - o[3], to, o) for to, o in moves if done(got + to - o[3])]
        if closing:  # the one step that closes the gap with the least overshoot
            _, to, chosen = min(closing, key=lambda t: (t[0], t[2][1]))
        else:  # the largest gain still possible (options are sorted that way)
            to, chosen = moves[0]
        options.remove(chosen)
        _, _, node_id, pts, mx, rule = chosen
        gain = snap(to - pts)
        got = snap(got + gain)
        steps.append(
            PlanStep(
                node=node_id,
                points_from=pts,
                points_to=to,
                gain=gain,
                how=_how(rule, to, mx),
                index_after=snap(idx0 + got / max_total * 100.0) if max_total else math.nan,
            )
        )
    reached = got > needed + 1e-9 or (got >= needed - 1e-9 and not strict)
    return steps, reached
