"""Every registered rule has a fixture that triggers it, and its findings read well in both languages.

TRIGGERS maps each rule code to a function that builds real input (a corpus report with one
defect typed in, a web page, a body's reports over two years) and returns the findings xxgk
gives for it. A rule added without a trigger fails `test_every_rule_has_a_trigger`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import DATA

import xxgk
from conftest_db import make_report
from xxgk.check.peers import peer_findings
from xxgk.check.registry import load_rules
from xxgk.check.rules.cross_report import body_findings
from xxgk.i18n import use_lang
from xxgk.report import Finding
from xxgk.template import TEMPLATES

HUAIAN = (DATA / "pypdf" / "huaian-city-2024.txt").read_text(encoding="utf-8")
OLD_2020 = (DATA / "corpus" / "002_dd09eda2b8fcd8ea.txt").read_text(encoding="utf-8")
HZ = "淮安市洪泽区人民政府"
# A report whose tables print none of the labels that tell the two templates apart.
UNDECIDED = """某某县人民政府2022年政府信息公开工作年度报告
一、总体情况
本年度我县政府信息公开工作有序推进。
二、主动公开政府信息情况
本年度主动公开政府信息若干条。
三、收到和处理政府信息公开申请情况
本年新收政府信息公开申请数量 0 0 0 0 0 0 0
四、政府信息公开行政复议、行政诉讼情况
本年度未发生政府信息公开行政复议、行政诉讼。
五、存在的主要问题及改进情况
工作仍有不足。
六、其他需要报告的事项
本年度未收取信息处理费。
"""
PROBLEMS = ("一是政务公开工作机制还不够健全，部分单位对政务公开工作重视程度不够；二是信息发布质量有待提高，"
            "解读回应还不够及时。下一步，我们将健全工作机制，加强业务培训，提升发布质量。")


def _huaian(old: str, new: str) -> Callable[[Path], list[Finding]]:
    def run(_tmp: Path) -> list[Finding]:
        assert old in HUAIAN
        return xxgk.parse_text(HUAIAN.replace(old, new, 1), "t.txt").findings
    return run


def _text(text: str) -> Callable[[Path], list[Finding]]:
    return lambda _tmp: xxgk.parse_text(text, "t.txt").findings


def _web_page_of_pictures(tmp: Path) -> list[Finding]:
    """A web page whose statistics tables are pictures: the HTML extractor warns."""
    body = "".join(f"<p>{html.escape(line)}</p>" for line in UNDECIDED.splitlines())
    page = (f"<html><head><meta charset='utf-8'><title>年度报告</title></head><body><div>{body}"
            "<img src='table2.png'><img src='table3.png'></div></body></html>")
    path = tmp / "report.html"
    path.write_text(page, encoding="utf-8")
    return xxgk.read(path).findings


def _years(before: dict, after: dict, **kw: str) -> Callable[[Path], list[Finding]]:
    def run(_tmp: Path) -> list[Finding]:
        y1 = make_report(HZ, 2022, values=before, section5=kw.get("s1", "无。"), file="2022.txt")
        y2 = make_report(HZ, 2023, values=after, section5=kw.get("s2", "无。"), file="2023.txt")
        return [f for _, f in body_findings([y1, y2])]
    return run


_SWAPPED = (HUAIAN[:HUAIAN.index("五、存在的主要问题")] + HUAIAN[HUAIAN.index("六、其他需要报告"):] + "\n"
            + HUAIAN[HUAIAN.index("五、存在的主要问题"):HUAIAN.index("六、其他需要报告")])
_OTHER_2019 = ("（六）其\n他处理\n1、申请人无正当理由逾期不补\n正、行政机关不再处理其政府信\n息公开申请\n67 3 0 0 1 0 71\n"
               "2、申请人逾期未按收费通知要\n求缴纳费用、行政机关不再处理\n其政府信息公开申请\n6 0 0 0 0 0 6\n"
               "3、其他 108 2 0 0 0 0 110")

TRIGGERS: dict[str, Callable[[Path], list[Finding]]] = {
    "T3-balance": _huaian("（七）总计 2932 53", "（七）总计 2933 53"),
    "T3-results": _huaian("（一）予以公开 1288 21", "（一）予以公开 1289 21"),
    "T3-applicants": _huaian("3、其他 108 2 0 0 0 0 110", "3、其他 108 2 0 0 0 0 111"),
    "T4-groups": _huaian("72 64 178 37 351", "72 64 178 37 352"),
    "negative-count": _huaian("行政强制 88283", "行政强制 -88283"),
    "non-integer-count": _huaian("行政强制 88283", "行政强制 882.83"),
    "blank-cells": _huaian("行政强制 88283", "行政强制 —"),
    "unresolved-cells": _huaian("行政强制 88283", "行政强制 —"),
    "missing-cells": _huaian("2.重复申请 25 0 0 0 0 0 25", "2.重复申请 25 0 0 0 0 25"),
    "narrative-vs-table": _huaian("受理政府信息公开申请 3119 件", "受理政府信息公开申请 3118 件"),
    "outdated-template-row": _huaian(_OTHER_2019, "（六）其他处理 181 5 0 0 1 0 187"),
    "unmatched-row": _huaian("8.属于行政查询事项 105 0 0 0 0 0 105\n",
                             "8.属于行政查询事项 105 0 0 0 0 0 105\n9.涉及个人隐私 3 0 0 0 0 0 3\n"),
    "missing-section": _huaian("六、其他需要报告的事项", "六、附件"),
    "no-title": _huaian("淮安市人民政府\n2024 年政府信息公开工作年度报告", ""),
    "no-fee-statement": _huaian("2024 年，市政府严格落实《政府信息公开信息处理费管理\n办法》，全年收取政府信息公开信息处理费 3940 元",
                                "全年无收费"),
    "section1-heads": _huaian("（三）政府信息管理情况", "（三）管理情况"),
    "period-mismatch": _huaian("自 2024 年 1 月 1 日至 2024 年 12 月 31 日", "自 2023 年 1 月 1 日至 2023 年 12 月 31 日"),
    "section-order": _text(_SWAPPED),
    "early-template": _text(HUAIAN.replace("2024", "2020")),
    "outdated-template": _text("某某县人民政府2022年政府信息公开工作年度报告\n" + OLD_2020.replace("2020", "2022")),
    "template-undetermined": _text(UNDECIDED),
    "extraction-warning": _web_page_of_pictures,
    "year-carry-over": _years({"applications.carried_forward.total": 5}, {"applications.carried_over.total": 3}),
    "year-in-force": _years({"active.normative_documents.in_force": 10},
                            {"active.normative_documents.in_force": 30, "active.normative_documents.issued": 2,
                             "active.normative_documents.repealed": 1}),
    "year-jump": _years({"active.licensing.decisions": 948}, {"active.licensing.decisions": 9487}),
    "year-section5-copied": _years({}, {}, s1="2022年" + PROBLEMS, s2="2023年，" + PROBLEMS),
}

def _late(_tmp: Path) -> list[Finding]:
    """A city government's report signed after 3月31日 of the following year."""
    return xxgk.parse_text(HUAIAN + "\n淮安市人民政府\n2025年4月10日\n", "t.txt").findings


def _boilerplate_five(_tmp: Path) -> list[Finding]:
    start, end = HUAIAN.index("五、存在的主要问题"), HUAIAN.index("六、其他需要报告")
    return xxgk.parse_text(HUAIAN[:start] + "五、存在的主要问题及改进情况\n无。\n" + HUAIAN[end:], "t.txt").findings


def _revised(_tmp: Path) -> list[Finding]:
    first = make_report(HZ, 2023, values={"applications.new_received.natural_person": 50}, file="v1.txt")
    second = make_report(HZ, 2023, values={"applications.new_received.natural_person": 52}, file="v2.txt")
    return [f for _, f in body_findings([first, second])]


def _copied(_tmp: Path) -> list[Finding]:
    a = make_report("淮安市洪泽区司法局", 2024, section5=PROBLEMS * 2, file="sf.txt")
    b = make_report("淮安市洪泽区审计局", 2024, section5=PROBLEMS * 2, file="sj.txt")
    return [f for _, f in peer_findings([a, b])]


def _missing(_tmp: Path) -> list[Finding]:
    return [f for _, f in peer_findings([make_report(HZ, 2024)], expected=[HZ, "淮安市洪泽区教育体育局"])]


TRIGGERS.update({
    "late-publication": _late,
    "section5-boilerplate": _boilerplate_five,
    "fee-unit": _huaian("行政事业性收费 96171.6", "行政事业性收费 961716000"),
    "report-revised": _revised,
    "copied-from-other-body": _copied,
    "missing-subordinate": _missing,
})

_KEYS = sorted({p for t in TEMPLATES.values() for p in t.cell_paths()}
               | {f"applications.{r.key}.{c.key}" for t in TEMPLATES.values() for r in t.foreign_rows
                  for c in r.columns}, key=len, reverse=True)


def test_every_rule_has_a_trigger() -> None:
    assert sorted(load_rules()) == sorted(TRIGGERS), "add a trigger for each new rule (or drop a stale one)"


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_trigger_fires_and_reads_well(code: str, tmp_path: Path) -> None:
    found = [f for f in TRIGGERS[code](tmp_path) if f.code == code]
    assert found, f"{code} did not fire"
    for f in found:
        json.dumps(f.params)  # parameters are data, not objects
        with use_lang("zh"):
            zh = f.message
        with use_lang("en"):
            en = f.message
        assert zh != en
        for text in (zh, en):
            assert not re.search(r"\{\w+(?::[^}]*)?\}", text), text  # every placeholder filled
            assert not [k for k in _KEYS if k in text], text  # cells named by their labels, never keys
        assert re.search(r"[A-Za-z]{3,}", en)
