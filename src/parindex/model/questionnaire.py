"""Survey questionnaires (phiếu điều tra xã hội học): items linked to leaves of a
methodology, answer scales, respondent groups with their weights, and which conversion
policy turns the answers of each target into points.

The model reads no file. Built-in answer scales (``likert4``, ``likert5``, ``yes_no``)
are methodology facts shipped as ``parindex/data/scales.yaml``; the package wires
their reader in (:func:`use_builtin_scales`) so that a questionnaire may name them
without defining them. Files are read by :mod:`parindex.io.survey`.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from parindex.errors import QuestionnaireError
from parindex.model.methodology import Methodology
from parindex.rules import DirectPoints, PercentTiers, Proportional
from parindex.rules.conversion import check_survey_id, get_policy

__all__ = [
    "AnswerScale",
    "DontKnowPolicy",
    "Questionnaire",
    "RespondentGroup",
    "SurveyItem",
    "check_dont_know",
    "installed_scales",
    "use_builtin_scales",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]

DontKnowPolicy: TypeAlias = Literal["exclude", "lowest"]
"""How "don't know" answers and blanks are read: ``exclude`` (default) drops them from
the denominator; ``lowest`` counts them as the lowest answer of the scale."""


def _strs(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _is_real(v: object) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(
        v, bool | np.bool_
    )


def _real_or_as_is(value: object) -> object:
    # float(True) is 1.0 and float("0.4") is 0.4: convert real numbers only, and leave
    # anything else for the validator to refuse with the group's id.
    return float(value) if _is_real(value) else value  # type: ignore[arg-type]


@attrs.frozen
class RespondentGroup:
    """A group of respondents (đối tượng điều tra): leaders and managers (lãnh đạo,
    quản lý), civil servants (công chức), citizens (người dân), enterprises (doanh
    nghiệp), deputies (đại biểu HĐND), ... The set of ids is open. ``weight`` is the
    group's weight in the ``group_weighted_mean`` policy.

    Example:
        >>> from parindex.model.questionnaire import RespondentGroup
        >>> RespondentGroup("citizens", "Người dân", "Citizens", weight=0.4).weight
        0.4
    """

    id: str = attrs.field(validator=check_survey_id)
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


def check_dont_know(value: object, where: str = "") -> None:
    """Refuse a "don't know" policy other than ``exclude`` or ``lowest``; ``where``
    prefixes the message.

    Example:
        >>> from parindex.model.questionnaire import check_dont_know
        >>> check_dont_know("lowest")
        >>> check_dont_know("zero")
        Traceback (most recent call last):
        ...
        parindex.errors.QuestionnaireError: dont_know must be 'exclude' or 'lowest', got 'zero'
    """
    # One line listing the accepted values (attrs' in_ validator raises a tuple that
    # prints as a repr of the attribute).
    if value not in ("exclude", "lowest"):
        raise QuestionnaireError(f"{where}dont_know must be 'exclude' or 'lowest', got {value!r}")


def _dk_codes(items: Iterable[object]) -> tuple[str, ...]:
    return tuple(_norm(str(x)).casefold() for x in items)


@attrs.frozen
class AnswerScale:
    """An answer scale (thang đo): whole-number codes from ``low`` to ``high`` (a
    Likert scale 1-4 or 1-5, yes/no as 0/1), the code from which an answer counts as
    positive (``positive_from``: e.g. 4 = "satisfied" on 1-5), and the codes that mean
    "don't know" (không biết / không trả lời), compared as text, case-insensitively.

    Example:
        >>> import numpy as np
        >>> from parindex.model.questionnaire import AnswerScale
        >>> scale = AnswerScale("likert5", 1, 5, positive_from=4, dont_know=("9", "DK"))
        >>> scale.rescale(np.array([1.0, 3.0, 5.0])).tolist(), scale.dont_know
        ([0.0, 0.5, 1.0], ('9', 'dk'))
    """

    id: str = attrs.field(validator=check_survey_id)
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
            >>> from parindex.io.survey import get_questionnaire
            >>> likert4 = get_questionnaire("illustrative-district").scale_of("Q1")
            >>> likert4.rescale(np.array([1.0, 2.0, 4.0])).round(3).tolist()
            [0.0, 0.333, 1.0]
        """
        return (answers - self.low) / (self.high - self.low)

    def describe(self) -> str:
        """The scale in words.

        Example:
            >>> from parindex.io.survey import get_questionnaire
            >>> get_questionnaire("illustrative-district").scale_of("Q3a").describe()
            "1-5, positive from 4; don't know: 9, dk"
        """
        dk = f"; don't know: {', '.join(self.dont_know)}" if self.dont_know else ""
        return f"{self.low}-{self.high}, positive from {self.positive_from}{dk}"


# The built-in scales are data (parindex/data/scales.yaml), read by parindex.io; the
# package installs that reader here, so that this module itself never reads a file.
_builtin_source: list[Callable[[], Mapping[str, AnswerScale]]] = []


def use_builtin_scales(source: Callable[[], Mapping[str, AnswerScale]]) -> None:
    """Install the function that returns the built-in answer scales (by id), which a
    questionnaire may use without defining them. ``import parindex`` installs
    :func:`parindex.io.survey.builtin_scales`, which reads the shipped file once.

    Example:
        >>> from parindex.io.survey import builtin_scales
        >>> from parindex.model.questionnaire import use_builtin_scales
        >>> use_builtin_scales(builtin_scales)
    """
    _builtin_source[:] = [source]


def installed_scales() -> Mapping[str, AnswerScale]:
    """The built-in answer scales by id, as installed by :func:`use_builtin_scales`
    (empty before).

    Example:
        >>> from parindex.model.questionnaire import installed_scales
        >>> sorted(installed_scales())
        ['likert4', 'likert5', 'yes_no']
    """
    return _builtin_source[0]() if _builtin_source else {}


@attrs.frozen
class SurveyItem:
    """One question (câu hỏi) of a questionnaire, linked to a ``target``: a leaf of the
    methodology (``"3.3"``) or a score component (``"sipas"``, ``"survey"``). ``groups``
    lists the respondent groups it is asked of (empty: all). ``dimension`` groups items
    for the SIPAS index (e.g. access, procedures, civil servants, results).

    Example:
        >>> from parindex.model.questionnaire import SurveyItem
        >>> SurveyItem("Q3", "3.3", "likert5", dimension="procedures").target
        '3.3'
    """

    id: str = attrs.field(validator=check_survey_id)
    target: str = attrs.field(validator=check_survey_id)
    scale: str = attrs.field(validator=check_survey_id)
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
    ``scales``. Load one from a file with :func:`parindex.load_questionnaire` or get a
    shipped one with :func:`parindex.io.survey.get_questionnaire`.

    Example:
        >>> from parindex.model.questionnaire import Questionnaire, RespondentGroup, SurveyItem
        >>> q = Questionnaire(
        ...     id="demo", methodology="illustrative-district",
        ...     groups=[RespondentGroup("citizens")],
        ...     items=[SurveyItem("Q1", "7.4", "likert5")],
        ... )
        >>> q.targets, q.scale_of("Q1").high, q.official
        (('7.4',), 5, False)
    """

    id: str = attrs.field(validator=check_survey_id)
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
        check_dont_know(self.dont_know, f"questionnaire {self.id}: ")
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
        scales = dict(installed_scales()) | {s.id: s for s in self.scales}
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
            >>> from parindex.io.survey import get_questionnaire
            >>> get_questionnaire("illustrative-district").targets
            ('1.4.2', '2.3', '3.3', '4.3', '7.4')
        """
        return tuple(dict.fromkeys(i.target for i in self.items))

    def scale_of(self, item_id: str) -> AnswerScale:
        """The answer scale of an item.

        Example:
            >>> from parindex.io.survey import get_questionnaire
            >>> q = get_questionnaire("illustrative-district")
            >>> q.scale_of("Q3a").id, q.scale_of("Q7a").id
            ('likert5', 'yes_no')
        """
        for item in self.items:
            if item.id == item_id:
                return self._scale_index[item.scale]
        raise KeyError(f"questionnaire {self.id} has no item {item_id!r}")

    def scale_by_id(self, scale_id: str) -> AnswerScale:
        """An answer scale the items may use (defined here or built in), by its id.

        Example:
            >>> from parindex.io.survey import get_questionnaire
            >>> get_questionnaire("illustrative-district").scale_by_id("likert4").high
            4
        """
        try:
            return self._scale_index[scale_id]
        except KeyError:
            raise KeyError(f"questionnaire {self.id} has no scale {scale_id!r}") from None

    def policy_for(self, target: str) -> str:
        """The name of the conversion policy used for a target.

        Example:
            >>> from parindex.io.survey import get_questionnaire
            >>> q = get_questionnaire("illustrative-district")
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
            >>> from parindex.io.survey import get_questionnaire
            >>> q = get_questionnaire("illustrative-district")
            >>> q.check(parindex.get_methodology("illustrative-district"))
        """
        keys = {methodology.id, *methodology.aliases}
        if self.methodology not in keys:
            raise QuestionnaireError(
                f"questionnaire {self.id} is for methodology {self.methodology!r}, not "
                f"{methodology.id!r}"
            )
        for target in self.targets:
            self.max_points_of(methodology, target)

    def max_points_of(self, methodology: Methodology, target: str) -> float:
        """The maximum points of a target in the methodology, checking that the target
        can take a survey result (see :meth:`check`).

        Raises:
            QuestionnaireError: the message names the node.

        Example:
            >>> import parindex
            >>> from parindex.io.survey import get_questionnaire
            >>> q = get_questionnaire("illustrative-district")
            >>> q.max_points_of(parindex.get_methodology("illustrative-district"), "3.3")
            8.0
        """
        m, qid = methodology, self.id
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
