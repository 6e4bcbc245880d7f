from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

# The CLI's tables are as wide as the terminal; pytest-xdist's workers have none, so give every
# test process the same width (before xxgk.cli is imported) and tests see whole labels.
os.environ.setdefault("COLUMNS", "200")

DATA = Path(__file__).parent / "data"


def corpus_source(case: dict) -> Path:
    """The text source of a ground-truth case: the corpus text dump, or the pypdf text of a PDF."""
    name = case["file"]
    if name.endswith(".pdf"):
        return DATA / "pypdf" / (name[:-4] + ".txt")
    return DATA / "corpus" / name


@pytest.fixture(scope="session")
def cases() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((DATA / "expected").glob("*.json"))]


# Tests that take a second or more each on the 2-core machine (measured with
# `pytest -m "not slow" --durations=50`), marked slow in one place so that `pytest -m "not slow"`
# stays the quick loop; CI runs everything. Whole modules: OCR, the office-like scans, the browser.
SLOW_MODULES = frozenset({"test_extract_ocr.py", "test_scan_office.py", "test_web_browser.py",
                          "test_extract_legacy.py"})  # legacy Word through LibreOffice
SLOW_TESTS = frozenset({
    "test_charts_render_and_findings_visible_in_headless_chromium", "test_lang_en_before_the_command_gives_english_help",
    "test_fetcher_honours_crawl_delay_and_the_size_limit", "test_fetcher_honours_the_rate_per_host",
    "test_links_family_503_robots_slow_and_a_direct_document", "test_corrupted_real_pdf_reads_or_fails_cleanly",
    "test_html_mutated_pages", "test_mutated_reports", "test_inferred_values_are_the_true_ones",
    "test_dask_local_cluster", "test_kill_9_half_way_then_rerun_equals_a_clean_run",
    "test_unreachable_dask_scheduler_is_one_clear_error", "test_blank_means_zero_pages_have_no_silent_errors",
    "test_docx_defects_are_reported", "test_docx_documents_read_back_exactly", "test_html_defects_are_reported",
    "test_html_pages_read_back_exactly", "test_pdf_bytes_are_reproducible", "test_pdf_reads_back_exactly",
    "test_scanned_pdf_is_read_without_silent_errors", "test_defects_are_found_under_every_pattern",
    "test_docx_patterns_read_back_exactly", "test_html_patterns_read_back_exactly",
    "test_text_patterns_read_back_exactly", "test_clean_reports_read_back_exactly",
    "test_every_defect_kind_round_trips_once_per_style", "test_injected_defects_are_reported",
    "test_docx_has_merged_cells", "test_docx_round_trip", "test_html_round_trip",
    "test_docx_mutated_document_xml", "test_docx_any_merges_give_a_true_grid", "test_any_values_round_trip",
    "test_rerun_downloads_nothing_and_changes_nothing",
})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = getattr(item, "originalname", item.name)
        if item.path.name in SLOW_MODULES or name in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
