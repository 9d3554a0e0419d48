"""The shipped methodology catalogue: every file loads, validates, cites a source for
every number, and the registry answers every evaluation year 2012-2024."""

from __future__ import annotations

import io
import json
import math
from importlib import resources
from pathlib import Path

import attrs
import pytest

import parindex
from parindex.cli import main

DATA = Path(str(resources.files("parindex") / "data" / "methodologies"))
FILES = sorted(DATA.glob("*.yaml"))
IDS = [p.stem for p in FILES]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_every_file_is_named_after_its_id() -> None:
    assert sorted(parindex.io.catalogue.default_registry.ids()) == IDS


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_shipped_file_has_no_error_findings(path: Path) -> None:
    m, findings = parindex.authoring.validate.check_methodology_file(path)
    assert m is not None
    assert [str(f) for f in findings if f.severity == "error"] == []


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_shipped_file_round_trips(path: Path, tmp_path: Path) -> None:
    m = parindex.load_methodology(path)
    out = tmp_path / "m.yaml"
    out.write_text(parindex.io.methodology.dump_methodology(m), encoding="utf-8")
    again = parindex.load_methodology(out)
    assert again == m
    assert again.decision == m.decision
    assert again.total_source == m.total_source


def _numeric_facts(m: parindex.Methodology) -> list[tuple[str, str | None]]:
    """(what, source key) for every number in a methodology, walked independently of
    check_methodology so the two cannot share a blind spot."""
    facts: list[tuple[str, str | None]] = [("total_max", m.total_source or m.source)]
    facts += [(f"counts.{k}", m.source) for k in m.counts]
    for node in m.nodes():
        if node.max_points is not None:
            facts.append((f"node {node.id} max_points", node.source))
        facts += [(f"node {node.id} counts.{k}", node.source) for k in node.counts]
    facts += [(f"component {c.id}", c.source) for c in m.components if c.max_points is not None]
    for year, bands in m.bands.items():
        for b in bands:
            facts += [(f"band {year}/{b.label}", b.source)] * (
                b.lower is not None or b.upper is not None
            )
    return facts


@pytest.mark.parametrize("mid", IDS)
def test_no_numeric_fact_lacks_a_source(mid: str) -> None:
    m = parindex.get_methodology(mid)
    for what, key in _numeric_facts(m):
        assert key is not None, f"{mid}: {what} has no source"
        assert m.sources[key].url.startswith("http"), f"{mid}: {what} cites {key!r} without a URL"


def test_missing_source_is_an_error() -> None:
    m = parindex.get_methodology("province-2022")
    bare = attrs.evolve(m, id="x", aliases=(), tree=(attrs.evolve(m.tree[0], source=None),))
    found = [f for f in parindex.check_methodology(bare) if f.code == "source-missing"]
    assert [(f.severity, f.node) for f in found] == [("error", "1")]
    assert any(key is None for _, key in _numeric_facts(bare))


def test_province_2017_criteria_inconsistency_is_a_warning() -> None:
    # MoHA e-learning summary: 38 criteria, but the per-field counts add up to 39.
    # https://bonoivu.cls.vn/BoNoiVuTemplate/ChiTietKhoaHoc/22610
    findings = parindex.check_methodology(parindex.get_methodology("province-2017"))
    sums = [f for f in findings if f.code == "counts-sum"]
    assert len(sums) == 1
    assert sums[0].severity == "warning"
    assert "38" in sums[0].message
    assert "39" in sums[0].message


def test_declared_count_against_complete_listing_is_an_error() -> None:
    m = parindex.get_methodology("camau-2013")
    c11 = m.node("1.1")
    field = attrs.evolve(
        m.tree[0],
        children=(attrs.evolve(c11, counts={"sub_criteria": 5}), *m.tree[0].children[1:]),
    )
    broken = attrs.evolve(m, id="x", aliases=(), tree=(field,))
    errors = [f for f in parindex.check_methodology(broken) if f.severity == "error"]
    assert [(f.code, f.node) for f in errors] == [("counts-mismatch", "1.1")]
    assert "5" in errors[0].message
    assert "4" in errors[0].message


def test_band_gaps_are_warnings_and_overlaps_are_refused() -> None:
    m = parindex.get_methodology("province-2018")
    gapped = (
        parindex.Band("A", lower=80, source="groups-2018"),
        parindex.Band("B", lower=70, upper=79, source="groups-2018"),
    )
    odd = attrs.evolve(m, id="x", aliases=(), bands={2018: gapped})
    assert "band-gap" in {f.code for f in parindex.check_methodology(odd)}
    assert "band-gap" not in {f.code for f in parindex.check_methodology(m)}
    # An index in two bands at once would be banded arbitrarily: refused outright.
    overlapping = (*gapped, parindex.Band("C", lower=60, upper=75, source="groups-2018"))
    with pytest.raises(parindex.errors.MethodologyError, match="overlap"):
        attrs.evolve(m, id="x", aliases=(), bands={2018: overlapping})


def test_a_new_score_component_is_accepted_and_warned_about(tmp_path: Path) -> None:
    # Which components exist is data (parindex/data/components.yaml): a new decision's
    # new component loads and scores, and validate asks for it to be added there.
    m = parindex.get_methodology("illustrative-district")
    doc = parindex.methodology_to_dict(m)
    for comp in doc["components"]:
        if comp["id"] == "survey":
            comp["id"] = "citizen_panel"
    path = tmp_path / "new-component.yaml"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    loaded, findings = parindex.check_methodology_file(path)
    assert loaded is not None
    assert loaded.component("citizen_panel").max_points == 20.0
    unknown = [f for f in findings if f.code == "component-unknown"]
    assert [(f.severity, f.node) for f in unknown] == [("warning", "component:citizen_panel")]
    assert "components.yaml" in unknown[0].message
    # Shipped methodologies use only known components.
    known = set(parindex.io.components.COMPONENT_IDS)
    for shipped in parindex.list_methodologies():
        assert {c.id for c in shipped.components} <= known, shipped.id
    # A component id must still be a lower-case identifier.
    doc["components"][0]["id"] = "Appraisal points"
    with pytest.raises(parindex.errors.MethodologyError, match="not well formed"):
        parindex.methodology_from_dict(doc)


def test_known_components_carry_names_and_sources() -> None:
    known = parindex.io.components.score_components()
    assert [c.id for c in known] == list(parindex.io.components.COMPONENT_IDS)
    assert all(c.name_vi and c.name_en and c.source.url.startswith("http") for c in known)


# --------------------------------------------------------------------------- CLI


def test_methodologies_json_covers_every_year_at_both_levels() -> None:
    code, out, _ = run("methodologies", "--format", "json")
    assert code == 0
    items = json.loads(out)
    for level in ("province", "ministry"):
        national = [i for i in items if i["level"] == level and i["region"] is None]
        for year in range(2012, 2025):
            hits = [i for i in national if year in i["evaluation_years"]]
            assert len(hits) == 1, (level, year, [h["id"] for h in hits])
            hit = hits[0]
            assert hit["decision"], (level, year)
            assert any(u.startswith("http") for u in hit["sources"]), (level, year)
            assert isinstance(hit["complete"], bool)


def test_show_province_2022_marks_three_fields_unknown() -> None:
    code, out, _ = run("show", "province-2022")
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines() if line[:1].isdigit()}
    # Field maxima from provinces' "x / max" scores for 2024 (Hòa Bình, Sơn La):
    # https://thongtindoingoai.sonla.gov.vn/en/content-1040-tang-chi-so-cai-cach-hanh-chinh.html
    known = {"1": "9.5", "3": "13", "4": "10.5", "5": "15", "8": "16.5"}
    for fid, mx in known.items():
        assert f"[max {mx}]" in lines[fid]
    for fid in ("2", "6", "7"):
        assert "[max unknown]" in lines[fid]


def test_validate_cli_prints_findings_and_exit_codes(tmp_path: Path) -> None:
    code, out, _ = run("validate", str(DATA / "province-2017.yaml"))
    assert code == 0
    assert "warning [counts-sum]" in out
    assert "valid (province-2017" in out
    bad = tmp_path / "bad.yaml"
    text = (DATA / "province-2017.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("max_points: 7\n", "max_points: 8\n"), encoding="utf-8")
    code, out, err = run("validate", str(bad))
    assert code == 2
    assert err.count("\n") == 1
    assert "101" in err


# --------------------------------------------------------------------------- registry


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("province-2023", "province-2022"),
        ("province-2024", "province-2022"),
        ("ministry-2024", "ministry-2022"),
        ("ministry-2013", "ministry-2012"),
        ("province-2021", "province-2020"),
        ("876/QĐ-BNV province", "province-2022"),
        ("1149/QD-BNV ministry", "ministry-2020"),
        ("52/2019/QĐ-UBND commune", "hatinh-commune-2019"),
    ],
)
def test_registry_lookups(key: str, expected: str) -> None:
    assert parindex.get_methodology(key).id == expected


@pytest.mark.parametrize("key", ["ministry-2025", "province-2011"])
def test_uncovered_year_names_the_covered_years(key: str) -> None:
    with pytest.raises(parindex.errors.UnknownMethodologyError, match="years covered: 2012, 2013"):
        parindex.get_methodology(key)


def test_2025_is_marked_not_established() -> None:
    m = parindex.get_methodology("province-2025")
    assert not m.complete
    assert m.decision.number is None
    assert m.tree == ()
    assert "not established" in m.notes


# --------------------------------------------------------------------------- data facts


def test_2023_province_components_reproduce_dak_lak() -> None:
    # Đắk Lắk 2023: 57.92/61.5 + 2.97/6.5 + 18.29/22 + 8.15/10 = 87.33
    # http://khdt.daklak.gov.vn/dak-lak-tang-10-bac-xep-hang-chi-so-cai-cach-hanh-chinh-nam-2023-1533.html
    m = parindex.get_methodology("province-2023")
    assert {c.id: c.max_points for c in m.components} == {
        "appraisal": 61.5,
        "impact": 6.5,
        "leader_survey": 22.0,
        "sipas": 10.0,
    }
    sheet = parindex.sheet_from_csv(
        "unit,node,points\n"
        "Đắk Lắk,appraisal,57.92\nĐắk Lắk,impact,2.97\n"
        "Đắk Lắk,leader_survey,18.29\nĐắk Lắk,sipas,8.15\n"
    )
    total = parindex.score(m, sheet).unit("Đắk Lắk").total
    assert parindex.round_half_up(total.index, 2) == 87.33


def test_hanoi_survey_is_optional_and_rescales() -> None:
    # Hà Nội framework: without a survey the appraised score is rescaled to 100.
    # https://thuonggiaonline.vn/ha-noi-ban-hanh-khung-chi-so-danh-gia-ket-qua-cong-tac-cchc-25847.htm
    sheet = parindex.sheet_from_csv(
        "unit,node,points,status\nP,appraisal,56,\nP,survey,,na\nQ,appraisal,56,\nQ,survey,24,\n"
    )
    result = parindex.score("hanoi-district-division-framework", sheet)
    assert result.unit("P").total.max_points == 70
    assert math.isclose(result.unit("P").total.index or 0, 56 / 70 * 100)
    assert math.isclose(result.unit("Q").total.index or 0, 80.0)


def test_camau_field_1_is_never_summed_from_its_partial_children() -> None:
    m = parindex.get_methodology("camau-2013")
    assert m.node("1").max_points == 20
    assert math.fsum(c.max_points or 0 for c in m.node("1").children) == 10
    # Every visible leaf scored, and criterion 1.3 at its maximum: field 1 still has
    # 10 points in criteria not visible in the excerpt, so its points stay unknown.
    sheet = parindex.sheet_from_csv(
        "unit,node,value,points\nA,1.1.1,issued on time,\nA,1.1.2,yes,\nA,1.1.3,yes,\n"
        "A,1.1.4,95%,\nA,1.2.1,yes,\nA,1.2.2,no,\nA,1.3,,3\n"
    )
    unit = parindex.score(m, sheet, missing="unknown").unit("A")
    assert unit.nodes["1.1"].points == 5
    assert unit.nodes["1.2"].points == 1
    assert unit.nodes["1.3"].points == 3
    assert unit.nodes["1"].points is None
    assert unit.total.points is None


def test_camau_tier_boundaries_are_exact() -> None:
    # "trên 90%" -> 2, "từ 70% - 90%" -> 1, "dưới 70%" -> 0 (1880/QĐ-UBND, Cà Mau 2013)
    import numpy as np

    rule = parindex.get_methodology("camau-2013").node("1.1.4").rule
    assert rule is not None
    got = rule.points(np.array([90.0001, 90.0, 70.0, 69.999]), 2.0).tolist()
    assert got == [2.0, 1.0, 1.0, 0.0]


def test_hatinh_central_agencies_scale_is_60() -> None:
    m = parindex.get_methodology("hatinh-central-agencies-2019")
    assert m.total_max == 60
    assert [(c.id, c.max_points) for c in m.components] == [("appraisal", 40), ("survey", 20)]


def test_duplicate_and_malformed_ids_are_error_findings(tmp_path: Path) -> None:
    text = (DATA / "camau-2013.yaml").read_text(encoding="utf-8")
    dup = tmp_path / "dup.yaml"
    dup.write_text(text.replace('id: "1.2.2"', 'id: "1.2.1"'), encoding="utf-8")
    m, findings = parindex.authoring.validate.check_methodology_file(dup)
    assert m is None
    assert [(f.severity, f.code, f.node) for f in findings] == [("error", "invalid", "1.2.1")]
    bad = tmp_path / "bad-id.yaml"
    bad.write_text(text.replace('id: "1.3"', 'id: "1.3 "'), encoding="utf-8")
    _, findings = parindex.authoring.validate.check_methodology_file(bad)
    assert findings[0].severity == "error"
    assert "not well formed" in findings[0].message
    code, _, err = run("validate", str(dup))
    assert code == 2
    assert "appears twice" in err


def test_a_level_that_contradicts_the_key_is_an_error() -> None:
    # GET /methodologies/province-2017?level=moon used to answer with province-2017.
    with pytest.raises(
        parindex.errors.UnknownMethodologyError, match="a province methodology, not moon"
    ):
        parindex.get_methodology("province-2017", level="moon")
    assert parindex.get_methodology("province-2017", level="province").id == "province-2017"
    assert parindex.get_methodology("876/QĐ-BNV", level="ministry").id == "ministry-2022"
