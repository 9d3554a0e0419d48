"""Survey component: from raw questionnaire answers to survey points per leaf.

Part of every unit's points comes from surveys (điều tra xã hội học): leaders and
managers, civil servants, citizens, enterprises and deputies answer questionnaires, and
citizens' satisfaction with public services is measured as SIPAS (Chỉ số hài lòng).
The official rules that turn answers into points are **not public**. This module
therefore ships the conversion as named, documented policies (``linear_mean``,
``share_positive``, ``group_weighted_mean``), says which one an official year is
believed to use and on what evidence, and lets a user register their own.

Data flow: a :class:`Questionnaire` (items linked to leaves of a methodology, answer
scales, respondent groups with weights) + tidy responses (one row per respondent and
item: ``unit, respondent, group, item, answer``) -> :func:`aggregate_survey` ->
:class:`SurveyResult` (points per unit and leaf, sample sizes, bootstrap intervals) ->
:meth:`SurveyResult.to_sheet` -> a :class:`~parindex.ScoreSheet` that
:func:`parindex.score` accepts unchanged.

Everything is vectorised: responses are reduced to counts per unit, respondent group and
leaf with :func:`numpy.bincount`; no Python loop runs over rows.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from parindex._io import _expect, read_text_file, safe_parse
from parindex._io import _keys as _only
from parindex._model import Methodology
from parindex._numbers import fraction_to_percent, snap_array
from parindex._sheet import ScoreEntry, ScoreSheet, spelling_clash
from parindex.errors import (
    InputFormatError,
    MethodologyError,
    QuestionnaireError,
    SurveyResponseError,
)
from parindex.rules import DirectPoints, PercentTiers, Proportional

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BUILTIN_SCALES",
    "LIKERT_4",
    "LIKERT_5",
    "RESPONSE_COLUMNS",
    "YES_NO",
    "AnswerScale",
    "ConversionPolicy",
    "DontKnowPolicy",
    "Questionnaire",
    "RespondentGroup",
    "SurveyItem",
    "SurveyResult",
    "SurveyStats",
    "aggregate_survey",
    "get_policy",
    "get_questionnaire",
    "list_policies",
    "list_questionnaires",
    "load_questionnaire",
    "questionnaire_from_dict",
    "read_responses",
    "register_policy",
    "sipas_index",
    "sipas_percent",
    "sipas_points",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]

DontKnowPolicy: TypeAlias = Literal["exclude", "lowest"]
"""How "don't know" answers and blanks are read: ``exclude`` (default) drops them from
the denominator; ``lowest`` counts them as the lowest answer of the scale."""

QUESTIONNAIRE_FORMAT = "parindex-questionnaire/1"
RESPONSE_COLUMNS = ("unit", "respondent", "group", "item", "answer")
"""Columns of tidy survey responses (``group`` may be left out when the questionnaire
has a single respondent group; other columns are ignored)."""
MAX_RESPONSE_BYTES = 256 * 1024 * 1024
"""Response files larger than this are refused (a national survey is a few million rows)."""

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _strs(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _check_key(_inst: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _KEY.match(value):
        raise QuestionnaireError(
            f"{attribute.name} {value!r} is not a well-formed id (letters, digits, '_', '.', '-')"
        )


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _real_or_as_is(value: object) -> object:
    # float(True) is 1.0 and float("0.4") is 0.4: convert real numbers only, and leave
    # anything else for the validator to refuse with the group's id.
    return float(value) if _is_real(value) else value  # type: ignore[arg-type]


# --------------------------------------------------------------------------- model


@attrs.frozen
class RespondentGroup:
    """A group of respondents (đối tượng điều tra): leaders and managers (lãnh đạo,
    quản lý), civil servants (công chức), citizens (người dân), enterprises (doanh
    nghiệp), deputies (đại biểu HĐND), ... The set of ids is open. ``weight`` is the
    group's weight in the ``group_weighted_mean`` policy.

    Example:
        >>> from parindex import RespondentGroup
        >>> RespondentGroup("citizens", "Người dân", "Citizens", weight=0.4).weight
        0.4
    """

    id: str = attrs.field(validator=_check_key)
    name_vi: str = ""
    name_en: str = ""
    weight: float = attrs.field(default=1.0, converter=_real_or_as_is)

    @weight.validator
    def _check_weight(self, _attr: object, value: float) -> None:
        if not _is_real(value):
            raise QuestionnaireError(
                f"respondent group {self.id!r}: weight must be a number, got {value!r} "
                f"({type(value).__name__})"
            )
        if not (math.isfinite(value) and value >= 0):
            raise QuestionnaireError(
                f"respondent group {self.id!r}: weight must be a finite number >= 0, got {value!r}"
            )


def _check_dont_know(value: object, where: str = "") -> None:
    # One line listing the accepted values (attrs' in_ validator raises a tuple that
    # prints as a repr of the attribute).
    if value not in ("exclude", "lowest"):
        raise QuestionnaireError(f"{where}dont_know must be 'exclude' or 'lowest', got {value!r}")


def _dk_codes(items: Iterable[object]) -> tuple[str, ...]:
    return tuple(_norm(str(x)).casefold() for x in items)


@attrs.frozen
class AnswerScale:
    """An answer scale: whole-number codes from ``low`` to ``high`` (a Likert scale
    1-4 or 1-5, yes/no as 0/1), the code from which an answer counts as positive
    (``positive_from``: e.g. 4 = "satisfied" on 1-5), and the codes that mean "don't
    know" (không biết / không trả lời), compared as text, case-insensitively.

    Example:
        >>> import numpy as np
        >>> from parindex import AnswerScale
        >>> scale = AnswerScale("likert5", 1, 5, positive_from=4, dont_know=("9", "DK"))
        >>> scale.rescale(np.array([1.0, 3.0, 5.0])).tolist(), scale.dont_know
        ([0.0, 0.5, 1.0], ('9', 'dk'))
    """

    id: str = attrs.field(validator=_check_key)
    low: int
    high: int
    positive_from: int
    dont_know: tuple[str, ...] = attrs.field(default=(), converter=_dk_codes)
    labels: Mapping[int, str] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        for name in ("low", "high", "positive_from"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int):
                raise QuestionnaireError(
                    f"scale {self.id!r}: {name} must be a whole number, got {v!r}"
                )
        if self.high <= self.low:
            raise QuestionnaireError(
                f"scale {self.id!r}: high ({self.high}) must be above low ({self.low})"
            )
        if not self.low < self.positive_from <= self.high:
            raise QuestionnaireError(
                f"scale {self.id!r}: positive_from ({self.positive_from}) must lie above low "
                f"and at most high ({self.low}-{self.high})"
            )
        for code in self.dont_know:
            try:
                number = float(code)
            except ValueError:
                continue
            if self.low <= number <= self.high:
                raise QuestionnaireError(
                    f"scale {self.id!r}: don't-know code {code!r} is also an answer on the scale"
                )

    def rescale(self, answers: FloatArray) -> FloatArray:
        """Answers mapped linearly from [low, high] onto [0, 1].

        Example:
            >>> import numpy as np
            >>> import parindex
            >>> likert4 = parindex.get_questionnaire("illustrative-district").scale_of("Q1")
            >>> likert4.rescale(np.array([1.0, 2.0, 4.0])).round(3).tolist()
            [0.0, 0.333, 1.0]
        """
        return (answers - self.low) / (self.high - self.low)

    def describe(self) -> str:
        """The scale in words.

        Example:
            >>> import parindex
            >>> parindex.get_questionnaire("illustrative-district").scale_of("Q3a").describe()
            "1-5, positive from 4; don't know: 9, dk"
        """
        dk = f"; don't know: {', '.join(self.dont_know)}" if self.dont_know else ""
        return f"{self.low}-{self.high}, positive from {self.positive_from}{dk}"


LIKERT_4 = AnswerScale(
    "likert4",
    1,
    4,
    positive_from=3,
    dont_know=("9", "dk"),
    labels={1: "Rất kém", 2: "Kém", 3: "Tốt", 4: "Rất tốt"},
)
"""Likert 1-4 (rất kém ... rất tốt), positive from 3, "don't know" coded 9 or DK."""
LIKERT_5 = AnswerScale(
    "likert5",
    1,
    5,
    positive_from=4,
    dont_know=("9", "dk"),
    labels={
        1: "Rất không hài lòng",
        2: "Không hài lòng",
        3: "Bình thường",
        4: "Hài lòng",
        5: "Rất hài lòng",
    },
)
"""Likert 1-5 (rất không hài lòng ... rất hài lòng), positive (satisfied) from 4,
"don't know" coded 9 or DK."""
YES_NO = AnswerScale(
    "yes_no", 0, 1, positive_from=1, dont_know=("9", "dk"), labels={0: "Không", 1: "Có"}
)
"""Yes (1) / no (0), "don't know" coded 9 or DK."""
BUILTIN_SCALES: Mapping[str, AnswerScale] = {s.id: s for s in (LIKERT_4, LIKERT_5, YES_NO)}
"""Scales a questionnaire may use without defining them."""


@attrs.frozen
class SurveyItem:
    """One question of a questionnaire, linked to a ``target``: a leaf of the
    methodology (``"3.3"``) or a score component (``"sipas"``, ``"survey"``). ``groups``
    lists the respondent groups it is asked of (empty: all). ``dimension`` groups items
    for the SIPAS index (e.g. access, procedures, civil servants, results).

    Example:
        >>> from parindex import SurveyItem
        >>> SurveyItem("Q3", "3.3", "likert5", dimension="procedures").target
        '3.3'
    """

    id: str = attrs.field(validator=_check_key)
    target: str = attrs.field(validator=_check_key)
    scale: str = attrs.field(validator=_check_key)
    text_vi: str = ""
    text_en: str = ""
    groups: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    dimension: str | None = None


def _groups(items: Iterable[RespondentGroup]) -> tuple[RespondentGroup, ...]:
    return tuple(items)


def _scales(items: Iterable[AnswerScale]) -> tuple[AnswerScale, ...]:
    return tuple(items)


def _items(items: Iterable[SurveyItem]) -> tuple[SurveyItem, ...]:
    return tuple(items)


@attrs.frozen
class Questionnaire:
    """A survey questionnaire (phiếu điều tra xã hội học) for one methodology: its
    items, the answer scales they use, the respondent groups with their weights, and
    how answers become points (``policy`` for every target, ``policies`` to override
    it per target, ``dont_know`` for "don't know" answers and blanks).

    Built-in scales (``likert4``, ``likert5``, ``yes_no``) need not be listed in
    ``scales``. Load one from a file with :func:`load_questionnaire` or get a shipped
    one with :func:`get_questionnaire`.

    Example:
        >>> import parindex
        >>> q = parindex.Questionnaire(
        ...     id="demo", methodology="illustrative-district",
        ...     groups=[parindex.RespondentGroup("citizens")],
        ...     items=[parindex.SurveyItem("Q1", "7.4", "likert5")],
        ... )
        >>> q.targets, q.scale_of("Q1").high, q.official
        (('7.4',), 5, False)
    """

    id: str = attrs.field(validator=_check_key)
    methodology: str = attrs.field(validator=attrs.validators.min_len(1))
    items: tuple[SurveyItem, ...] = attrs.field(converter=_items)
    groups: tuple[RespondentGroup, ...] = attrs.field(converter=_groups)
    scales: tuple[AnswerScale, ...] = attrs.field(default=(), converter=_scales)
    policy: str = "linear_mean"
    policies: Mapping[str, str] = attrs.field(factory=dict)
    dont_know: DontKnowPolicy = attrs.field(default="exclude")
    official: bool = False
    name_vi: str = ""
    name_en: str = ""
    source: str | None = None
    notes: str = ""
    _scale_index: Mapping[str, AnswerScale] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        _check_dont_know(self.dont_know, f"questionnaire {self.id}: ")
        if not self.items:
            raise QuestionnaireError(f"questionnaire {self.id}: no items")
        if not self.groups:
            raise QuestionnaireError(f"questionnaire {self.id}: no respondent groups")
        for what, ids in (
            ("item", [i.id for i in self.items]),
            ("respondent group", [g.id for g in self.groups]),
            ("scale", [s.id for s in self.scales]),
        ):
            dup = sorted({x for x in ids if ids.count(x) > 1})
            if dup:
                raise QuestionnaireError(f"questionnaire {self.id}: {what} {dup[0]!r} is repeated")
        scales = dict(BUILTIN_SCALES) | {s.id: s for s in self.scales}
        object.__setattr__(self, "_scale_index", scales)
        group_ids = {g.id for g in self.groups}
        for item in self.items:
            if item.scale not in scales:
                raise QuestionnaireError(
                    f"questionnaire {self.id}: item {item.id!r} uses scale {item.scale!r}, "
                    f"which is not defined (known: {', '.join(sorted(scales))})",
                    item=item.id,
                )
            unknown = [g for g in item.groups if g not in group_ids]
            if unknown:
                raise QuestionnaireError(
                    f"questionnaire {self.id}: item {item.id!r} is asked of group "
                    f"{unknown[0]!r}, which is not a respondent group",
                    item=item.id,
                )
        for target in self.policies:
            if target not in self.targets:
                raise QuestionnaireError(
                    f"questionnaire {self.id}: a policy is set for {target!r}, which no item "
                    "targets",
                    node=target,
                )
        for name in (self.policy, *self.policies.values()):
            get_policy(name)
        if sum(g.weight for g in self.groups) <= 0:
            raise QuestionnaireError(f"questionnaire {self.id}: group weights are all zero")

    @property
    def targets(self) -> tuple[str, ...]:
        """Targets (leaves or score components), in order of first appearance.

        Example:
            >>> import parindex
            >>> parindex.get_questionnaire("illustrative-district").targets
            ('1.4.2', '2.3', '3.3', '4.3', '7.4')
        """
        return tuple(dict.fromkeys(i.target for i in self.items))

    def scale_of(self, item_id: str) -> AnswerScale:
        """The answer scale of an item.

        Example:
            >>> import parindex
            >>> q = parindex.get_questionnaire("illustrative-district")
            >>> q.scale_of("Q3a").id, q.scale_of("Q7a").id
            ('likert5', 'yes_no')
        """
        for item in self.items:
            if item.id == item_id:
                return self._scale_index[item.scale]
        raise KeyError(f"questionnaire {self.id} has no item {item_id!r}")

    def policy_for(self, target: str) -> str:
        """The name of the conversion policy used for a target.

        Example:
            >>> import parindex
            >>> q = parindex.get_questionnaire("illustrative-district")
            >>> q.policy_for("3.3"), q.policy_for("1.4.2")
            ('share_positive', 'linear_mean')
        """
        return self.policies.get(target, self.policy)

    def check(self, methodology: Methodology) -> None:
        """Check that every target is a scored leaf (or score component) of the
        methodology with a known maximum, and that the leaf's rule can take a survey
        result (no rule, direct points, or a rule that reads a rate).

        Raises:
            QuestionnaireError: the message names the item and node.

        Example:
            >>> import parindex
            >>> q = parindex.get_questionnaire("illustrative-district")
            >>> q.check(parindex.get_methodology("illustrative-district"))
        """
        keys = {methodology.id, *methodology.aliases}
        if self.methodology not in keys:
            raise QuestionnaireError(
                f"questionnaire {self.id} is for methodology {self.methodology!r}, not "
                f"{methodology.id!r}"
            )
        for target in self.targets:
            _target_max(methodology, target, self.id)


def _target_max(m: Methodology, target: str, qid: str) -> float:
    if m.has_node(target):
        node = m.node(target)
        if node.children:
            raise QuestionnaireError(
                f"questionnaire {qid}: node {target!r} of {m.id} is not a leaf; link items "
                "to its leaves",
                node=target,
            )
        if node.method == "appraisal":
            raise QuestionnaireError(
                f"questionnaire {qid}: node {target!r} of {m.id} is scored by appraisal, "
                "not by survey",
                node=target,
            )
        rule = node.rule
        usable = (
            rule is None
            or isinstance(rule, DirectPoints | PercentTiers)
            or (isinstance(rule, Proportional) and rule.rate)
        )
        if not usable:
            assert rule is not None
            raise QuestionnaireError(
                f"questionnaire {qid}: node {target!r} of {m.id} has a {rule.kind!r} rule, "
                "which cannot take a survey result (only direct points or a rule on a rate)",
                node=target,
            )
        mx = m.max_points_of(target)
    else:
        comp = next((c for c in m.components if c.id == target), None)
        if comp is None:
            raise QuestionnaireError(
                f"questionnaire {qid}: {target!r} is neither a node nor a score component "
                f"of {m.id}",
                node=target,
            )
        mx = comp.max_points
    if mx is None:
        raise QuestionnaireError(
            f"questionnaire {qid}: the maximum of {target!r} in {m.id} is unknown, so survey "
            "points cannot be computed",
            node=target,
        )
    return mx


# --------------------------------------------------------------------------- policies


@attrs.frozen(eq=False)
class SurveyStats:
    """What a conversion policy sees: for every respondent group and target, the
    number of answers counted (``n``), their sum after rescaling each answer from
    [scale low, scale high] onto [0, 1] (``total``), and the number of positive answers
    (``positive``). Arrays have shape ``(..., groups, targets)``: leading axes hold
    units or bootstrap replicates. ``weights`` are the group weights (shape
    ``(groups,)``).

    A policy returns, for every target, a score in [0, 1] (shape ``(..., targets)``),
    NaN where there is no data; points are that score times the target's maximum (or
    the leaf's rule applied to it as a rate).

    Example:
        >>> import numpy as np, parindex
        >>> stats = parindex.SurveyStats(
        ...     n=np.array([[2.0], [3.0]]), total=np.array([[2.0], [0.75]]),
        ...     positive=np.array([[2.0], [0.0]]), weights=np.array([3.0, 1.0]),
        ...     groups=("a", "b"), targets=("7.4",))
        >>> [round(float(parindex.get_policy(p)(stats)[0]), 4)
        ...  for p in ("linear_mean", "share_positive", "group_weighted_mean")]
        [0.55, 0.4, 0.8125]
    """

    n: FloatArray
    total: FloatArray
    positive: FloatArray
    weights: FloatArray
    groups: tuple[str, ...]
    targets: tuple[str, ...]


PolicyFunction: TypeAlias = Callable[[SurveyStats], FloatArray]


@attrs.frozen
class ConversionPolicy:
    """A named rule that turns survey answers into a score in [0, 1] per target.

    ``evidence`` says whether any official year is believed to use it, and why.

    Example:
        >>> import parindex
        >>> p = parindex.get_policy("share_positive")
        >>> p.name, p.evidence.startswith("none")
        ('share_positive', True)
    """

    name: str = attrs.field(validator=_check_key)
    function: PolicyFunction = attrs.field(repr=False)
    description: str = ""
    evidence: str = "none: a user-supplied policy"

    def __call__(self, stats: SurveyStats) -> FloatArray:
        """Apply the policy, checking its output's shape and range."""
        out = np.asarray(self.function(stats), dtype=np.float64)
        want = stats.n.shape[:-2] + stats.n.shape[-1:]
        if out.shape != want:
            raise QuestionnaireError(
                f"conversion policy {self.name!r} returned shape {out.shape}, expected {want}"
            )
        bad = ~np.isnan(out) & ((out < -1e-9) | (out > 1 + 1e-9))
        if bad.any():
            raise QuestionnaireError(
                f"conversion policy {self.name!r} returned {out[bad].flat[0]!r}, outside 0-1"
            )
        return np.clip(out, 0.0, 1.0)


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _linear_mean(s: SurveyStats) -> FloatArray:
    return _ratio(s.total.sum(axis=-2), s.n.sum(axis=-2))


def _share_positive(s: SurveyStats) -> FloatArray:
    return _ratio(s.positive.sum(axis=-2), s.n.sum(axis=-2))


def _group_weighted_mean(s: SurveyStats) -> FloatArray:
    means = _ratio(s.total, s.n)
    w = np.where(s.n > 0, s.weights[:, np.newaxis], 0.0)
    return _ratio(np.where(s.n > 0, w * np.nan_to_num(means), 0.0).sum(axis=-2), w.sum(axis=-2))


_NO_EVIDENCE = (
    "none: the official rule that turns survey answers into points is not public; no "
    "official year is known to use this policy"
)
_POLICIES: dict[str, ConversionPolicy] = {
    p.name: p
    for p in (
        ConversionPolicy(
            "linear_mean",
            _linear_mean,
            "mean answer, mapped linearly from [scale low, scale high] onto [0, max points]; "
            "all answers of all groups and items of the target pooled",
            _NO_EVIDENCE,
        ),
        ConversionPolicy(
            "share_positive",
            _share_positive,
            "share of answers at or above the scale's positive_from code (e.g. satisfied "
            "or very satisfied), times max points; all answers pooled",
            _NO_EVIDENCE
            + " (it is the usual reading of a satisfaction rate such as SIPAS; see sipas_points)",
        ),
        ConversionPolicy(
            "group_weighted_mean",
            _group_weighted_mean,
            "mean rescaled answer per respondent group, combined with the group weights "
            "(re-normalised over the groups that answered; unknown when only groups of "
            "weight 0 answered), times max points",
            _NO_EVIDENCE,
        ),
    )
}
_BUILTIN_POLICIES = frozenset(_POLICIES)


def register_policy(policy: ConversionPolicy, *, replace: bool = False) -> None:
    """Register a conversion policy so that questionnaires and the CLI can name it.

    Built-in policies cannot be replaced; another registered name can with
    ``replace=True``.

    Example:
        >>> import numpy as np, parindex
        >>> def share(s):  # positive answers over counted answers, all groups pooled
        ...     n = s.n.sum(axis=-2)
        ...     return np.where(n > 0, s.positive.sum(axis=-2) / np.maximum(n, 1), np.nan)
        >>> parindex.register_policy(parindex.ConversionPolicy("my_share", share), replace=True)
        >>> parindex.get_policy("my_share").name
        'my_share'
    """
    if policy.name in _BUILTIN_POLICIES:
        raise QuestionnaireError(f"{policy.name!r} is a built-in policy and cannot be replaced")
    if policy.name in _POLICIES and not replace:
        raise QuestionnaireError(
            f"a policy named {policy.name!r} is already registered (pass replace=True)"
        )
    _POLICIES[policy.name] = policy


def get_policy(name: str) -> ConversionPolicy:
    """The registered conversion policy with this name.

    Example:
        >>> import parindex
        >>> parindex.get_policy("linear_mean").description.split(",")[0]
        'mean answer'
    """
    try:
        return _POLICIES[name]
    except KeyError:
        raise QuestionnaireError(
            f"no conversion policy {name!r} (known: {', '.join(sorted(_POLICIES))})"
        ) from None


def list_policies() -> list[ConversionPolicy]:
    """Every registered conversion policy, built-in ones first.

    Example:
        >>> import parindex
        >>> [p.name for p in parindex.list_policies()][:3]
        ['linear_mean', 'share_positive', 'group_weighted_mean']
    """
    return list(_POLICIES.values())


def _as_policy(policy: str | ConversionPolicy | PolicyFunction) -> ConversionPolicy:
    if isinstance(policy, ConversionPolicy):
        return policy
    if isinstance(policy, str):
        return get_policy(policy)
    if callable(policy):
        name = getattr(policy, "__name__", "custom")
        return ConversionPolicy(name if _KEY.match(name) else "custom", policy)
    raise QuestionnaireError(f"policy must be a name, a ConversionPolicy or a callable: {policy!r}")


# --------------------------------------------------------------------------- responses


def read_responses(path: str | Path) -> pd.DataFrame:
    """Read tidy survey responses from a CSV file (UTF-8, header row; columns
    :data:`RESPONSE_COLUMNS`). Every cell is read as text; nothing is evaluated.

    Example:
        >>> import parindex
        >>> frame = parindex.read_responses("examples/survey-illustrative-district.csv")
        >>> list(frame.columns)
        ['unit', 'respondent', 'group', 'item', 'answer']
    """
    text = read_text_file(path, max_bytes=MAX_RESPONSE_BYTES)
    return responses_from_csv_text(text, name=str(path))


def responses_from_csv_text(text: str, *, name: str = "<csv>") -> pd.DataFrame:
    """Parse tidy CSV responses (every cell as text)."""
    import pandas as pd

    if len(text) > MAX_RESPONSE_BYTES:
        raise InputFormatError(f"{name}: over the size limit of {MAX_RESPONSE_BYTES} bytes")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputFormatError(f"{name}: the file is empty")
    try:
        # pandas renames a repeated column ("answer", "answer.1") and reads on: check
        # the header itself.
        header = next((row for row in csv.reader(io.StringIO(text)) if row), [])
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=False
        )
    except (ValueError, csv.Error, pd.errors.ParserError) as err:
        raise InputFormatError(f"{name}: malformed CSV: {' '.join(str(err).split())}") from None
    names = [c.strip() for c in header]
    repeated = [c for c in names if names.count(c) > 1]
    if repeated:
        raise InputFormatError(f"{name}: a column name repeats ({repeated[0]!r})")
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas reads a first column with no header as the index, shifting the others.
        raise InputFormatError(f"{name}: line 2 has more cells than the header has columns")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


@attrs.frozen(eq=False)
class _Prepared:
    """Validated responses as arrays, sorted by unit and respondent."""

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


def _prepare(responses: pd.DataFrame, q: Questionnaire, dont_know: DontKnowPolicy) -> _Prepared:
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
    return _Prepared(
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
    the distinct (unit, respondent) keys of :func:`_prepare`."""
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
        scale = q._scale_index[sid]
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


# --------------------------------------------------------------------------- aggregation


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
        ...     parindex.read_responses("examples/survey-illustrative-district.csv"),
        ...     parindex.get_questionnaire("illustrative-district"),
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
    _prep: _Prepared = attrs.field(repr=False)
    _maxima: FloatArray = attrs.field(repr=False)

    def to_sheet(self) -> ScoreSheet:
        """Survey points as a score sheet (``unit, node, points``) that
        :func:`parindex.score` accepts; targets without a countable answer are left out.

        Example:
            >>> import parindex
            >>> r = parindex.aggregate_survey(
            ...     parindex.read_responses("examples/survey-illustrative-district.csv"),
            ...     parindex.get_questionnaire("illustrative-district"),
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
            ...     parindex.read_responses("examples/survey-illustrative-district.csv"),
            ...     parindex.get_questionnaire("illustrative-district"),
            ... )
            >>> ci = r.bootstrap(200, seed=1)
            >>> bool(((ci.lower <= ci.points) & (ci.points <= ci.upper)).all())
            True
        """
        if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 2:
            raise ValueError(f"replicates must be a whole number >= 2, got {replicates!r}")
        if not 0 < confidence < 1:
            raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
        p = self._prep
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
            ...     parindex.read_responses("examples/survey-illustrative-district.csv"),
            ...     parindex.get_questionnaire("illustrative-district"),
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
    p: _Prepared,
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
    methodology: Methodology | str | None = None,
    policy: str | ConversionPolicy | PolicyFunction | None = None,
    dont_know: DontKnowPolicy | None = None,
) -> SurveyResult:
    """Aggregate tidy survey responses into survey points per unit and target.

    Every answer is checked against its item's scale; "don't know" codes and blanks are
    handled by ``dont_know`` (``"exclude"``: left out of the denominator, the default;
    ``"lowest"``: counted as the lowest answer). The conversion ``policy`` turns the
    answers of each unit and target into a score in [0, 1]; points are the score times
    the target's maximum, or, where the leaf's rule reads a rate (a proportional or
    tiers rule), the rule applied to the score in percent.

    Args:
        responses: one row per respondent and item, columns :data:`RESPONSE_COLUMNS`
            (not modified).
        questionnaire: items, scales, groups and default policies.
        methodology: the methodology (or its id); by default the questionnaire's.
        policy: override the questionnaire's policies for every target: a registered
            name, a :class:`ConversionPolicy` or a callable taking :class:`SurveyStats`.
        dont_know: override the questionnaire's "don't know" policy.

    Raises:
        SurveyResponseError: an answer outside its scale, an unknown item or group, a
            respondent answering an item twice or given two groups (the message names
            the unit, respondent, item and value).
        QuestionnaireError: the questionnaire does not fit the methodology.

    Example:
        >>> import pandas as pd, parindex
        >>> q = parindex.Questionnaire(
        ...     id="demo", methodology="illustrative-district",
        ...     groups=[parindex.RespondentGroup("citizens")],
        ...     items=[parindex.SurveyItem("Q1", "7.4", "likert5")],
        ... )
        >>> responses = pd.DataFrame({
        ...     "unit": ["A", "A", "A"], "respondent": ["r1", "r2", "r3"],
        ...     "item": ["Q1", "Q1", "Q1"], "answer": ["5", "3", "DK"],
        ... })
        >>> r = parindex.aggregate_survey(responses, q)
        >>> r.table[["unit", "node", "points", "answers", "dont_know"]].to_dict("records")
        [{'unit': 'A', 'node': '7.4', 'points': 3.0, 'answers': 2, 'dont_know': 1}]
    """
    import pandas as pd

    q = questionnaire
    if methodology is None:
        from parindex._registry import get_methodology

        m = get_methodology(q.methodology)
    elif isinstance(methodology, str):
        from parindex._registry import get_methodology

        m = get_methodology(methodology)
    else:
        m = methodology
    q.check(m)
    dk: DontKnowPolicy = q.dont_know if dont_know is None else dont_know
    _check_dont_know(dk)
    override = None if policy is None else _as_policy(policy)
    policies = {
        t: override if override is not None else get_policy(q.policy_for(t)) for t in q.targets
    }
    p = _prepare(responses, q, dk)
    n_u, n_g, n_t = len(p.units), len(p.groups), len(p.targets)
    maxima = np.array([_target_max(m, t, q.id) for t in p.targets], dtype=np.float64)

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


# --------------------------------------------------------------------------- SIPAS


def _is_real(v: object) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(
        v, bool | np.bool_
    )


def sipas_points(percent: float, block_max: float) -> float:
    """PAR points for a SIPAS satisfaction index: ``percent / 100 * block_max``.

    This proportional reading is the only survey conversion with public evidence:
    Hà Tĩnh's 2021 SIPAS was reported as "9.12 points, i.e. 91.17 %" of a 10-point
    block (1149/QĐ-BNV, provincial index), and 91.17 % x 10 = 9.117 rounds half-up to
    9.12. It is an inference from one published pair, not a quoted rule.

    Example:
        >>> import parindex
        >>> parindex.round_half_up(parindex.sipas_points(91.17, 10))
        9.12
    """
    for name, v in (("percent", percent), ("block_max", block_max)):
        if not _is_real(v) or not math.isfinite(float(v)):
            raise ValueError(f"SIPAS {name} must be a finite number, got {v!r}")
    if not 0 <= percent <= 100:
        raise ValueError(f"SIPAS percent {percent:g} is outside 0-100")
    if block_max <= 0:
        raise ValueError(f"SIPAS block maximum must be > 0, got {block_max:g}")
    return float(snap_array(np.array([percent / 100.0 * block_max]))[0])


def sipas_percent(points: float, block_max: float) -> float:
    """The SIPAS percentage implied by PAR points under the proportional reading
    (the inverse of :func:`sipas_points`). An implied number, not a published one.

    Example:
        >>> import parindex
        >>> parindex.sipas_percent(8.15, 10)  # Đắk Lắk 2023: 8.15 of 10 points
        81.5
    """
    for name, v in (("points", points), ("block_max", block_max)):
        if not _is_real(v) or not math.isfinite(float(v)):
            raise ValueError(f"SIPAS {name} must be a finite number, got {v!r}")
    if block_max <= 0:
        raise ValueError(f"SIPAS block maximum must be > 0, got {block_max:g}")
    if not 0 <= points <= block_max:
        raise ValueError(f"SIPAS points {points:g} are outside 0-{block_max:g}")
    return float(snap_array(np.array([points / block_max * 100.0]))[0])


def sipas_index(
    responses: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    dont_know: DontKnowPolicy | None = None,
) -> pd.DataFrame:
    """Satisfaction (SIPAS-style) per dimension and overall, in percent.

    Uses the items that carry a ``dimension``. Per unit: each item's satisfaction rate
    is the share of its counted answers at or above the scale's ``positive_from`` (e.g.
    "satisfied" or "very satisfied"); a dimension's percent is the mean of its items'
    rates; ``overall`` is the mean of the dimensions. This equal-weight reading is the
    library's; the weights of 1001/QĐ-BNV are not in the sources consulted.

    Returns a tidy frame ``unit, dimension, percent, answers`` (``overall`` last for
    every unit).

    Example:
        >>> import parindex
        >>> t = parindex.sipas_index(
        ...     parindex.read_responses("examples/survey-illustrative-district.csv"),
        ...     parindex.get_questionnaire("illustrative-district"),
        ... )
        >>> t[t.unit == "Huyện A"].round(2).to_dict("records")[-1]
        {'unit': 'Huyện A', 'dimension': 'overall', 'percent': 75.8, 'answers': 108}
    """
    import pandas as pd

    q = questionnaire
    dims = list(dict.fromkeys(i.dimension for i in q.items if i.dimension))
    if not dims:
        raise QuestionnaireError(f"questionnaire {q.id}: no item has a SIPAS dimension")
    dk: DontKnowPolicy = q.dont_know if dont_know is None else dont_know
    p = _prepare(responses, q, dk)
    n_u, n_i = len(p.units), len(p.items)
    key = p.unit * n_i + p.item
    n = _bin(key, p.counted.astype(np.float64), n_u * n_i).reshape(n_u, n_i)
    pos = _bin(key, p.pos, n_u * n_i).reshape(n_u, n_i)
    rate = _ratio(pos, n) * 100.0  # (units, items)
    item_dim = np.array([dims.index(i.dimension) if i.dimension else -1 for i in q.items])
    with _quiet():
        per_dim = np.stack(
            [np.nanmean(rate[:, item_dim == d], axis=1) for d in range(len(dims))], axis=1
        )
        overall = np.nanmean(per_dim, axis=1)
    answers = np.stack([n[:, item_dim == d].sum(axis=1) for d in range(len(dims))], axis=1)
    values = np.concatenate([per_dim, overall[:, np.newaxis]], axis=1)
    counts = np.concatenate([answers, answers.sum(axis=1, keepdims=True)], axis=1)
    labels = [*dims, "overall"]
    return pd.DataFrame(
        {
            "unit": np.repeat(np.array(p.units, dtype=object), len(labels)),
            "dimension": np.tile(np.array(labels, dtype=object), n_u),
            "percent": snap_array(values.ravel()),
            "answers": counts.ravel().astype(np.int64),
        }
    )


# --------------------------------------------------------------------------- files

_Q_KEYS = {
    "format",
    "id",
    "methodology",
    "official",
    "name_vi",
    "name_en",
    "source",
    "notes",
    "policy",
    "policies",
    "dont_know",
    "groups",
    "scales",
    "items",
}


def questionnaire_from_dict(data: object, *, name: str = "questionnaire") -> Questionnaire:
    """Build a :class:`Questionnaire` from plain data (a parsed YAML or JSON file).

    Example:
        >>> import parindex
        >>> q = parindex.questionnaire_from_dict({
        ...     "format": "parindex-questionnaire/1", "id": "demo",
        ...     "methodology": "illustrative-district",
        ...     "groups": [{"id": "citizens"}],
        ...     "items": [{"id": "Q1", "target": "7.4", "scale": "yes_no"}],
        ... })
        >>> q.items[0].scale
        'yes_no'
    """
    try:
        d = _expect(data, dict, name)
        _only(d, _Q_KEYS, name)
    except MethodologyError as err:
        raise QuestionnaireError(str(err)) from None
    if d.get("format") != QUESTIONNAIRE_FORMAT:
        raise QuestionnaireError(
            f"{name}: 'format' must be {QUESTIONNAIRE_FORMAT!r}, got {d.get('format')!r}"
        )
    official = d.get("official", False)
    if not isinstance(official, bool):  # bool("false") is True
        raise QuestionnaireError(f"{name}: 'official' must be true or false, got {official!r}")
    try:
        groups = []
        for i, g in enumerate(_expect(d.get("groups") or [], list, f"{name} groups")):
            gd = _expect(g, dict, f"{name} group {i}")
            _only(gd, {"id", "name_vi", "name_en", "weight"}, f"{name} group {i}")
            groups.append(RespondentGroup(**gd))
        scales = []
        for i, s in enumerate(_expect(d.get("scales") or [], list, f"{name} scales")):
            sd = _expect(s, dict, f"{name} scale {i}")
            _only(
                sd,
                {"id", "low", "high", "positive_from", "dont_know", "labels"},
                f"{name} scale {i}",
            )
            labels = _expect(sd.get("labels") or {}, dict, f"{name} scale {i} labels")
            scales.append(
                AnswerScale(
                    id=sd.get("id"),
                    low=sd.get("low"),
                    high=sd.get("high"),
                    positive_from=sd.get("positive_from"),
                    dont_know=tuple(_expect(sd.get("dont_know") or [], list, "dont_know")),
                    labels=_labels(labels, sd.get("id")),
                )
            )
        items = []
        for i, it in enumerate(_expect(d.get("items") or [], list, f"{name} items")):
            idd = _expect(it, dict, f"{name} item {i}")
            _only(
                idd,
                {"id", "target", "scale", "text_vi", "text_en", "groups", "dimension"},
                f"{name} item {i}",
            )
            items.append(
                SurveyItem(
                    id=idd.get("id"),
                    target=idd.get("target"),
                    scale=idd.get("scale"),
                    text_vi=str(idd.get("text_vi", "")),
                    text_en=str(idd.get("text_en", "")),
                    groups=tuple(_expect(idd.get("groups") or [], list, f"{name} item {i} groups")),
                    dimension=idd.get("dimension"),
                )
            )
        policies = _expect(d.get("policies") or {}, dict, f"{name} policies")
        return Questionnaire(
            id=d.get("id"),
            methodology=str(d.get("methodology", "")),
            items=items,
            groups=groups,
            scales=scales,
            policy=str(d.get("policy", "linear_mean")),
            policies={str(k): str(v) for k, v in policies.items()},
            dont_know=d.get("dont_know", "exclude"),
            official=official,
            name_vi=str(d.get("name_vi", "")),
            name_en=str(d.get("name_en", "")),
            source=d.get("source"),
            notes=str(d.get("notes", "")),
        )
    except QuestionnaireError as err:
        raise QuestionnaireError(
            err.args[0] if name in err.args[0] else f"{name}: {err}", item=err.item, node=err.node
        ) from None
    except (MethodologyError, TypeError, ValueError) as err:
        raise QuestionnaireError(err.args[0] if name in str(err) else f"{name}: {err}") from None


_WHOLE = re.compile(r"-?[0-9]+")


def _labels(labels: Mapping[object, object], scale: object) -> dict[int, str]:
    """Label codes as whole numbers: int(1.5) is 1 and int(True) is 1, silently; text
    is read only when it is a whole number (JSON keys are always text)."""
    out: dict[int, str] = {}
    for key, text in labels.items():
        if isinstance(key, int) and not isinstance(key, bool):
            code = key
        elif isinstance(key, str) and _WHOLE.fullmatch(key.strip()):
            code = int(key)
        else:
            raise QuestionnaireError(f"scale {scale!r}: label code {key!r} must be a whole number")
        if code in out:
            raise QuestionnaireError(f"scale {scale!r}: label code {code} is given twice")
        out[code] = str(text)
    return out


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Load a questionnaire file (YAML or JSON, read safely).

    Example:
        >>> import parindex
        >>> q = parindex.load_questionnaire(
        ...     "src/parindex/data/questionnaires/illustrative-district.yaml")
        >>> q.official, q.targets
        (False, ('1.4.2', '2.3', '3.3', '4.3', '7.4'))
    """
    text = read_text_file(path)
    return questionnaire_from_dict(safe_parse(text, name=str(path)), name=str(path))


def list_questionnaires() -> list[Questionnaire]:
    """The shipped questionnaires.

    Example:
        >>> import parindex
        >>> [q.id for q in parindex.list_questionnaires()]
        ['illustrative-district']
    """
    folder = resources.files("parindex") / "data" / "questionnaires"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml", ".json")):
            text = entry.read_text(encoding="utf-8")
            out.append(questionnaire_from_dict(safe_parse(text, name=entry.name), name=entry.name))
    return out


def get_questionnaire(key: str) -> Questionnaire:
    """A shipped questionnaire, by its id or by the id of its methodology.

    Example:
        >>> import parindex
        >>> parindex.get_questionnaire("illustrative-district").methodology
        'illustrative-district'
    """
    shipped = list_questionnaires()
    for q in shipped:
        if q.id == key:
            return q
    hits = [q for q in shipped if q.methodology == key]
    if len(hits) == 1:
        return hits[0]
    raise QuestionnaireError(
        f"no shipped questionnaire {key!r} (shipped: {', '.join(q.id for q in shipped)}); "
        "load your own with load_questionnaire(path)"
    )
