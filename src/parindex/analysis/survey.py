"""Survey component: from raw questionnaire answers to survey points per leaf.

Part of every unit's points comes from surveys (điều tra xã hội học): leaders and
managers, civil servants, citizens, enterprises and deputies answer questionnaires.
The official rules that turn answers into points are **not public**; the conversion
is a named policy (:mod:`parindex.rules.conversion`).

Data flow: a :class:`~parindex.model.questionnaire.Questionnaire` (items linked to
leaves of a methodology, answer scales, respondent groups with weights) + tidy
responses (one row per respondent and item: ``unit, respondent, group, item,
answer``) -> :func:`aggregate_survey` -> :class:`SurveyResult` (points per unit and
leaf, sample sizes, bootstrap intervals) -> :meth:`SurveyResult.to_sheet` -> a
:class:`~parindex.ScoreSheet` that :func:`parindex.score` accepts unchanged.

Everything is vectorised: responses are reduced to counts per unit, respondent group and
leaf with :func:`numpy.bincount`; no Python loop runs over rows.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from parindex._numbers import fraction_to_percent, snap_array
from parindex.analysis.responses import PreparedResponses, prepare_responses
from parindex.errors import InputFormatError
from parindex.limits import MAX_DRAW_CELLS, MAX_SURVEY_ROWS, check_limit
from parindex.model.methodology import Methodology
from parindex.model.questionnaire import DontKnowPolicy, Questionnaire, check_dont_know
from parindex.model.sheet import ScoreEntry, ScoreSheet
from parindex.rules import PercentTiers, Proportional
from parindex.rules.conversion import (
    ConversionPolicy,
    PolicyFunction,
    SurveyStats,
    as_policy,
    get_policy,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SurveyResult", "aggregate_survey"]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]


def _bin(key: IntArray, weights: FloatArray | None, size: int) -> FloatArray:
    return np.bincount(key, weights=weights, minlength=size).astype(np.float64)


@attrs.frozen(eq=False)
class SurveyResult:
    """Survey points per unit and target (leaf or score component).

    Attributes:
        table: one row per unit and target that has responses: ``unit, node,
            points, max_points``, ``score_pct`` (the policy's score in percent),
            ``policy``, ``respondents`` (with a row for the target), ``answers`` (on
            the scale), ``dont_know``, ``blank`` and ``counted`` (answers in the
            denominator: ``answers`` when "don't know" is excluded, all rows when it
            counts as lowest). ``points`` is NaN when nothing could be counted.
        sample_sizes: one row per unit, target and respondent group: ``unit, node,
            group, respondents, answers, dont_know, blank``.

    Example:
        >>> import parindex
        >>> r = parindex.aggregate_survey(
        ...     parindex.load_responses("examples/survey-illustrative-district.csv"),
        ...     parindex.io.survey.get_questionnaire("illustrative-district"),
        ... )
        >>> r.table[["unit", "node", "points"]].head(2).round(4).to_dict("records")
        [{'unit': 'Huyện A', 'node': '1.4.2', 'points': 1.5733}, {'unit': 'Huyện A', 'node': '2.3', 'points': 2.1429}]
    """

    questionnaire: Questionnaire
    methodology: Methodology
    dont_know: DontKnowPolicy
    policies: Mapping[str, ConversionPolicy]
    table: pd.DataFrame
    sample_sizes: pd.DataFrame
    _prep: PreparedResponses = attrs.field(repr=False)
    _maxima: FloatArray = attrs.field(repr=False)

    def to_sheet(self) -> ScoreSheet:
        """Survey points as a score sheet (``unit, node, points``) that
        :func:`parindex.score` accepts; targets without a countable answer are left out.

        Example:
            >>> import parindex
            >>> r = parindex.aggregate_survey(
            ...     parindex.load_responses("examples/survey-illustrative-district.csv"),
            ...     parindex.io.survey.get_questionnaire("illustrative-district"),
            ... )
            >>> scores = parindex.score("illustrative-district", r.to_sheet(), missing="zero")
            >>> round(scores.unit("Huyện A").nodes["3.3"].points, 4)
            6.0741
        """
        t = self.table
        keep = t["points"].notna().to_numpy()
        return ScoreSheet(
            tuple(
                ScoreEntry(u, n, points=float(p))
                for u, n, p in zip(
                    t["unit"].to_numpy()[keep],
                    t["node"].to_numpy()[keep],
                    t["points"].to_numpy()[keep],
                    strict=True,
                )
            )
        )

    def bootstrap(
        self, replicates: int = 1000, *, seed: int = 0, confidence: float = 0.95
    ) -> pd.DataFrame:
        """Bootstrap the points: respondents are resampled with replacement within
        each unit (a seeded :class:`numpy.random.Generator`), and the policy is applied
        to every replicate.

        Returns one row per row of :attr:`table`: ``unit, node, points`` (the estimate
        from the full sample), ``se`` (standard deviation of the replicates),
        ``lower, upper`` (percentile interval at ``confidence``) and ``replicates``.

        Example:
            >>> import parindex
            >>> r = parindex.aggregate_survey(
            ...     parindex.load_responses("examples/survey-illustrative-district.csv"),
            ...     parindex.io.survey.get_questionnaire("illustrative-district"),
            ... )
            >>> ci = r.bootstrap(200, seed=1)
            >>> bool(((ci.lower <= ci.points) & (ci.points <= ci.upper)).all())
            True
        """
        if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 2:
            raise InputFormatError(f"replicates must be a whole number >= 2, got {replicates!r}")
        if not 0 < confidence < 1:
            raise InputFormatError(
                f"confidence must lie strictly between 0 and 1, got {confidence!r}"
            )
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise InputFormatError(f"seed must be a whole number >= 0, got {seed!r}")
        p = self._prep
        # Replicates x units is the work, as draws x units is for a simulation.
        check_limit(
            "replicates x units", replicates * len(p.units), "MAX_DRAW_CELLS", MAX_DRAW_CELLS
        )
        rng = np.random.default_rng(seed)
        n_t, n_g = len(p.targets), len(p.groups)
        out_se, out_lo, out_hi = [], [], []
        alpha = (1 - confidence) / 2
        order = np.argsort(p.resp, kind="stable")
        row_start = np.searchsorted(p.resp[order], p.resp_start)
        present = {(u, n) for u, n in zip(self.table["unit"], self.table["node"], strict=True)}
        tpos = {t: k for k, t in enumerate(p.targets)}
        for u, unit in enumerate(p.units):
            r0, r1 = int(p.resp_start[u]), int(p.resp_start[u + 1])
            rows = order[row_start[u] : row_start[u + 1]]
            n_r = r1 - r0
            local = p.resp[rows] - r0
            key = local * n_t + p.target[rows]
            size = n_r * n_t
            stats = [
                _bin(key, p.counted[rows].astype(np.float64), size).reshape(n_r, n_t),
                _bin(key, p.x[rows], size).reshape(n_r, n_t),
                _bin(key, p.pos[rows], size).reshape(n_r, n_t),
            ]
            onehot = np.zeros((n_r, n_g))
            onehot[np.arange(n_r), p.resp_group[r0:r1]] = 1.0
            draws = []
            chunk = max(1, min(replicates, 4_000_000 // max(n_r, 1)))
            done = 0
            while done < replicates:
                b = min(chunk, replicates - done)
                idx = rng.integers(0, n_r, size=(b, n_r))
                flat = (idx + np.arange(b)[:, np.newaxis] * n_r).ravel()
                w = np.bincount(flat, minlength=b * n_r).reshape(b, n_r).astype(np.float64)
                per_group = [
                    np.stack([w @ (s * onehot[:, g : g + 1]) for g in range(n_g)], axis=1)
                    for s in stats
                ]
                draws.append(self._points(per_group[0], per_group[1], per_group[2]))
                done += b
            reps = np.concatenate(draws, axis=0)  # (replicates, targets)
            with np.errstate(invalid="ignore"), _quiet():
                se = np.nanstd(reps, axis=0, ddof=1)
                lo = np.nanquantile(reps, alpha, axis=0)
                hi = np.nanquantile(reps, 1 - alpha, axis=0)
            for t in p.targets:
                if (unit, t) in present:
                    k = tpos[t]
                    out_se.append(se[k])
                    out_lo.append(lo[k])
                    out_hi.append(hi[k])
        frame = self.table[["unit", "node", "points"]].copy()
        frame["se"] = snap_array(np.array(out_se, dtype=np.float64))
        frame["lower"] = snap_array(np.array(out_lo, dtype=np.float64))
        frame["upper"] = snap_array(np.array(out_hi, dtype=np.float64))
        frame["replicates"] = replicates
        return frame

    def standard_errors(self, replicates: int = 1000, *, seed: int = 0) -> pd.DataFrame:
        """Monte Carlo-ready inputs: one row per unit and leaf with ``unit, node,
        points, se`` (the estimate and its bootstrap standard error), for drawing
        survey points as ``normal(points, se)`` clipped to [0, max] in a Monte Carlo
        analysis. Rows without a countable answer are left out.

        Example:
            >>> import parindex
            >>> r = parindex.aggregate_survey(
            ...     parindex.load_responses("examples/survey-illustrative-district.csv"),
            ...     parindex.io.survey.get_questionnaire("illustrative-district"),
            ... )
            >>> list(r.standard_errors(100).columns)
            ['unit', 'node', 'points', 'se']
        """
        frame = self.bootstrap(replicates, seed=seed)
        frame = frame[frame["points"].notna()]
        return frame[["unit", "node", "points", "se"]].reset_index(drop=True)

    def _points(self, n: FloatArray, total: FloatArray, positive: FloatArray) -> FloatArray:
        score = _scores(self._prep, self.questionnaire, self.policies, n, total, positive)
        return _to_points(self._prep.targets, self.methodology, self._maxima, score)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence numpy's warnings about all-NaN slices (a target nobody answered)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _scores(
    p: PreparedResponses,
    q: Questionnaire,
    policies: Mapping[str, ConversionPolicy],
    n: FloatArray,
    total: FloatArray,
    positive: FloatArray,
) -> FloatArray:
    """Policy scores in [0, 1] for arrays shaped (..., groups, targets)."""
    weights = np.array([g.weight for g in q.groups], dtype=np.float64)
    score = np.full(n.shape[:-2] + n.shape[-1:], np.nan)
    by_policy: dict[int, list[int]] = {}
    for k, t in enumerate(p.targets):
        by_policy.setdefault(id(policies[t]), []).append(k)
    for ks in by_policy.values():
        idx = np.array(ks, dtype=np.intp)
        stats = SurveyStats(
            n=n[..., idx],
            total=total[..., idx],
            positive=positive[..., idx],
            weights=weights,
            groups=p.groups,
            targets=tuple(p.targets[k] for k in ks),
        )
        score[..., idx] = policies[p.targets[ks[0]]](stats)
    return score


def _to_points(
    targets: tuple[str, ...], m: Methodology, maxima: FloatArray, score: FloatArray
) -> FloatArray:
    """Scores -> points: score x maximum, or the leaf's rate rule on the score in %."""
    points = score * maxima
    for k, t in enumerate(targets):
        rule = m.node(t).rule if m.has_node(t) else None
        if isinstance(rule, PercentTiers | Proportional):
            points[..., k] = rule.points(fraction_to_percent(score[..., k]), float(maxima[k]))
    return snap_array(np.where(np.isnan(score), np.nan, points))


def aggregate_survey(
    responses: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    methodology: Methodology,
    policy: str | ConversionPolicy | PolicyFunction | None = None,
    dont_know: DontKnowPolicy | None = None,
    max_rows: int = MAX_SURVEY_ROWS,
) -> SurveyResult:
    """Aggregate tidy survey responses into survey points per unit and target.

    Every answer is checked against its item's scale; "don't know" codes and blanks are
    handled by ``dont_know`` (``"exclude"``: left out of the denominator, the default;
    ``"lowest"``: counted as the lowest answer). The conversion ``policy`` turns the
    answers of each unit and target into a score in [0, 1]; points are the score times
    the target's maximum, or, where the leaf's rule reads a rate (a proportional or
    tiers rule), the rule applied to the score in percent.

    Args:
        responses: one row per respondent and item, columns
            :data:`~parindex.io.survey.RESPONSE_COLUMNS`
            (not modified).
        questionnaire: items, scales, groups and default policies.
        methodology: the methodology the questionnaire is for (the facade's
            :func:`parindex.aggregate_survey` also takes its id, and by default the
            questionnaire's).
        policy: override the questionnaire's policies for every target: a registered
            name, a :class:`~parindex.rules.conversion.ConversionPolicy` or a callable
            taking :class:`~parindex.rules.conversion.SurveyStats`.
        dont_know: override the questionnaire's "don't know" policy.
        max_rows: the most rows taken (:data:`~parindex.limits.MAX_SURVEY_ROWS`);
            more is a :class:`~parindex.errors.LimitExceededError`, told before any
            per-row array is built.

    Raises:
        SurveyResponseError: an answer outside its scale, an unknown item or group, a
            respondent answering an item twice or given two groups (the message names
            the unit, respondent, item and value).
        QuestionnaireError: the questionnaire does not fit the methodology.

    Example:
        >>> import pandas as pd, parindex
        >>> q = parindex.model.questionnaire.Questionnaire(
        ...     id="demo", methodology="illustrative-district",
        ...     groups=[parindex.model.questionnaire.RespondentGroup("citizens")],
        ...     items=[parindex.model.questionnaire.SurveyItem("Q1", "7.4", "likert5")],
        ... )
        >>> responses = pd.DataFrame({
        ...     "unit": ["A", "A", "A"], "respondent": ["r1", "r2", "r3"],
        ...     "item": ["Q1", "Q1", "Q1"], "answer": ["5", "3", "DK"],
        ... })
        >>> m = parindex.get_methodology("illustrative-district")
        >>> r = parindex.analysis.survey.aggregate_survey(responses, q, methodology=m)
        >>> r.table[["unit", "node", "points", "answers", "dont_know"]].to_dict("records")
        [{'unit': 'A', 'node': '7.4', 'points': 3.0, 'answers': 2, 'dont_know': 1}]
    """
    import pandas as pd

    q, m = questionnaire, methodology
    q.check(m)
    dk: DontKnowPolicy = q.dont_know if dont_know is None else dont_know
    check_dont_know(dk)
    override = None if policy is None else as_policy(policy)
    policies = {
        t: override if override is not None else get_policy(q.policy_for(t)) for t in q.targets
    }
    p = prepare_responses(responses, q, dk, max_rows=max_rows)
    n_u, n_g, n_t = len(p.units), len(p.groups), len(p.targets)
    maxima = np.array([q.max_points_of(m, t) for t in p.targets], dtype=np.float64)

    size = n_u * n_g * n_t
    key = (p.unit * n_g + p.group) * n_t + p.target
    n = _bin(key, p.counted.astype(np.float64), size).reshape(n_u, n_g, n_t)
    total = _bin(key, p.x, size).reshape(n_u, n_g, n_t)
    positive = _bin(key, p.pos, size).reshape(n_u, n_g, n_t)
    rows = _bin(key, None, size).reshape(n_u, n_g, n_t)
    dks = _bin(key, (p.status == 1).astype(np.float64), size).reshape(n_u, n_g, n_t)
    blanks = _bin(key, (p.status == 2).astype(np.float64), size).reshape(n_u, n_g, n_t)
    # respondents per unit, group and target: distinct (respondent, target) pairs
    pair = p.resp.astype(np.int64) * n_t + p.target
    _, first = np.unique(pair, return_index=True)
    resp_count = _bin(key[first], None, size).reshape(n_u, n_g, n_t)

    score = _scores(p, q, policies, n, total, positive)
    points = _to_points(p.targets, m, maxima, score)

    has = rows.sum(axis=1) > 0  # (units, targets)
    uu, tt = np.nonzero(has)
    table = pd.DataFrame(
        {
            "unit": np.array(p.units, dtype=object)[uu],
            "node": np.array(p.targets, dtype=object)[tt],
            "points": points[uu, tt],
            "max_points": maxima[tt],
            "score_pct": snap_array(fraction_to_percent(score[uu, tt])),
            "policy": np.array([policies[t].name for t in p.targets], dtype=object)[tt],
            "respondents": resp_count.sum(axis=1)[uu, tt].astype(np.int64),
            "answers": (rows - dks - blanks).sum(axis=1)[uu, tt].astype(np.int64),
            "dont_know": dks.sum(axis=1)[uu, tt].astype(np.int64),
            "blank": blanks.sum(axis=1)[uu, tt].astype(np.int64),
            "counted": n.sum(axis=1)[uu, tt].astype(np.int64),
        }
    )
    uu, tt, gg = np.nonzero(rows.transpose(0, 2, 1) > 0)  # ordered by unit, target, group
    sizes = pd.DataFrame(
        {
            "unit": np.array(p.units, dtype=object)[uu],
            "node": np.array(p.targets, dtype=object)[tt],
            "group": np.array(p.groups, dtype=object)[gg],
            "respondents": resp_count[uu, gg, tt].astype(np.int64),
            "answers": (rows - dks - blanks)[uu, gg, tt].astype(np.int64),
            "dont_know": dks[uu, gg, tt].astype(np.int64),
            "blank": blanks[uu, gg, tt].astype(np.int64),
        }
    )
    return SurveyResult(
        questionnaire=q,
        methodology=m,
        dont_know=dk,
        policies=policies,
        table=table,
        sample_sizes=sizes,
        prep=p,
        maxima=maxima,
    )
