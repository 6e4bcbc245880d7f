"""Who, where, what level: region names and codes from cpca's division table, never guessed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xxgk
from conftest_db import DATA, make_report
from xxgk.identity import Place, apply, classify_level, dominant_place, find_place, identify, mentioned_places


@pytest.mark.parametrize(
    ("agency", "region", "code", "level"),
    [
        ("淮安市洪泽区人民政府", "江苏省淮安市洪泽区", "320813", "county"),
        ("淮安市人民政府", "江苏省淮安市", "320800", "city"),
        ("江苏省人民政府", "江苏省", "320000", "province"),
        ("北京市海淀区人民政府", "北京市海淀区", "110108", "county"),
        ("青铜峡市人民政府", "宁夏回族自治区吴忠市青铜峡市", "640381", "county"),  # a county-level city
        ("石嘴山高新技术产业开发区管理委员会", "宁夏回族自治区石嘴山市", "640200", "development_zone"),
        ("平罗县黄渠桥镇人民政府", "宁夏回族自治区石嘴山市平罗县", "640221", "township"),
        ("南京市鼓楼区发展和改革委员会", "江苏省南京市鼓楼区", "320106", "department"),  # 鼓楼区 under 南京市
        ("淮安市洪泽区高良涧街道办事处", "江苏省淮安市洪泽区", "320813", "township"),
        ("国家税务总局", "中华人民共和国", "100000", "department"),  # a central body
    ],
)
def test_region_code_and_level_from_the_name(agency: str, region: str, code: str, level: str) -> None:
    ident = identify(make_report(agency, 2023))
    assert (ident.region, ident.region_code, ident.level) == (region, code, level)
    assert ident.body is not None and ident.body.region_code == code
    assert ident.provenance["region"].startswith("agency name")


def test_a_shared_name_is_not_guessed() -> None:
    rep = make_report("鼓楼区人民政府", 2023)
    ident = identify(rep)
    assert ident.region is None and ident.region_code is None and ident.body is None
    assert ident.level == "county" and ident.provenance["level"] == "agency name"  # every 区 is county level
    why = ident.provenance["region"]
    assert why.startswith("unknown:") and "江苏省南京市鼓楼区" in why and "福建省福州市鼓楼区" in why


def test_a_shared_name_settled_by_the_text() -> None:
    rep = make_report("鼓楼区人民政府", 2023)
    rep.sections[0].text += "在开封市委、开封市政府的领导下，我区认真落实河南省政务公开要点。"
    ident = identify(rep)
    assert (ident.region_code, ident.level) == ("410204", "county")
    assert ident.body is not None


def test_full_name_printed_in_the_text(tmp_path) -> None:
    rep = xxgk.read(DATA / "identity" / "luanchuan-zone-2022.txt")
    assert rep.meta.agency == "先进制造业开发区"  # the title drops the county
    ident = identify(rep)
    assert (ident.region, ident.region_code, ident.level) == ("河南省洛阳市栾川县", "410324", "development_zone")
    assert ident.provenance["region"] == "text (full name printed: 栾川县先进制造业开发区)"
    assert ident.body is not None and ident.body.key == "410324:先进制造业开发区"


def test_region_from_the_places_a_report_mentions() -> None:
    rep = xxgk.read(DATA / "store" / "kaifeng-keigong-2022.txt")
    ident = identify(rep)
    assert rep.meta.agency == "区科工局"
    assert (ident.region, ident.region_code) == ("河南省开封市", "410200")
    assert ident.provenance["region"] == "text (the places the report mentions most)"
    assert ident.body is None  # which district is not printed: not linked across years


def test_nothing_to_go_on_stays_unknown() -> None:
    rep = xxgk.read(DATA / "identity" / "no-title-2020.txt")
    ident = identify(rep)
    assert (ident.agency, ident.region, ident.level, ident.body) == (None, None, None, None)
    assert ident.year == 2020


def test_file_name_is_the_last_resort() -> None:
    rep = make_report(None, 2024, file="淮安市人民政府2024年政府信息公开工作年度报告.txt")
    ident = identify(rep)
    assert ident.agency == "淮安市人民政府" and ident.provenance["agency"] == "filename"
    assert (ident.region_code, ident.level) == ("320800", "city")
    assert ident.provenance["region"] == "agency name (filename)" and ident.body is not None


def test_same_body_across_years_and_spellings() -> None:
    keys = {
        identify(make_report(name, y)).body.key
        for name, y in [  # type: ignore[union-attr]
            ("淮安市洪泽区人民政府", 2022),
            ("江苏省淮安市洪泽区人民政府", 2023),
            ("淮安市 洪泽区 人民政府", 2024),
        ]
    }
    assert keys == {"320813:人民政府"}
    zone = {
        identify(make_report(n, 2023)).body.key
        for n in ("石嘴山高新技术产业开发区管理委员会", "石嘴山高新技术产业开发区管委会")  # type: ignore[union-attr]
    }
    assert len(zone) == 1
    assert identify(make_report("淮安市人民政府", 2023)).body.key != "320813:人民政府"  # type: ignore[union-attr]


def test_placeholders_and_passing_mentions() -> None:
    # 重庆's 县 row of the division table is a word, not a place.
    assert mentioned_places("本县各乡镇全面推进政务公开") == []
    # One mention of another province does not outvote the report's own places.
    places = mentioned_places("开封市政府、开封市委、河南省政府、开封市鼓楼区；学习兴化经验。")
    assert dominant_place(places) == Place("410200", 1)
    assert dominant_place(mentioned_places("赴杭州市学习，又赴南京市学习。")) is None


def test_find_place_run() -> None:
    m = find_place("江苏省淮安市洪泽区人民政府")
    assert m is not None and m.place == Place("320813", 2) and (m.start, m.end) == (0, 9)


def test_apply_fills_meta_with_provenance() -> None:
    rep = make_report("淮安市洪泽区人民政府", 2024)
    ident = apply(rep)
    assert (rep.meta.region, rep.meta.level) == ("江苏省淮安市洪泽区", "county")
    assert rep.meta.provenance["region"] == "agency name (title)"
    assert ident.region_code == "320813"
    before = rep.to_json()
    apply(rep)
    assert rep.to_json() == before  # idempotent


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("省市区县镇乡街道人民政府局委办开发区管委会鼓楼南京开封淮安洪泽 （）·")),
        max_size=30,
    )
)
def test_any_name_is_identified_without_error(name: str) -> None:
    ident = identify(make_report(name or None, 2023))
    assert ident.level in (None, "province", "city", "county", "township", "development_zone", "department")
    if ident.region_code is not None:
        assert len(ident.region_code) == 6 and ident.region


def test_the_division_table_loads_without_importing_cpca() -> None:
    """cpca's own import needs pkg_resources (gone from current setuptools) and pandas; only its
    data file is read."""
    import subprocess
    import sys

    code = (
        "import sys; from xxgk.identity import find_place; "
        "m = find_place('淮安市洪泽区人民政府'); assert m.place.code == '320813', m; "
        "assert 'cpca' not in sys.modules and 'pandas' not in sys.modules and 'pkg_resources' not in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_one_body_key_for_the_store_and_for_callers(tmp_path) -> None:
    """`report_body_key` is the key the store links bodies by: compile, stats and compare group
    by the same one."""
    from xxgk.identity import report_body_key
    from xxgk.store import Store

    report = make_report("淮安市洪泽区人民政府", 2023)
    with Store.open(tmp_path / "k.sqlite") as store:
        store.add(report)
        (body,) = store.bodies()
    assert report_body_key(report) == body.key and body.key.startswith(body.region_code + ":")


@pytest.mark.parametrize(("name", "level"), [
    ("郫都区人民政府", "county"), ("鼓楼区人民政府", "county"), ("某某县人民政府", "county"), ("某旗政府", "county"),
    ("广西壮族自治区人民政府", "province"), ("延边朝鲜族自治州人民政府", "city"), ("朝阳市人民政府", None),
])
def test_a_government_of_unknown_region_has_the_level_its_name_says(name: str, level: str | None) -> None:
    """Found by the round-trip property test: a 鼓楼区 (four cities have one) or the renamed 郫都区
    had no level, so fee-unit had no limit to judge a 元 amount by. 市 stays unknown: a city
    or a county-level city."""
    assert classify_level(name, None) == level
