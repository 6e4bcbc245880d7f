"""Cross-year rules over one body's reports, run directly, through check_corpus and in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

import xxgk
from conftest_db import BACKENDS, DATA, fresh_url, make_report, one_county_region, write_region
from xxgk.check.corpus import body_findings, check_corpus
from xxgk.check.registry import load_rules, selected
from xxgk.check.rules.cross_report import SECTION5_SIMILARITY
from xxgk.check.similarity import similarity
from xxgk.report import Cell
from xxgk.store import Store

HZ = "淮安市洪泽区人民政府"
PROBLEMS = (
    "一是政务公开工作机制还不够健全，部分单位对政务公开工作重视程度不够；二是信息发布质量有待提高，"
    "解读回应还不够及时。下一步，我们将健全工作机制，加强业务培训，提升发布质量。"
)


def _codes(found) -> list[tuple[int | None, str, tuple[str, ...]]]:
    return [(rep.meta.year, f.code, tuple(f.cells)) for rep, f in found]


def test_carry_over_per_column() -> None:
    y1 = make_report(
        HZ, 2022, values={"applications.carried_forward.total": 5, "applications.carried_forward.natural_person": 5}
    )
    y2 = make_report(
        HZ, 2023, values={"applications.carried_over.total": 3, "applications.carried_over.natural_person": 5}
    )
    found = body_findings([y2, y1], select=["year-carry-over"])  # any order in, sorted by year
    assert _codes(found) == [(2023, "year-carry-over", ("applications.carried_over.total",))]
    rep, f = found[0]
    assert rep is y2 and f.severity == "error" and "3" in f.message and "5" in f.message


def test_carry_over_needs_consecutive_years_and_known_cells() -> None:
    y1 = make_report(HZ, 2021, values={"applications.carried_forward.total": 5})
    y3 = make_report(HZ, 2023, values={"applications.carried_over.total": 3})
    assert body_findings([y1, y3], select=["year-carry-over"]) == []  # 2022 is missing: no pair
    y2 = make_report(HZ, 2022, values={"applications.carried_over.total": None})
    assert body_findings([y1, y2], select=["year-carry-over"]) == []  # blank is not compared, nor zero-filled


def test_in_force_stock_flow() -> None:
    prev = make_report(HZ, 2022, values={"active.normative_documents.in_force": 10})
    ok = make_report(
        HZ,
        2023,
        values={
            "active.normative_documents.in_force": 11,
            "active.normative_documents.issued": 2,
            "active.normative_documents.repealed": 1,
        },
    )
    assert body_findings([prev, ok], select=["year-in-force"]) == []
    off = make_report(
        HZ,
        2023,
        values={
            "active.normative_documents.in_force": 30,
            "active.normative_documents.issued": 2,
            "active.normative_documents.repealed": 1,
        },
    )
    found = body_findings([prev, off], select=["year-in-force"])
    assert _codes(found) == [
        (
            2023,
            "year-in-force",
            (
                "active.normative_documents.in_force",
                "active.normative_documents.issued",
                "active.normative_documents.repealed",
            ),
        )
    ]
    assert found[0][1].severity == "warning" and "11" in found[0][1].message
    # The 2019 template has no stock column: nothing to compare.
    old = make_report(HZ, 2020, template="2019")
    new = make_report(HZ, 2021, values={"active.normative_documents.in_force": 30})
    assert body_findings([old, new], select=["year-in-force"]) == []


def test_section5_copied() -> None:
    y1 = make_report(HZ, 2022, section5="2022年" + PROBLEMS)
    copied = make_report(HZ, 2023, section5="2023年，" + PROBLEMS)
    found = body_findings([y1, copied], select=["year-section5-copied"])
    assert _codes(found) == [(2023, "year-section5-copied", ())]
    assert found[0][1].excerpt and found[0][1].excerpt.startswith("2023年")
    rewritten = make_report(
        HZ,
        2023,
        section5="2023年存在的问题主要是：网站栏目更新不及时，个别栏目长期空白；"
        "依申请公开答复文书格式不统一。改进措施：建立栏目巡查制度，统一答复模板。",
    )
    assert similarity(y1.section(5).text, rewritten.section(5).text) < SECTION5_SIMILARITY  # type: ignore[union-attr]
    assert body_findings([y1, rewritten], select=["year-section5-copied"]) == []
    short = [make_report(HZ, y, section5="无。") for y in (2022, 2023)]
    assert body_findings(short, select=["year-section5-copied"]) == []


def test_order_of_magnitude_jump() -> None:
    y1 = make_report(
        HZ,
        2022,
        values={"active.licensing.decisions": 948, "applications.new_received.total": 5, "active.penalty.decisions": 0},
    )
    y2 = make_report(
        HZ,
        2023,
        values={
            "active.licensing.decisions": 9487,
            "applications.new_received.total": 60,
            "active.penalty.decisions": 700,
        },
    )
    found = body_findings([y1, y2], select=["year-jump"])
    # 948 -> 9487 is flagged; 5 -> 60 is small; 0 -> 700 starts an activity.
    assert _codes(found) == [(2023, "year-jump", ("active.licensing.decisions",))]


def test_check_corpus_groups_by_body() -> None:
    a1 = make_report(HZ, 2022, values={"applications.carried_forward.total": 4})
    a2 = make_report("江苏省淮安市洪泽区人民政府", 2023, values={"applications.carried_over.total": 1})
    b1 = make_report("淮安市人民政府", 2022, values={"applications.carried_forward.total": 1})
    b2 = make_report("淮安市人民政府", 2023, values={"applications.carried_over.total": 1})
    nobody = make_report(None, 2023, values={"applications.carried_over.total": 9})
    found = check_corpus([b2, a2, nobody, a1, b1], select=["year-carry-over"])
    assert [(rep.meta.agency, f.code) for rep, f in found] == [("江苏省淮安市洪泽区人民政府", "year-carry-over")]


def test_rules_are_registered_with_docs() -> None:
    load_rules()
    codes = [r.code for r in selected(scope="corpus")]
    assert {"year-carry-over", "year-in-force", "year-section5-copied", "year-jump"} <= set(codes)
    for r in selected(["year-"], scope="corpus"):
        assert r.scope == "corpus" and len(r.doc) > 200 and r.family == "cross_report"
    assert [r.code for r in selected(scope="report") if r.code.startswith("year-")] == []


def test_a_real_report_copied_into_the_next_year() -> None:
    """The real 科工局 report re-dated a year later: its section 五 is the same text."""
    data = (DATA / "store" / "kaifeng-keigong-2022.txt").read_bytes()
    y2022 = xxgk.read_bytes(data, "2022.txt")
    y2023 = xxgk.read_bytes(data.replace("2022年".encode(), "2023年".encode()), "2023.txt")
    assert (y2022.meta.year, y2023.meta.year) == (2022, 2023)
    codes = {f.code for _, f in body_findings([y2022, y2023])}
    assert "year-section5-copied" in codes


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path):
    with fresh_url(request.param, tmp_path) as url:
        s = Store.open(url)
        yield s
        s.close()


def test_findings_stored_and_replaced(store: Store) -> None:
    from xxgk.identity import apply

    y1 = make_report(HZ, 2022, values={"applications.carried_forward.total": 5})
    y2 = make_report(HZ, 2023, values={"applications.carried_over.total": 3})
    for r in (y1, y2):
        apply(r)
        store.add(r)
    assert store.recheck_bodies() == 1
    stored = store.findings(scope="corpus")
    assert [(f.year, f.code, f.cells) for f in stored] == [
        (2023, "year-carry-over", ("applications.carried_over.total",))
    ]
    assert store.bodies_to_check() == []
    # Corpus findings are kept apart from the report's own findings.
    assert store.report(y2.source.sha256).findings == []
    # The 2023 report re-parsed with the carry-over fixed: the finding goes.
    fixed = make_report(HZ, 2023, values={"applications.carried_over.total": 5})
    fixed.source = y2.source
    fixed.cells["applications.carried_over.total"] = Cell(5, "read", "p4")
    apply(fixed)
    from xxgk.identity import identify
    from xxgk.store import Parsed

    ident = identify(fixed)
    store.write([Parsed("x", fixed.source.sha256, 1, fixed, ident.body, ident.region_code)], version="later")
    assert store.bodies_to_check() != []
    store.recheck_bodies()
    assert store.findings(scope="corpus") == []


# ---------------------------------------------------------------- cross-body rules during ingest


def _peer(store: Store) -> list[tuple[str | None, int | None, str, str]]:
    return sorted((sf.agency, sf.year, sf.code, sf.message) for sf in store.findings(scope="corpus")
                  if sf.code in ("copied-from-other-body", "missing-subordinate"))


def _as_check_finds(store: Store) -> list[tuple[str | None, int | None, str, str]]:
    """What `xxgk check` over the stored reports finds across bodies, the missing body's finding
    put on its report of the year before (as the store keeps it)."""
    from xxgk.check.peers import year_findings

    reports = list(store.reports())
    out = []
    for year in sorted({r.meta.year for r in reports if r.meta.year}):
        this = [r for r in reports if r.meta.year == year]
        before = [r for r in reports if r.meta.year == year - 1]
        out += [(o.meta.agency, o.meta.year, f.code, f.message) for o, f in year_findings(this, before)]
    return sorted(out)


def test_ingest_stores_a_section_copied_between_bodies(store: Store, tmp_path: Path) -> None:
    from xxgk.corpus.ingest import ingest
    from xxgk.synth.corpus import region_with

    reg = region_with(3, "copied-section")
    summary = ingest([write_region(reg, tmp_path / "in")], store, workers=0)
    found = _peer(store)
    assert {(code, f"{agency} {year}") for agency, year, code, _ in found} == set(reg.expected)
    assert summary.peer_findings == len(found) == 2
    assert found == _as_check_finds(store)  # the same findings as the rule over the complete reports
    assert store.years_to_check() == []
    # Again: nothing new, nothing twice.
    again = ingest([tmp_path / "in"], store, workers=0)
    assert again.added == 0 and _peer(store) == found


def test_ingest_stores_a_missing_subordinate(store: Store, tmp_path: Path) -> None:
    from xxgk.corpus.ingest import ingest

    reg = one_county_region(5)
    ingest([write_region(reg, tmp_path / "in")], store, workers=0)
    found = _peer(store)
    assert [(year, code) for _, year, code, _ in found] == [(2023, "missing-subordinate")]
    (agency, _, _, message), = found
    assert agency and agency in message and "2024" in message
    assert found == _as_check_finds(store)
    # The body's 2024 report arrives: the finding goes.
    full = one_county_region(5, drop_one=False)
    ingest([write_region(full, tmp_path / "later")], store, workers=0)
    assert _peer(store) == []


def test_a_reparse_replaces_peer_findings_without_duplicates(store: Store, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import xxgk.corpus.ingest as ing
    from xxgk.synth.corpus import region_with

    reg = region_with(3, "copied-section")
    folder = write_region(reg, tmp_path / "in")
    ing.ingest([folder], store, workers=0)
    before = _peer(store)
    monkeypatch.setattr(ing, "parser_version", lambda: "9.9.9+newer")
    again = ing.ingest([folder], store, workers=0)
    assert again.reparsed == len(reg.reports)
    assert _peer(store) == before and store.years_to_check() == []
    assert store.counts()["findings"] == len(store.findings())


def test_a_report_written_during_a_peers_pass_is_not_lost(store: Store) -> None:
    """A pass reads a year, another writer adds a report of that year, the pass settles: the year
    stays marked, and the next pass sees the new report (compare-and-set on the year's revision)."""
    from xxgk.identity import apply

    words = "一是政务公开工作机制还不够健全，部分单位对政务公开工作重视程度不够，信息发布审核把关不严；" * 3
    a = make_report("淮安市洪泽区教育体育局", 2024, section5=words)
    b = make_report("淮安市洪泽区财政局", 2024, section5=words.replace("一是", "首先"))
    for r in (a,):
        apply(r)
        store.add(r)
    stale = store.check_year(2024)
    apply(b)
    store.add(b)
    assert store.settle_year(stale) == 0
    assert 2024 in store.years_to_check()
    assert store.recheck_years() == 2  # both bodies get the copy finding
    assert store.years_to_check() == []
    assert sorted(sf.agency for sf in store.findings(code="copied-from-other-body")) == [
        "淮安市洪泽区教育体育局", "淮安市洪泽区财政局"]


def test_the_store_compares_sections_one_and_six_with_last_year(store: Store) -> None:
    """The cross-year copy check in the store reads sections 一 and 六 too, not only 五."""
    from xxgk.identity import apply
    from xxgk.report import SectionText

    work = ("本机关围绕群众关切，完善政府信息公开工作机制，规范依申请公开办理流程，加强政务新媒体管理，"
            "推进基层政务公开标准化规范化建设，组织业务培训三次，开展专项检查两次，整改问题若干。") * 2
    reports = []
    for year in (2022, 2023):
        r = make_report(HZ, year)
        r.sections[0] = SectionText(1, "一、总体情况", f"{year}年，{work}")
        apply(r)
        store.add(r)
        reports.append(r)
    store.recheck_bodies()
    copied = [sf for sf in store.findings(code="year-section5-copied")]
    assert [(sf.year, sf.finding.params["section"]) for sf in copied] == [(2023, "一、总体情况")]
    assert [f.code for _, f in body_findings(reports, select=["year-section5-copied"])] == ["year-section5-copied"]


def test_a_pass_after_a_small_ingest_equals_the_rule_over_everything(store: Store, tmp_path: Path) -> None:
    """Ingests one after another: each pass confirms only the pairs with a new report and keeps
    what the last pass found, and ends with what the rule finds over all the reports."""
    import random
    import shutil

    from xxgk.corpus.ingest import ingest
    from xxgk.synth.corpus import copied_section, region

    reg = region(11, bodies=6)
    for seed in (1, 2):  # two copies in 2024
        reg = copied_section(reg, random.Random(seed))
    folder = write_region(reg, tmp_path / "all")
    steps = [tmp_path / f"step{i}" for i in range(3)]
    for i, f in enumerate(sorted(folder.glob("*.txt"))):
        steps[i % 3].mkdir(exist_ok=True)
        shutil.copy(f, steps[i % 3] / f.name)
    counts = []
    for step in steps:
        ingest([step], store, workers=0)
        assert _peer(store) == _as_check_finds(store)
        counts.append(len(_peer(store)))
    assert {code for _, _, code, _ in _peer(store)} == {"copied-from-other-body"}
    assert counts[-1] >= 3 and counts != [counts[-1]] * 3  # copies found as their second halves arrive


@pytest.mark.parametrize("text", ["", "短", "一二三四五", "政府信息公开工作" * 3, "".join(chr(0x4E00 + i) for i in range(600)),
                                  "abc\U0001F600依申请公开" * 20])
def test_minhash_values_are_datasketchs(text: str) -> None:
    """The numpy MinHash of the signatures gives datasketch's values bit for bit (its default
    scheme, the permutations it draws), so signatures stored by earlier versions still match."""
    from datasketch import MinHash

    from xxgk.check.similarity import NUM_PERM, minhash_values, shingle_hashes

    theirs = MinHash(num_perm=NUM_PERM, hashfunc=lambda v: v)
    theirs.update_batch(shingle_hashes(text).tolist())
    assert minhash_values(text).tolist() == theirs.hashvalues.tolist()


def test_lsh_index_is_datasketchs() -> None:
    """The numpy LSH index returns what datasketch's MinHashLSH returns, with its parameters:
    texts copied, edited a little, rewritten, and many sharing one paragraph."""
    import random

    from datasketch import MinHash, MinHashLSH

    from xxgk.check.similarity import CANDIDATE_JACCARD, NUM_PERM, LSHIndex, lsh_params, minhash_matrix

    assert lsh_params() == (lambda x: (x.b, x.r))(MinHashLSH(threshold=CANDIDATE_JACCARD, num_perm=NUM_PERM))
    rnd = random.Random(7)
    words = ["".join(chr(0x4E00 + rnd.randrange(300)) for _ in range(6)) for _ in range(80)]
    base = ["".join(rnd.choices(words, k=40)) for _ in range(30)]
    texts = base + [t[:100] + "改" + t[101:] for t in base[:10]] + [t[: len(t) // 2] + base[0][-120:] for t in base[10:20]]
    texts += ["".join(rnd.choices(words, k=40)) + base[1][:60] for _ in range(40)]
    values = minhash_matrix(texts)
    lsh = MinHashLSH(threshold=CANDIDATE_JACCARD, num_perm=NUM_PERM, params=lsh_params())
    hashes = [MinHash(num_perm=NUM_PERM, hashvalues=v, scheme="affine32") for v in values]
    for k, m in enumerate(hashes):
        lsh.insert(k, m)
    ours = LSHIndex(values)
    theirs = [sorted(lsh.query(m)) for m in hashes]
    assert [ours.query(k) for k in range(len(texts))] == theirs
    assert sum(len(c) > 1 for c in theirs) >= 20  # the test does compare candidates
