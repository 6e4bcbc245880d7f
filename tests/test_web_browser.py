"""End to end in a real browser: Debian's Chromium driven by Selenium (headless) against the
workbench served by uvicorn on 127.0.0.1. Log in, upload a zip of the bundled samples, watch
the progress, open a report, dismiss a finding, correct a cell and see the findings change,
download the 审核意见. 填报: type a number that breaks a total, see its finding appear beside the
cell, mend it, see it go. 采集: add a column, collect it (a fake site on 127.0.0.1), watch it end."""

from __future__ import annotations

import io
import shutil
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest
from docx import Document

from xxgk.review import open_store, rounds, users

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SAMPLES = Path(__file__).parents[1] / "src" / "xxgk" / "samples"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
                       reason="Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    import uvicorn

    from xxgk.web import Settings, create_app

    db = f"sqlite:///{tmp_path / 'browser.sqlite'}"
    store = open_store(db)
    users.add_user(store.engine, "rita", "reviewer", "rita-password")
    users.add_user(store.engine, "ada", "admin", "ada-password")
    rnd = rounds.create_round(store.engine, "淮安市2024年度年报审核", None, "ada")
    store.close()
    app = create_app(Settings(db=db, files_dir=tmp_path / "files", workers=0))
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield f"http://127.0.0.1:{port}", rnd.id
    srv.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1600,1200"):
        opts.add_argument(arg)
    opts.binary_location = CHROMIUM
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.implicitly_wait(0)
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def samples_zip(folder: Path) -> Path:
    z = folder / "samples.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in sorted(SAMPLES.iterdir()):
            zf.write(p, p.name)
    return z


def test_review_a_round_in_the_browser(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    base, round_id = server
    from selenium.common.exceptions import StaleElementReferenceException

    # htmx swaps parts of the page: an element found a moment ago may be gone; look again.
    wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,))
    d = browser

    d.get(base + f"/rounds/{round_id}")
    assert "/login" in d.current_url  # not signed in: sent to the login page
    d.find_element(By.NAME, "name").send_keys("rita")
    d.find_element(By.NAME, "password").send_keys("rita-password")
    d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(ec.url_contains(f"/rounds/{round_id}"))

    # upload the zip of the bundled samples and watch the progress until every file is settled
    d.find_element(By.ID, "files").send_keys(str(samples_zip(tmp_path)))
    d.find_element(By.ID, "upload-button").click()
    wait.until(ec.url_contains("/uploads/"))
    progress = 'var p = document.getElementById("progress"); return p ? p.dataset.state : null;'
    seen = {d.execute_script(progress)}  # htmx replaces the element every second: read it by script
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = d.execute_script(progress)
        seen.add(state)
        if state == "done":
            break
        time.sleep(0.2)
    assert "done" in seen
    rows = d.find_elements(By.CSS_SELECTOR, "#progress tbody tr")
    assert len(rows) == 8
    failed = d.find_elements(By.CSS_SELECTOR, "#progress tr.file-failed")
    assert [r.find_elements(By.TAG_NAME, "td")[0].text for r in failed] == ["samples.zip!README.md"]
    assert failed[0].find_elements(By.TAG_NAME, "td")[2].text  # the reason is listed

    # open a report from the progress list
    d.find_element(By.PARTIAL_LINK_TEXT, "hongze-district-2024.pdf").click()
    wait.until(ec.presence_of_element_located((By.ID, "findings")))
    assert "淮安市洪泽区人民政府" in d.find_element(By.ID, "report-title").text
    img = d.find_element(By.ID, "page-img")
    wait.until(lambda _d: d.execute_script("return arguments[0].naturalWidth", img) > 0)

    # click a finding: its cells light up and the page shows where the first one was printed
    findings = d.find_elements(By.CSS_SELECTOR, "li.finding")
    codes = [f.get_attribute("data-code") for f in findings]
    assert "T3-applicants" not in codes
    target = next(f for f in findings if f.get_attribute("data-cells"))
    target.find_element(By.CLASS_NAME, "finding-head").click()
    assert d.find_elements(By.CSS_SELECTOR, "td.lit")
    # a cell with a known box: the box is drawn on its page
    granted = d.find_element(By.CSS_SELECTOR, 'td[data-path="applications.granted.total"]')
    page = granted.get_attribute("data-loc").lstrip("p")
    granted.click()
    wait.until(lambda _d: d.find_element(By.ID, "box").is_displayed())
    assert d.find_element(By.ID, "page-img").get_attribute("data-page") == page

    # dismiss the first finding with a comment (htmx swaps the review panel)
    first = d.find_elements(By.CSS_SELECTOR, "li.finding")[0]
    key = first.get_attribute("data-key")
    first.find_element(By.NAME, "comment").send_keys("文字口径与表格不同")
    first.find_element(By.CSS_SELECTOR, "button.dismiss").click()
    wait.until(lambda _d: "decided-dismiss" in d.find_element(
        By.CSS_SELECTOR, f'li.finding[data-key="{key}"]').get_attribute("class"))
    assert "文字口径与表格不同" in d.find_element(By.CSS_SELECTOR, f'li.finding[data-key="{key}"]').text

    # correct a cell: the rules run again and the finding list changes
    Select(d.find_element(By.ID, "correction-path")).select_by_value("applications.granted.total")
    d.find_element(By.ID, "correction-value").send_keys("999")
    d.find_element(By.ID, "correction-reason").send_keys("核对原件")
    d.find_element(By.ID, "correction-submit").click()
    wait.until(lambda _d: "T3-applicants" in [f.get_attribute("data-code")
                                              for f in d.find_elements(By.CSS_SELECTOR, "li.finding")])
    cell = d.find_element(By.CSS_SELECTOR, 'td[data-path="applications.granted.total"]')
    assert "corrected" in cell.get_attribute("class") and "999" in cell.text
    assert "核对原件" in d.find_element(By.ID, "corrections").text
    assert "更正单元格" in d.find_element(By.ID, "trail").text

    # drag and drop onto the round page: a report dropped is uploaded and read
    review_url = d.current_url
    d.get(base + f"/rounds/{round_id}")
    text = (SAMPLES / "004_665c97d63233bba3.txt").read_text(encoding="utf-8").replace("2022年", "2022年 ", 1)
    d.execute_script("""
        const dt = new DataTransfer();
        dt.items.add(new File([arguments[0]], "dropped.txt", {type: "text/plain"}));
        const zone = document.getElementById("drop");
        zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
    """, text)
    wait.until(ec.url_contains("/uploads/"))
    wait.until(lambda _d: d.execute_script(progress) == "done")
    assert "dropped.txt" in d.find_element(By.ID, "progress").text

    # download the 审核意见 (DOCX)
    d.get(review_url)
    wait.until(ec.presence_of_element_located((By.ID, "opinion-docx")))
    d.find_element(By.ID, "opinion-docx").click()
    deadline = time.monotonic() + 30
    got: list[Path] = []
    while time.monotonic() < deadline and not got:
        got = [p for p in browser.downloads.glob("*.docx")]
        time.sleep(0.2)
    assert got, "no opinion downloaded"
    doc = Document(io.BytesIO(got[0].read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "审核意见" in text and "文字口径与表格不同" in text
    assert d.get_log("browser") == []  # no script error, no missing resource


def test_fill_in_a_report_in_the_browser(server, browser):
    """填报: type a number that breaks a total, see the finding appear beside the cell, fix it,
    see it go; the draft is saved as it is typed."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from xxgk.template import APPLICANT_COLUMNS

    base, _round_id = server
    wait = WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,))
    d = browser
    d.get(base + "/fill")
    d.find_element(By.NAME, "name").send_keys("rita")
    d.find_element(By.NAME, "password").send_keys("rita-password")
    d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.ID, "fill-new")))
    d.find_element(By.ID, "fill-body").send_keys("某某区人民政府")
    d.find_element(By.ID, "fill-year").send_keys("2025")
    d.find_element(By.ID, "fill-open").click()
    wait.until(ec.presence_of_element_located((By.ID, "fill-form")))
    assert "某某区人民政府2025年政府信息公开工作年度报告" in d.find_element(By.ID, "fill-title").text

    def cell(col: str) -> object:
        return d.find_element(By.ID, f"c-applications-new_received-{col}")

    def findings() -> list[str]:
        return [li.get_attribute("data-code") for li in d.find_elements(By.CSS_SELECTOR, "#fill-findings li.finding")]

    def total_mark() -> str:
        return d.find_element(By.ID, "m-applications-new_received-total").get_attribute("class")

    for c in APPLICANT_COLUMNS[1:-1]:
        cell(c.key).send_keys("0")
    cell("natural_person").send_keys("5")
    cell("total").send_keys("7")  # 7 ≠ 5 + 0 + 0 + 0 + 0 + 0
    wait.until(lambda _d: "T3-applicants" in findings())
    assert "sev-error" in total_mark()
    message = d.find_element(By.CSS_SELECTOR, '#fill-findings li[data-code="T3-applicants"]').text
    assert "一、本年新收政府信息公开申请数量" in message and "7 ≠ 5" in message
    # Clicking the finding lights its cells (the review page's script, shared).
    d.find_element(By.CSS_SELECTOR, '#fill-findings li[data-code="T3-applicants"] .finding-head').click()
    lit = d.find_elements(By.CSS_SELECTOR, "td.lit")
    assert {td.get_attribute("data-path") for td in lit} == {f"applications.new_received.{c.key}"
                                                             for c in APPLICANT_COLUMNS}

    cell("total").clear()
    cell("total").send_keys("5")
    wait.until(lambda _d: "T3-applicants" not in findings())
    assert "sev-error" not in total_mark()

    d.refresh()  # saved as typed
    wait.until(ec.presence_of_element_located((By.ID, "fill-form")))
    assert cell("total").get_attribute("value") == "5" and cell("natural_person").get_attribute("value") == "5"
    assert cell("legal_service").get_attribute("value") == "0"
    assert d.get_log("browser") == []


def test_collect_a_round_in_the_browser(server, browser):
    """采集: an admin adds a column to the round, starts a collection, watches it to its end; the
    report is in the round."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from test_collect_site import Site, static_family

    base, round_id = server
    site = Site()
    try:
        column = static_family(site)
        wait = WebDriverWait(browser, 90, ignored_exceptions=(StaleElementReferenceException,))
        d = browser
        d.get(base + "/collect")
        d.find_element(By.NAME, "name").send_keys("ada")
        d.find_element(By.NAME, "password").send_keys("ada-password")
        d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(ec.presence_of_element_located((By.ID, "collect-rounds")))
        d.find_element(By.LINK_TEXT, "淮安市2024年度年报审核").click()
        wait.until(ec.presence_of_element_located((By.ID, "collect-add")))
        d.find_element(By.ID, "collect-columns-text").send_keys(f"{column} 淮安市人民政府")
        d.find_element(By.ID, "collect-add-submit").click()
        wait.until(ec.presence_of_element_located((By.ID, "collect-columns")))
        rate = d.find_element(By.NAME, "rate")
        rate.clear()
        rate.send_keys("0")
        d.find_element(By.ID, "collect-start-submit").click()
        wait.until(ec.url_contains("/collect/runs/"))
        state = 'var p = document.getElementById("collect-progress"); return p ? p.dataset.state : null;'
        wait.until(lambda _d: d.execute_script(state) not in (None, "queued", "running"))
        assert d.execute_script(state) == "done"
        assert d.find_element(By.ID, "count-found").text == "3"
        assert d.find_element(By.ID, "count-added").text == "2"
        assert "没有年度报告" in d.find_element(By.ID, "collect-failures").text
        d.find_element(By.ID, "collect-round-link").click()
        wait.until(ec.url_contains(f"/rounds/{round_id}"))
        wait.until(ec.presence_of_element_located((By.PARTIAL_LINK_TEXT, "淮安市人民政府")))
        assert d.get_log("browser") == []
    finally:
        site.close()
