"""The cross-report stage: many reports at once, as library calls with typed results.

- `inputs.read_paths(paths, …) -> ReadResult`: files, folders, globs and zips read as `ingest` expands them
- `findings`: the findings writers (text, CSV, JSON) and `finding_line` for people
- `selection`: `Filters`, `open_store(db)`, `select(store, filters)`
- `compile.compile_store(store, filters, …) -> list[Compilation]` (汇总), `compile_reports(reports, …)`
- `indicators`: `compute(report)`, `indicator_table(reports, history) -> list[IndicatorRow]`
- `stats.stats(store, filters) -> Stats`
- `compare.compare_body(store, body, years) -> Comparison`, `compare_reports(reports)`
- `audit.audit(paths, store, on_progress=…) -> Audit`, `audit_stored(store)`; `Audit.html()`
"""
