"""Survey responses checked against a questionnaire and turned into arrays.

Tidy responses (one row per respondent and item: ``unit, respondent, group, item,
answer``) are validated once, vectorised: an unknown item or group, an item not asked
of the respondent's group, a respondent answering an item twice or given two groups,
an answer outside its scale, or a unit or respondent spelled two ways is refused with
an error naming the row, unit, respondent and item. What survives becomes integer and
float arrays (:class:`PreparedResponses`) that aggregation reduces with
:func:`numpy.bincount`; no Python loop runs over rows.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from parindex._text import spelling_clash
from parindex.errors import InputFormatError, SurveyResponseError
from parindex.io.survey import RESPONSE_COLUMNS
from parindex.limits import MAX_SURVEY_ROWS, MAX_UNITS, check_limit
from parindex.model.questionnaire import DontKnowPolicy, Questionnaire

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PreparedResponses", "prepare_responses"]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]


@attrs.frozen(eq=False)
class PreparedResponses:
    """Validated responses (câu trả lời) as arrays, sorted by unit and respondent:
    per row, the indices of its unit, respondent, group, target and item, the rescaled
    answer, whether it is positive and counted, and its status; per respondent, the
    unit and group.

    Example:
        >>> import parindex
        >>> from parindex.analysis.responses import prepare_responses
        >>> from parindex.io.survey import get_questionnaire
        >>> p = prepare_responses(
        ...     parindex.load_responses("examples/survey-illustrative-district.csv"),
        ...     get_questionnaire("illustrative-district"), "exclude")
        >>> p.units, p.targets
        (('Huyện A', 'Huyện B', 'Thị xã C'), ('1.4.2', '2.3', '3.3', '4.3', '7.4'))
    """

    units: tuple[str, ...]
    groups: tuple[str, ...]
    targets: tuple[str, ...]
    items: tuple[str, ...]
    unit: IntArray  # per row
    resp: IntArray  # per row: respondent index, global, sorted within unit
    group: IntArray  # per row
    target: IntArray  # per row
    item: IntArray  # per row
    x: FloatArray  # per row: rescaled answer (0 where not counted)
    pos: FloatArray  # per row: 1.0 for a counted positive answer
    counted: npt.NDArray[np.bool_]
    status: npt.NDArray[np.int8]  # 0 answer, 1 don't know, 2 blank
    resp_unit: IntArray  # per respondent
    resp_group: IntArray  # per respondent
    resp_start: IntArray  # per unit: first respondent index; len units + 1


def _clean_keys(col: pd.Series) -> npt.NDArray[np.object_]:
    """Keys as NFC text with single spaces; cleaned once per distinct value."""
    import pandas as pd

    codes, uniques = pd.factorize(col.to_numpy(dtype=object), use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype(str)
    text = text.str.normalize("NFC").str.replace(r"\s+", " ", regex=True).str.strip()
    cleaned = np.append(text.to_numpy(dtype=object), "")  # code -1 (missing) -> ""
    return cleaned[codes]


@attrs.frozen(eq=False)
class _Keys:
    """The cleaned key columns of the responses, for error messages."""

    units: npt.NDArray[np.object_]
    resp: npt.NDArray[np.object_]
    items: npt.NDArray[np.object_]
    groups: npt.NDArray[np.object_]

    def error(self, r: int, text: str, value: object = None) -> SurveyResponseError:
        """An error for row ``r`` naming its unit, respondent and item."""
        unit, resp, item, group = (
            str(a[r]) or None for a in (self.units, self.resp, self.items, self.groups)
        )
        return SurveyResponseError(
            f"row {r + 1} (unit {unit!r}, respondent {resp!r}, item {item!r}): {text}",
            unit=unit,
            respondent=resp,
            item=item,
            group=group,
            value=value,
        )


def _lookup(
    values: npt.NDArray[np.object_], ids: list[str], what: str, qid: str, keys: _Keys
) -> IntArray:
    """Positions of ``values`` in ``ids``; an unknown value is an error naming the row."""
    import pandas as pd

    idx = pd.Index(ids).get_indexer(pd.Index(values)).astype(np.intp)
    bad = np.flatnonzero(idx < 0)
    if bad.size:
        r = int(bad[0])
        known = ", ".join(ids[:10]) + (", ..." if len(ids) > 10 else "")
        raise keys.error(
            r, f"unknown {what} {values[r]!r} (questionnaire {qid} has {known})", values[r]
        )
    return idx


def prepare_responses(
    responses: pd.DataFrame,
    q: Questionnaire,
    dont_know: DontKnowPolicy,
    *,
    max_rows: int = MAX_SURVEY_ROWS,
) -> PreparedResponses:
    """Check tidy responses against the questionnaire and turn them into arrays;
    ``dont_know`` says whether "don't know" answers and blanks are counted (as the
    lowest answer) or left out.

    Raises:
        InputFormatError: not a data frame, a missing column, no rows.
        LimitExceededError: more than ``max_rows`` rows
            (:data:`~parindex.limits.MAX_SURVEY_ROWS`) or more than
            :data:`~parindex.limits.MAX_UNITS` units.
        SurveyResponseError: a bad row (the message names the row, unit, respondent,
            item and value).

    Example:
        >>> import pandas as pd
        >>> from parindex.analysis.responses import prepare_responses
        >>> from parindex.io.survey import get_questionnaire
        >>> rows = pd.DataFrame({"unit": ["A", "A"], "respondent": ["r1", "r1"],
        ...     "group": ["citizens"] * 2, "item": ["Q7a", "Q1"], "answer": ["1", "DK"]})
        >>> p = prepare_responses(rows, get_questionnaire("illustrative-district"), "exclude")
        >>> p.x.tolist(), p.counted.tolist(), p.status.tolist()
        ([1.0, 0.0], [True, False], [0, 1])
    """
    import pandas as pd

    if not isinstance(responses, pd.DataFrame):
        raise InputFormatError(
            f"responses must be a pandas DataFrame, got {type(responses).__name__}"
        )
    cols = [str(c) for c in responses.columns]
    needed = [c for c in RESPONSE_COLUMNS if not (c == "group" and len(q.groups) == 1)]
    missing = [c for c in needed if c not in cols]
    if missing:
        raise InputFormatError(
            f"responses: missing column {missing[0]!r} (needed: {', '.join(needed)})"
        )
    if len(responses) == 0:
        raise InputFormatError("responses: no rows")
    # Before any per-row array is built (a frame may come straight from Python).
    check_limit("rows", len(responses), "MAX_SURVEY_ROWS", max_rows, override="max_rows=")
    units = _clean_keys(responses["unit"])
    resp = _clean_keys(responses["respondent"])
    items = _clean_keys(responses["item"])
    if "group" in cols:
        groups = _clean_keys(responses["group"])
    else:
        groups = np.full(len(responses), q.groups[0].id, dtype=object)
    keys = _Keys(units, resp, items, groups)
    for name, arr in (("unit", units), ("respondent", resp), ("item", items), ("group", groups)):
        blank = np.flatnonzero(arr == "")
        if blank.size:
            r = int(blank[0])
            raise keys.error(r, f"{name} is blank")

    item_ids = [i.id for i in q.items]
    group_ids = [g.id for g in q.groups]
    item_idx = _lookup(items, item_ids, "item", q.id, keys)
    group_idx = _lookup(groups, group_ids, "respondent group", q.id, keys)
    asked = np.ones((len(item_ids), len(group_ids)), dtype=bool)
    for k, item in enumerate(q.items):
        if item.groups:
            asked[k] = [g in item.groups for g in group_ids]
    bad = np.flatnonzero(~asked[item_idx, group_idx])
    if bad.size:
        r = int(bad[0])
        raise keys.error(
            r, f"item {items[r]!r} is not asked of respondent group {groups[r]!r}", groups[r]
        )

    # Units sorted by name; respondents sorted by id within their unit, so that results
    # (and bootstrap draws) do not depend on the order of the rows.
    unit_codes, unit_names = pd.factorize(units, sort=True)
    check_limit("units", len(unit_names), "MAX_UNITS", MAX_UNITS, where="responses")
    _check_unit_names(units, keys)
    resp_str_codes, resp_names = pd.factorize(resp, sort=True)
    pair_key = unit_codes.astype(np.int64) * len(resp_names) + resp_str_codes
    resp_keys, resp_codes = np.unique(pair_key, return_inverse=True)
    resp_codes = resp_codes.astype(np.intp).ravel()
    n_resp = len(resp_keys)
    resp_unit = (resp_keys // len(resp_names)).astype(np.intp)
    _check_respondent_ids(units, resp, (unit_names, resp_names, resp_keys), keys)
    # one group per respondent
    gmin = np.full(n_resp, np.iinfo(np.intp).max, dtype=np.intp)
    gmax = np.full(n_resp, -1, dtype=np.intp)
    np.minimum.at(gmin, resp_codes, group_idx)
    np.maximum.at(gmax, resp_codes, group_idx)
    bad = np.flatnonzero((gmin != gmax)[resp_codes])
    if bad.size:
        r = int(bad[0])
        k = resp_codes[r]
        raise keys.error(
            r,
            f"respondent {resp[r]!r} of unit {units[r]!r} is given two groups "
            f"({group_ids[gmin[k]]!r} and {group_ids[gmax[k]]!r})",
            groups[r],
        )
    # one answer per respondent and item
    pair = resp_codes.astype(np.int64) * len(item_ids) + item_idx
    dup = pd.Series(pair).duplicated(keep="first").to_numpy()
    if dup.any():
        r = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero(pair == pair[r])[0])
        raise keys.error(
            r,
            f"respondent {resp[r]!r} of unit {units[r]!r} answers item {items[r]!r} twice "
            f"(rows {first + 1} and {r + 1})",
            items[r],
        )

    x, pos, status = _read_answers(responses["answer"], q, item_idx, keys)
    counted = np.ones(len(x), dtype=bool) if dont_know == "lowest" else status == 0
    x = np.where(counted & (status == 0), x, 0.0)
    pos = np.where(counted & (status == 0), pos, 0.0)

    targets = q.targets
    item_target = np.array([targets.index(i.target) for i in q.items], dtype=np.intp)
    resp_start = np.searchsorted(resp_unit, np.arange(len(unit_names) + 1)).astype(np.intp)
    resp_group = np.zeros(n_resp, dtype=np.intp)
    resp_group[resp_codes] = group_idx
    return PreparedResponses(
        units=tuple(str(u) for u in unit_names),
        groups=tuple(group_ids),
        targets=targets,
        items=tuple(item_ids),
        unit=unit_codes.astype(np.intp),
        resp=resp_codes,
        group=group_idx,
        target=item_target[item_idx],
        item=item_idx,
        x=x,
        pos=pos,
        counted=counted,
        status=status,
        resp_unit=resp_unit,
        resp_group=resp_group,
        resp_start=resp_start,
    )


def _refuse_invisible(
    what: str, names: list[str], values: npt.NDArray[np.object_], keys: _Keys
) -> None:
    """Refuse a name holding an invisible character (control, format such as U+200B,
    or a lone surrogate): it would look like, and not be, another name."""
    if "".join(names).isprintable():  # one check in C: every invisible one is unprintable
        return
    for name in names:
        hidden = [ch for ch in name if unicodedata.category(ch) in ("Cc", "Cf", "Cs")]
        if hidden:
            r = int(np.flatnonzero(values == name)[0])
            raise keys.error(
                r,
                f"{what} {name!r} contains the invisible character U+{ord(hidden[0]):04X}; "
                "delete it",
                name,
            )


def _check_respondent_ids(
    units: npt.NDArray[np.object_],
    resp: npt.NDArray[np.object_],
    factorized: tuple[npt.NDArray[np.object_], npt.NDArray[np.object_], npt.NDArray[np.int64]],
    keys: _Keys,
) -> None:
    """One respondent, one id: ids are NFC with single spaces (as unit names are); an
    id with an invisible character, or two ids of one unit that differ only in letter
    case or tone-mark placement, are refused rather than merged or kept apart: merging
    could join two real respondents, keeping them apart could hide one respondent
    answering an item twice. ``factorized``: the sorted unit names, respondent ids and
    the distinct (unit, respondent) keys of :func:`prepare_responses`."""
    unit_names, resp_names, resp_keys = factorized
    ids = [str(r) for r in resp_names]
    _refuse_invisible("respondent", ids, resp, keys)
    if spelling_clash(ids) is None:  # the usual case: no two ids alike anywhere
        return
    # Ids may repeat across units (every unit has its "R1"): compare within a unit.
    pair_unit, pair_resp = np.divmod(resp_keys, len(resp_names))
    bounds = np.searchsorted(pair_unit, np.arange(len(unit_names) + 1))
    for u, unit in enumerate(unit_names):
        clash = spelling_clash([ids[k] for k in pair_resp[bounds[u] : bounds[u + 1]]])
        if clash is not None:
            # Named in file order; the row reported is the later one's first, as for units.
            first = {x: int(np.flatnonzero((units == unit) & (resp == x))[0]) for x in clash}
            a, b = sorted(clash, key=first.__getitem__)
            raise keys.error(
                first[b],
                f"respondents {a!r} and {b!r} of unit {unit!r} differ only in letter case "
                "or tone-mark placement; if they are one respondent, spell the id one way, "
                "else give them ids that differ otherwise",
                (a, b),
            )


def _check_unit_names(units: npt.NDArray[np.object_], keys: _Keys) -> None:
    """One unit, one spelling, as in score sheets: an invisible character, another
    letter case or tone-mark placement would split a unit's respondents in two."""
    import pandas as pd

    names = [str(u) for u in pd.unique(units)]  # in order of first appearance
    _refuse_invisible("unit", names, units, keys)
    clash = spelling_clash(names)
    if clash is not None:
        a, b = clash
        r = int(np.flatnonzero(units == b)[0])
        raise keys.error(
            r,
            f"units {a!r} and {b!r} are one name spelled two ways (letter case or tone-mark "
            "placement); spell each unit one way",
            (a, b),
        )


def _read_answers(
    col: pd.Series,
    q: Questionnaire,
    item_idx: IntArray,
    keys: _Keys,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int8]]:
    """Rescaled answers, positive flags and status (0 answer, 1 don't know, 2 blank)."""
    import pandas as pd

    if col.dtype == bool:
        raise SurveyResponseError("responses: answers must be codes, not True/False")
    text = col.where(col.notna(), "").astype(str).str.strip()
    raw = text.to_numpy(dtype=object)
    blank = (text == "").to_numpy()
    folded = text.str.casefold()
    number = pd.to_numeric(text.where(~blank, "nan"), errors="coerce").to_numpy(dtype=np.float64)
    scale_ids = sorted({i.scale for i in q.items})
    scale_of_item = np.array([scale_ids.index(i.scale) for i in q.items], dtype=np.intp)
    row_scale = scale_of_item[item_idx]
    x = np.zeros(len(text), dtype=np.float64)
    pos = np.zeros(len(text), dtype=np.float64)
    status = np.where(blank, 2, 0).astype(np.int8)
    for k, sid in enumerate(scale_ids):
        scale = q.scale_by_id(sid)
        rows = np.flatnonzero(row_scale == k)
        if rows.size == 0:
            continue
        dk_text = folded.iloc[rows].isin(scale.dont_know).to_numpy()
        dk_numbers = [float(c) for c in scale.dont_know if _is_float(c)]
        dk = dk_text | np.isin(number[rows], dk_numbers)
        dk &= ~blank[rows]
        v = number[rows]
        ok = (v == np.round(v)) & (v >= scale.low) & (v <= scale.high)
        bad = ~blank[rows] & ~dk & ~ok
        if bad.any():
            r = int(rows[np.flatnonzero(bad)[0]])
            codes = f"{scale.low}-{scale.high}"
            if scale.dont_know:
                codes += f", or don't know: {', '.join(scale.dont_know)}"
            raise keys.error(
                r, f"answer {raw[r]!r} is outside the scale {scale.id!r} ({codes})", raw[r]
            )
        status[rows[dk]] = 1
        good = rows[ok & ~dk]
        x[good] = scale.rescale(number[good])
        pos[good] = (number[good] >= scale.positive_from).astype(np.float64)
    return x, pos, status


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
