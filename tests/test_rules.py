"""Each report rule fires on the defect it is about, and stays silent on a clean report."""

from __future__ import annotations

import pytest
from tests.conftest import DATA

import xxgk
from xxgk.check.registry import load_rules
from xxgk.i18n import use_lang

CLEAN = (DATA / "corpus" / "001_59945f3aceea766a.txt").read_text(encoding="utf-8")
HUAIAN = (DATA / "pypdf" / "huaian-city-2024.txt").read_text(encoding="utf-8")


def codes(text: str) -> dict[str, list[xxgk.Finding]]:
    out: dict[str, list[xxgk.Finding]] = {}
    for f in xxgk.parse_text(text, "t.txt").findings:
        out.setdefault(f.code, []).append(f)
    return out


def test_every_rule_is_documented() -> None:
    rules = load_rules()
    assert len(rules) >= 20
    for r in rules.values():
        assert r.severity in ("error", "warning", "info")
        assert len(r.doc) > 60 and r.summary


def test_clean_reports_have_no_warnings() -> None:
    assert codes(CLEAN) == {}
    assert codes(HUAIAN) == {}


@pytest.mark.parametrize(("old", "new", "code", "cell"), [
    ("（七）总计 2932 53", "（七）总计 2933 53", "T3-balance", "applications.total_processed.natural_person"),
    ("（一）予以公开 1288 21", "（一）予以公开 1289 21", "T3-results", "applications.total_processed.natural_person"),
    ("3、其他 108 2 0 0 0 0 110", "3、其他 108 2 0 0 0 0 111", "T3-applicants", "applications.other_other.total"),
    ("72 64 178 37 351", "72 64 178 37 352", "T4-groups", "appeals.review.total"),
    ("行政强制 88283", "行政强制 -88283", "negative-count", "active.coercion.decisions"),
    ("行政强制 88283", "行政强制 882.83", "non-integer-count", "active.coercion.decisions"),
    ("2.重复申请 25 0 0 0 0 0 25", "2.重复申请 25 0 0 0 0 25", "missing-cells", "applications.rejected_duplicate.total"),
    ("受理政府信息公开申请 3119 件", "受理政府信息公开申请 3118 件", "narrative-vs-table", "applications.new_received.total"),
    ("政府信息公开行政复议 351", "政府信息公开行政复议 350", "narrative-vs-table", "appeals.review.total"),
    ("（六）其\n他处理\n1、申请人无正当理由逾期不补\n正、行政机关不再处理其政府信\n息公开申请\n67 3 0 0 1 0 71\n"
     "2、申请人逾期未按收费通知要\n求缴纳费用、行政机关不再处理\n其政府信息公开申请\n6 0 0 0 0 0 6\n3、其他 108 2 0 0 0 0 110",
     "（六）其他处理 181 5 0 0 1 0 187", "outdated-template-row", "applications.other_handling.total"),
])
def test_defect_is_reported_at_its_cell(old: str, new: str, code: str, cell: str) -> None:
    assert old in HUAIAN
    found = codes(HUAIAN.replace(old, new, 1))
    assert code in found, sorted(found)
    assert any(cell in f.cells for f in found[code]), [f.cells for f in found[code]]


@pytest.mark.parametrize(("old", "new", "code"), [
    ("六、其他需要报告的事项", "六、附件", "missing-section"),
    ("淮安市人民政府\n2024 年政府信息公开工作年度报告", "", "no-title"),
    ("2024 年，市政府严格落实《政府信息公开信息处理费管理\n办法》，全年收取政府信息公开信息处理费 3940 元", "全年无收费",
     "no-fee-statement"),
    ("（三）政府信息管理情况", "（三）管理情况", "section1-heads"),
    ("自 2024 年 1 月 1 日至 2024 年 12 月 31 日", "自 2023 年 1 月 1 日至 2023 年 12 月 31 日", "period-mismatch"),
])
def test_text_defects(old: str, new: str, code: str) -> None:
    assert old in HUAIAN
    assert code in codes(HUAIAN.replace(old, new, 1))


def test_sections_out_of_order() -> None:
    five, six = HUAIAN.index("五、存在的主要问题"), HUAIAN.index("六、其他需要报告")
    swapped = HUAIAN[:five] + HUAIAN[six:] + "\n" + HUAIAN[five:six]
    assert "section-order" in codes(swapped)


def test_outdated_template() -> None:
    text = (DATA / "corpus" / "002_dd09eda2b8fcd8ea.txt").read_text(encoding="utf-8")
    found = codes("某某县人民政府2022年政府信息公开工作年度报告\n" + text.replace("2020", "2022"))
    assert "outdated-template" in found


def test_narrative_zero_claim() -> None:
    text = CLEAN.replace("一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0",
                         "一、本年新收政府信息公开申请数量\t\t2\t0\t0\t0\t0\t0\t2")
    found = codes(text)
    assert "narrative-vs-table" in found  # the text says 未收到政府信息公开申请


def test_unrelated_numbers_in_the_sentence_are_not_compared() -> None:
    text = HUAIAN.replace("受理政府信息公开申请 3119 件", "受理政府信息公开申请 3119 件（涉及 2024 年 12 个部门）")
    assert "narrative-vs-table" not in codes(text)


def test_a_finding_needs_every_parameter_of_its_message() -> None:
    r = load_rules()["negative-count"]
    with pytest.raises(KeyError, match="value"):
        r.finding(["active.coercion.decisions"], cell="行政强制 · 本年处理决定数量")
    with pytest.raises(KeyError, match="no message"):
        r.finding(variant="nonexistent", cell="x", value=-1)
    f = r.finding(["active.coercion.decisions"], "p2", cell="行政强制 · 本年处理决定数量", value=-1)
    assert f.to_dict()["params"] == {"cell": "行政强制 · 本年处理决定数量", "value": -1}


def test_findings_are_ordered_the_same_in_every_language() -> None:
    text = HUAIAN.replace("行政强制 88283", "行政强制 —").replace("72 64 178 37 351", "72 64 178 37 352")
    with use_lang("zh"):
        zh = [(f.code, f.cells, f.params) for f in xxgk.parse_text(text, "t.txt").findings]
    with use_lang("en"):
        en = [(f.code, f.cells, f.params) for f in xxgk.parse_text(text, "t.txt").findings]
    assert zh == en and len(zh) >= 3
