"""The store: round trips, no-op re-ingest, atomic re-parse, failures, filters, migrations."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest_db import BACKENDS, DATA, fresh_url, make_report
from xxgk.report import Cell, Finding
from xxgk.store import Failed, Parsed, Store, StoreError, parser_version
from xxgk.store import schema as t
from xxgk.store.migrations import LATEST, MIGRATIONS, Migration, current_version, migrate


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path):
    with fresh_url(request.param, tmp_path) as url:
        s = Store.open(url)
        yield s
        s.close()


def _parsed(report, name=None, body=None, region_code=None):
    return Parsed(name or report.source.file, report.source.sha256, 1234, report, body, region_code)


# ---------------------------------------------------------------- round trip


def test_cells_as_copy_text_store_what_tuples_store(store: Store) -> None:
    """The ingest's workers hand PostgreSQL the cells as COPY text (records.copy_text): the rows
    stored are those of the tuples, whatever the characters; a text the format's placeholders
    would confuse goes as tuples."""
    from xxgk.store.records import cells, copy_text, prepare

    nasty = ["tab\there", "new\nline", "back\\slash", "\\N", "cr\r", "\b\v\f", "", "引号“”《》", "\U0001F600"]
    rep = make_report(values={"active.fees.amount": 12.5, "applications.granted.total": 7,
                              "active.regulations.issued": None})
    for i, text in enumerate(nasty):
        rep.cells[f"applications.granted.c{i}"] = Cell(i + 0.1, "read", text, text or None, text)
    rep.cells["applications.granted.big"] = Cell(1e300, "read", None, None, None)
    as_copy, as_tuples = prepare(rep, None, copy=True), prepare(rep, None)
    assert as_copy.cells == [] and as_copy.cells_copy and as_tuples.cells == cells(rep)
    twin = dataclasses.replace(rep, source=dataclasses.replace(rep.source, sha256="f" * 64))
    if store.dialect == "postgresql":  # the text goes to COPY; SQLite stores tuples only
        store.write([Parsed("a", rep.source.sha256, 1, None, None, None, as_copy),
                     Parsed("b", twin.source.sha256, 1, None, None, None, prepare(twin, None))])
        with store.engine.connect() as conn:
            rows = conn.execute(sa.select(t.cells).order_by(t.cells.c.report_id, t.cells.c.seq)).all()
        half = len(rows) // 2
        assert [r[1:] for r in rows[:half]] == [r[1:] for r in rows[half:]] and half == len(rep.cells)
    for odd in ("a\x1cb", "a\x1eb", "a\x1fb", "a\x00b", "\udc80"):  # placeholders, NUL, a lone surrogate
        rep.cells["applications.granted.c0"] = Cell(1, "read", odd, None, None)
        assert copy_text(rep) is None and prepare(rep, None, copy=True).cells == cells(rep)



def test_round_trip_is_exact(store: Store) -> None:
    rep = make_report(
        values={
            "active.fees.amount": 12.5,
            "applications.granted.total": 7,
            "active.regulations.issued": None,
        }
    )
    rep.cells["applications.granted.total"] = Cell(7, "read", "p4:L3", "7件", None)
    rep.cells["applications.denied_inquiry.total"] = Cell(0, "inferred", None, None, "fixed by T3-results")
    rep.findings = [
        Finding.of_text("T3-balance", "error", "总计不平衡", ["applications.new_received.total"], "p4", "一、本年新收"
        ),
        Finding.of_text("S6-fee", "warning", "no fee statement"),
    ]
    rep.unmatched = [{"label": "奇怪的行", "numbers": [1, 2], "loc": "p4:L9"}]
    rep.meta.provenance["period"] = "text"
    rid = store.add(rep)
    back = store.report(rid)
    assert back.to_json() == rep.to_json()  # byte-identical, int/float and order included
    assert isinstance(back.value("active.fees.amount"), float)
    assert isinstance(back.value("applications.granted.total"), int)
    assert back.cells["active.regulations.issued"].status == "blank"
    assert store.report(rep.source.sha256).to_json() == rep.to_json()


def test_parsed_corpus_report_round_trip(store: Store) -> None:
    import xxgk

    rep = xxgk.read(DATA / "store" / "kaifeng-keigong-2022.txt")
    rid = store.add(rep)
    assert store.report(rid).to_dict() == rep.to_dict()
    assert store.report(rid).to_json() == rep.to_json()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.dictionaries(
        st.sampled_from(
            [
                "applications.granted.total",
                "active.fees.amount",
                "appeals.review.total",
                "active.regulations.in_force",
            ]
        ),
        st.one_of(
            st.none(),
            st.integers(min_value=-(10**12), max_value=10**12),
            # SQLite does not keep the sign of a zero: -0.0 comes back 0.0 (no report prints "-0.0").
            st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda f: round(f, 4) + 0.0),
        ),
    )
)
def test_any_values_round_trip(tmp_path_factory: pytest.TempPathFactory, values) -> None:
    path = tmp_path_factory.mktemp("h") / "h.sqlite"
    with Store.open(path) as s:
        rep = make_report(values={})
        for p, v in values.items():
            rep.cells[p] = Cell(v, "read" if v is not None else "missing", None)
        assert s.report(s.add(rep)).to_json() == rep.to_json()


# ---------------------------------------------------------------- idempotence and re-parse


def test_same_bytes_twice_is_a_no_op(store: Store) -> None:
    rep = make_report()
    first = store.write([_parsed(rep)])
    dump = list(store.dump())
    again = store.write([_parsed(rep, name="another/name.txt")])
    assert (first.added, again.added, again.reparsed) == (1, 0, 0)
    assert again.report_ids == first.report_ids
    assert list(store.dump()) == dump
    assert store.counts()["reports"] == 1
    assert store.lookup([rep.source.sha256])[rep.source.sha256].state == "current"


def test_newer_parser_reparses_atomically(store: Store) -> None:
    old = make_report(values={"applications.granted.total": 1})
    store.write([_parsed(old)], version="0.0.1+p0.i0")
    assert store.lookup([old.source.sha256])[old.source.sha256].state == "stale"

    # A re-parse that breaks half-way (a malformed cell path) must leave the old parse intact.
    broken = make_report(values={"applications.granted.total": 2})
    broken.source = dataclasses.replace(old.source)
    broken.cells = {
        "applications.granted.total": broken.cells["applications.granted.total"],
        "bad": Cell(1, "read"),
    }
    with pytest.raises(ValueError):
        store.write([_parsed(broken)])
    assert store.report(old.source.sha256).value("applications.granted.total") == 1

    new = make_report(values={"applications.granted.total": 2})
    new.source = dataclasses.replace(old.source)
    res = store.write([_parsed(new)])
    assert (res.added, res.reparsed) == (0, 1)
    back = store.report(old.source.sha256)
    assert back.value("applications.granted.total") == 2
    counts = store.counts()
    assert counts["reports"] == 1 and counts["sources"] == 1
    assert counts["cells"] == len(new.cells)
    assert store.entries()[0].parser_version == parser_version()


def test_failures_recorded_and_cleared(store: Store) -> None:
    store.write(
        [Failed("b/broken.pdf", "truncated PDF (no %%EOF)", "ab" * 32), Failed("a/gone.txt", "no such file")]
    )
    assert store.failures() == [("a/gone.txt", "no such file"), ("b/broken.pdf", "truncated PDF (no %%EOF)")]
    assert store.lookup(["ab" * 32])["ab" * 32].state == "failed"
    # The same name fails again for another reason: one record, the latest reason.
    store.write([Failed("a/gone.txt", "permission denied")])
    assert ("a/gone.txt", "permission denied") in store.failures() and len(store.failures()) == 2
    # The file is fixed: parsing it clears its failure.
    rep = make_report(file="gone.txt")
    store.write([_parsed(rep, name="a/gone.txt")])
    assert store.failures() == [("b/broken.pdf", "truncated PDF (no %%EOF)")]
    # A failure recorded by an older parser is not "known": the new parser gets to try.
    assert store.lookup(["ab" * 32], version="9.9.9") == {}


# ---------------------------------------------------------------- reading


def _three(store: Store) -> None:
    from xxgk.identity import apply

    for agency, year, template in [
        ("淮安市人民政府", 2024, "2021"),
        ("淮安市洪泽区人民政府", 2023, "2021"),
        ("淮安市洪泽区人民政府", 2020, "2019"),
        ("栾川县先进制造业开发区", 2022, "2021"),
    ]:
        rep = make_report(agency, year, template)
        apply(rep)
        store.add(rep)


def test_filters_and_order(store: Store) -> None:
    _three(store)
    years = [r.meta.year for r in store.reports()]
    assert years == [2020, 2022, 2023, 2024]
    assert [r.meta.agency for r in store.reports(year=2024)] == ["淮安市人民政府"]
    assert [r.meta.year for r in store.reports(year=[2020, 2023])] == [2020, 2023]
    assert [r.meta.year for r in store.reports(agency="洪泽区")] == [2020, 2023]
    assert [r.meta.year for r in store.reports(region="320800")] == [2020, 2023, 2024]  # city and districts
    assert [r.meta.year for r in store.reports(region="320813")] == [2020, 2023]
    assert [r.meta.year for r in store.reports(region="河南省")] == [2022]
    assert [r.meta.year for r in store.reports(level="county")] == [2020, 2023]
    assert [r.meta.year for r in store.reports(level="development_zone")] == [2022]
    assert [r.meta.year for r in store.reports(template="2019")] == [2020]
    assert list(store.reports(agency="100%_")) == []  # LIKE wildcards are escaped
    with pytest.raises(KeyError):
        store.report(999_999)


def test_bodies_link_years(store: Store) -> None:
    _three(store)
    bodies = {b.name: b for b in store.bodies()}
    hz = bodies["淮安市洪泽区人民政府"]
    assert hz.years == (2020, 2023) and hz.region_code == "320813" and hz.level == "county"
    assert hz.region == "江苏省淮安市洪泽区"
    assert bodies["淮安市人民政府"].level == "city"
    assert [r.meta.year for r in store.reports(body=hz.id)] == [2020, 2023]


def test_findings_query(store: Store) -> None:
    rep = make_report()
    rep.findings = [
        Finding.of_text("T3-balance", "error", "m1", ["applications.new_received.total"]),
        Finding.of_text("S6-fee", "warning", "m2"),
    ]
    rid = store.add(rep)
    assert [f.code for f in store.findings()] == ["T3-balance", "S6-fee"]
    assert [f.code for f in store.findings(code="T3")] == ["T3-balance"]
    assert [f.code for f in store.findings(severity="warning")] == ["S6-fee"]
    got = store.findings(report_id=rid)[0]
    assert got.cells == ("applications.new_received.total",) and got.scope == "report"
    assert got.finding == rep.findings[0]


def test_dump_is_independent_of_insert_order(tmp_path: Path) -> None:
    reps = [
        make_report("淮安市洪泽区人民政府", y, values={"applications.granted.total": y})
        for y in (2021, 2022, 2023)
    ]
    dumps = []
    for n, order in enumerate((reps, list(reversed(reps)))):
        with Store.open(tmp_path / f"d{n}.sqlite") as s:
            for r in order:
                s.add(r)
            s.recheck_bodies()
            dumps.append(list(s.dump()))
    assert dumps[0] == dumps[1]


# ---------------------------------------------------------------- opening


def test_open_default_and_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with Store.open(None) as s:
        assert s.dialect == "sqlite"
    assert (tmp_path / "xxgk.sqlite").exists()
    with Store.open("sub.sqlite") as s:
        s.add(make_report())
    with Store.open(f"sqlite:///{tmp_path / 'sub.sqlite'}") as s:
        assert s.counts()["reports"] == 1
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "no" / "such" / "dir.sqlite")


def test_not_an_xxgk_database(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    eng = sa.create_engine(f"sqlite:///{path}")
    with eng.begin() as c:
        c.execute(sa.text("CREATE TABLE reports (x INTEGER)"))
    eng.dispose()
    with pytest.raises(StoreError, match="not an xxgk store"):
        Store.open(path)


# ---------------------------------------------------------------- migrations


def _columns(engine: sa.Engine, table: str) -> list[str]:
    return [c["name"] for c in sa.inspect(engine).get_columns(table)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations(backend: str, tmp_path: Path) -> None:
    with fresh_url(backend, tmp_path) as url:
        s = Store.open(url)
        assert s.version == LATEST
        s.add(make_report())
        engine = s.engine
        with engine.connect() as c:
            assert current_version(c) == LATEST

        def add_column(conn: sa.Connection) -> None:
            conn.execute(sa.text("ALTER TABLE reports ADD COLUMN reviewer TEXT"))

        def broken(conn: sa.Connection) -> None:
            conn.execute(sa.text("ALTER TABLE reports ADD COLUMN half TEXT"))
            raise RuntimeError("step fails half-way")

        # A failing step: nothing of it stays (DDL is transactional), the version does not move.
        with pytest.raises(RuntimeError):
            migrate(engine, (*MIGRATIONS, Migration(LATEST + 1, "broken", broken)))
        assert "half" not in _columns(engine, "reports")
        with engine.connect() as c:
            assert current_version(c) == LATEST

        steps = (*MIGRATIONS, Migration(LATEST + 1, "reviewer column", add_column))
        assert migrate(engine, steps) == LATEST + 1
        assert migrate(engine, steps) == LATEST + 1  # applied once only
        assert _columns(engine, "reports").count("reviewer") == 1
        with engine.connect() as c:
            rows = c.execute(
                sa.select(t.schema_version.c.version).order_by(t.schema_version.c.version)
            ).scalars()
            assert list(rows) == [*range(1, LATEST + 1), LATEST + 1]
        s.close()
        # This xxgk knows only up to LATEST: a newer database is refused, untouched.
        with pytest.raises(StoreError, match="newer than this xxgk supports"):
            Store.open(url)


def test_new_store_has_the_declared_schema(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as s:
        insp = sa.inspect(s.engine)
        for table in t.metadata.sorted_tables:
            assert _columns(s.engine, table.name) == [c.name for c in table.columns]
        assert {i["name"] for i in insp.get_indexes("reports")} >= {"ix_reports_body_year", "ix_reports_year"}


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    with Store.open(tmp_path / "w.sqlite") as s, s.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_postgres_url_uses_psycopg3() -> None:
    from xxgk.store import database_url

    assert database_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("x.sqlite").startswith("sqlite:///") and os.path.isabs(database_url("x.sqlite")[10:])


# ---------------------------------------------------------------- findings keep their parameters (schema 2)


def _structured_findings() -> list[Finding]:
    from xxgk.check.registry import RULES, load_rules

    load_rules()
    # A real rule's template when one is registered (rendered in each language), and variants
    # and parameters of every JSON type the rules use.
    templated = next(((c, v) for c, r in sorted(RULES.items()) for v in sorted(r.messages)), ("T3-balance", ""))
    return [
        Finding(templated[0], "error", {"total": 12, "parts": ["a", "b"], "sum": 11.5, "group": "行政复议"},
                ["applications.new_received.total"], "p4", "一、本年新收", templated[1]),
        Finding("S6-fee", "warning", {"n": 3}, [], None, None, "many"),
        Finding.of_text("S6-fee", "info", "写好的消息"),
    ]


def test_findings_round_trip_with_params_and_variant(store: Store) -> None:
    from xxgk.i18n import use_lang

    rep = make_report()
    rep.findings = _structured_findings()
    rid = store.add(rep)
    back = store.report(rid)
    assert back.findings == rep.findings  # params, variant, cells, loc, excerpt: the real Finding
    for lang in ("zh", "en"):
        with use_lang(lang):
            assert back.to_json() == rep.to_json()
            assert [sf.message for sf in store.findings(report_id=rid)] == [f.message for f in rep.findings]
    with store.engine.connect() as c:
        stored = c.execute(sa.select(t.findings.c.message).order_by(t.findings.c.seq)).scalars().all()
    with use_lang("zh"):  # the message column is the Chinese text, for SQL users
        assert stored == [f.message for f in rep.findings]


@pytest.mark.parametrize("backend", BACKENDS)
def test_version_1_store_is_migrated_to_2(backend: str, tmp_path: Path) -> None:
    """A store written by schema version 1 (findings as text only, bodies without revision)
    opens at version 2: its findings keep their text as the message, its bodies can be checked."""
    with fresh_url(backend, tmp_path) as url:
        with Store.open(url) as s:
            rep = make_report()
            rep.findings = [Finding.of_text("S6-fee", "warning", "旧的消息", ["active.fees.amount"], "p3")]
            rid = s.add(rep)
            with s.engine.begin() as c:  # back to version 1, as that xxgk left it
                for table, column in (("findings", "params"), ("findings", "variant"), ("bodies", "revision"),
                                      ("findings", "peer_year")):
                    c.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
                for table in ("peer_years", "signatures"):
                    c.execute(sa.text(f"DROP TABLE {table}"))
                c.execute(sa.delete(t.schema_version).where(t.schema_version.c.version > 1))
            assert "params" not in _columns(s.engine, "findings")
        with Store.open(url) as s:
            assert s.version == LATEST == 6  # v2 (findings params), v3–v5 (workbench), v6 (peers)
            assert _columns(s.engine, "findings") == [c.name for c in t.findings.columns]
            assert _columns(s.engine, "bodies") == [c.name for c in t.bodies.columns]
            got = s.report(rid).findings
            assert got == [Finding.of_text("S6-fee", "warning", "旧的消息", ["active.fees.amount"], "p3")]
            assert s.recheck_bodies() == 0 and s.bodies_to_check() == []
            # v4: the years stored are marked for the peers pass, which signs the old report.
            assert s.years_to_check() == [2024, 2025]
            assert s.recheck_years() == 0 and s.years_to_check() == []
            with s.engine.connect() as c:
                assert c.execute(sa.select(sa.func.count()).select_from(t.signatures)).scalar_one() == 1


# ---------------------------------------------------------------- corpus checks meet other writers


def test_a_report_written_during_a_corpus_check_is_not_lost(store: Store) -> None:
    """The race two concurrent ingests hit: a check reads a body, another writer adds a report to
    it, the check settles. The body must stay marked, and the next round must see the new report."""
    carried = "applications.carried_forward.natural_person"
    y1 = make_report(year=2022, values={carried: 5})
    y2 = make_report(year=2023, values={"applications.carried_over.natural_person": 5})
    y3 = make_report(year=2024, values={"applications.carried_over.natural_person": 9})
    store.add(y1)
    store.add(y2)
    (body,) = store.bodies_to_check()
    check = store.check_bodies([body])  # the reports as they are now: 2022 and 2023 agree
    store.add(y3)  # another writer, meanwhile: 2024 carries over 9, not the 0 of 2023
    store.settle_bodies(check)
    assert store.bodies_to_check() == [body]  # the stale result did not clear the mark
    store.recheck_bodies()
    assert store.bodies_to_check() == []
    codes = [(sf.finding.code, sf.year) for sf in store.findings(scope="corpus")]
    assert ("year-carry-over", 2024) in codes


@pytest.mark.skipif(not os.environ.get("XXGK_TEST_POSTGRES_URL"), reason="XXGK_TEST_POSTGRES_URL is not set")
def test_the_test_database_role_has_least_privilege() -> None:
    """scripts/postgres.sh's role: it logs in and owns its test database, nothing more; its
    password is random and written nowhere in the repository."""
    import psycopg

    url = os.environ["XXGK_TEST_POSTGRES_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles "
            "WHERE rolname = current_user"
        ).fetchone()
        assert row == (False, False, False, False, False)
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) = current_user FROM pg_database WHERE datname = current_database()"
        ).fetchone()
        assert owner == (True,)
    password = psycopg.conninfo.conninfo_to_dict(url).get("password") or ""
    assert len(password) >= 16
    repo = Path(__file__).resolve().parents[1]
    for folder in ("scripts", "tests", "src", ".ci"):
        for p in (repo / folder).rglob("*"):
            if p.is_file() and p.suffix in {".sh", ".py", ".md", ".toml", ""}:
                assert password not in p.read_text(encoding="utf-8", errors="replace"), p
