"""The HTML audit: content, self-containment, determinism, and a real headless Chromium run."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from xxgk.audit import render_audit
from xxgk.check.registry import load_rules
from xxgk.export.layout import label_of
from xxgk.report import Finding, Report

DATA = Path(__file__).parent / "data" / "reports"
FAILURES = [("broken.pdf", "not a PDF: the file is empty"), ("scan.docx", "encrypted document")]


def load() -> list[Report]:
    reps = [Report.from_dict(json.loads(f.read_text(encoding="utf-8"))) for f in sorted(DATA.glob("*.json"))]
    huaian = next(r for r in reps if r.source.file == "huaian-city-2024.pdf")
    message = "总计列：本年新收 + 上年结转 ≠ 办理结果总计 + 结转下年度"
    cells = ["applications.new_received.total", "applications.carried_forward.total"]
    huaian.findings.append(Finding.of_text("T3-balance", "error", message, cells, "p4"))
    return reps


class _Collect(HTMLParser):
    """Element ids, classes of <tr>, external references."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.rows: list[str] = []
        self.external: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "tr" and a.get("class"):
            self.rows.append(a["class"] or "")
        if (tag in ("script", "img", "iframe") and a.get("src")) or (tag == "link" and a.get("href")):
            self.external.append(f"{tag} {a.get('src') or a.get('href')}")
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")


@pytest.fixture(scope="module")
def html() -> str:
    return render_audit(load(), FAILURES)


def test_summary_failures_and_counts(html: str) -> None:
    reps = load()
    assert "7 份报告" in html
    for file, reason in FAILURES:
        assert file in html and reason in html
    n = {s: sum(f.severity == s for r in reps for f in r.findings) for s in ("error", "warning", "info")}
    assert re.search(rf'<div class="n">{n["error"]}</div><div class="l">错误</div>', html)
    assert re.search(rf'<div class="n">{n["warning"]}</div><div class="l">警告</div>', html)


def test_every_finding_listed_with_rule_doc_label_and_location(html: str) -> None:
    reps = load()
    p = _Collect()
    p.feed(html)
    finding_rows = [c for c in p.rows if c.startswith("finding ")]
    assert len(finding_rows) == sum(len(r.findings) for r in reps)
    assert p.external == []  # self-contained: no script, stylesheet or image fetched
    rules = load_rules()
    huaian = next(r for r in reps if r.source.file == "huaian-city-2024.pdf")
    # the rule link targets the rule's doc, which is the registry's text
    assert "#rule-T3-balance" in p.hrefs and "rule-T3-balance" in p.ids
    doc = rules["T3-balance"].doc
    assert (doc.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
            .replace("'", "&#39;")) in html
    # the cell's verbatim template label is shown next to the finding
    assert label_of(huaian.template, "applications.new_received.total") in html
    assert "一、本年新收政府信息公开申请数量 · 总计" in html
    # every report has its own anchor, and the index links to it
    anchors = [i for i in p.ids if i.startswith("r-")]
    assert len(anchors) == len(reps) == len(set(anchors))
    assert all(f"#{a}" in p.hrefs for a in anchors)


def test_tables_laid_out_like_the_template_with_status_colours(html: str) -> None:
    # 004 lost one number: that cell is marked missing; 000's inferred cells are marked inferred
    assert re.search(r'<td class="v s-missing[^"]*" data-path="applications.unable_not_held.research"', html)
    assert re.search(r'<td class="v s-inferred[^"]*" data-path="applications.granted.total"', html)
    # the printed dash of 区科工局's fee cell is shown as printed, on a blank cell
    assert re.search(r'<td class="v s-blank[^"]*" data-path="active.fees.amount"[^>]*>—</td>', html)
    # a cell an error points at is outlined, with the message in its tooltip
    m = re.search(r'<td class="v s-read flag flag-error" data-path="applications.new_received.total" '
                  r'title="([^"]*)"', html)
    assert m and "T3-balance" in m.group(1)
    # table 四 prints its groups side by side with the two-level 行政诉讼 header
    assert '<th class="head" colspan="10">行政诉讼</th>' in html
    assert '<th class="head" rowspan="2" colspan="5">行政复议</th>' in html
    # a row outside the template (洪泽区 prints the 2019 （六）其他处理) is shown, marked
    assert "（六）其他处理（模板外）" in html


def test_deterministic_and_order_independent() -> None:
    reps = load()
    a = render_audit(reps, FAILURES)
    b = render_audit(list(reversed(load())), list(reversed(FAILURES)))
    assert a == b


def test_corpus_findings_are_shown() -> None:
    reps = load()
    hz = next(r for r in reps if r.source.file == "hongze-district-2024.pdf")
    cross = Finding.of_text("carry-over", "error", "本年上年结转 ≠ 上年结转下年度",
                    ["applications.carried_over.total"])
    html = render_audit(reps, [], {hz.source.sha256: [cross]})
    assert 'id="cross"' in html and "本年上年结转 ≠ 上年结转下年度" in html and "跨年度" in html


def test_empty_audit_renders() -> None:
    html = render_audit([], [("a.pdf", "empty file")])
    assert "0 份报告" in html and "a.pdf" in html and "未发现任何问题" in html


# ---------------------------------------------------------------- real browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                    reason="needs Chromium and chromedriver (apt-get install chromium chromium-driver)")
def test_charts_render_and_findings_visible_in_headless_chromium(tmp_path: Path) -> None:
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs the selenium package")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = tmp_path / "audit.html"
    page.write_text(render_audit(load(), FAILURES), encoding="utf-8")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1400,1000", f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        driver.get(page.as_uri())
        wait = WebDriverWait(driver, 30)
        for chart in ("chart-rules", "chart-years", "chart-rates"):
            canvas = wait.until(lambda d, c=chart: d.find_elements(By.CSS_SELECTOR, f"#{c} canvas"))
            assert canvas[0].size["width"] > 100 and canvas[0].size["height"] > 100
        assert driver.execute_script("return typeof echarts") == "object"
        rows = driver.find_elements(By.CSS_SELECTOR, "#finding-table tr.finding")
        assert rows and rows[0].is_displayed()
        assert "T3-balance" in rows[0].text  # errors first
        # the severity filter hides warnings
        n_warn = len(driver.find_elements(By.CSS_SELECTOR, "tr.finding.sev-warning"))
        driver.find_element(By.CSS_SELECTOR, "#filters input[data-sev=warning]").click()
        visible = [r for r in driver.find_elements(By.CSS_SELECTOR, "tr.finding") if r.is_displayed()]
        assert len(visible) == len(rows) - n_warn
        assert driver.find_element(By.ID, "shown").text == f"显示 {len(visible)} / {len(rows)}"
        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        assert errors == []
    finally:
        driver.quit()
