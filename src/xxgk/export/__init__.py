"""Many reports out as one dataset: pandas, CSV (long and wide), XLSX laid out like the template,
Parquet and JSON. Every writer is deterministic: the same reports give byte-identical files.

Unknown values stay unknown everywhere (empty CSV field, null, empty XLSX cell with a status
colour); the long form carries each cell's status and location.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from xxgk.export.records import (
    LONG_COLUMNS,
    format_value,
    long_records,
    sorted_reports,
    wide_records,
)
from xxgk.report import Report

if TYPE_CHECKING:
    import pandas as pd

Form = Literal["long", "wide"]
FORMATS = ("csv", "csv-wide", "xlsx", "parquet", "json")


def to_dataframe(reports: Iterable[Report], form: Form = "long") -> pd.DataFrame:
    """The reports as a pandas DataFrame.

    long: one row per cell (report, file, body, region, level, year, template, table, row, col,
    value, status, location, raw, note); `value` is a nullable Float64 (money is decimal), so an
    unknown cell is <NA>, never 0. wide: one row per report, one column per cell path.
    """
    import pandas as pd

    if form == "long":
        df = pd.DataFrame(long_records(reports), columns=list(LONG_COLUMNS))
        df["value"] = pd.array(df["value"].tolist(), dtype="Float64")
        df["year"] = pd.array(df["year"].tolist(), dtype="Int64")
        return df
    if form == "wide":
        columns, rows = wide_records(reports)
        df = pd.DataFrame(rows, columns=columns)
        for c in columns:
            if "." in c:
                df[c] = pd.array(df[c].tolist(), dtype="Float64")
        df["year"] = pd.array(df["year"].tolist(), dtype="Int64")
        return df
    raise ValueError(f"form must be 'long' or 'wide', not {form!r}")


def _csv_text(columns: list[str] | tuple[str, ...], rows: Iterable[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([format_value(r.get(c)) for c in columns])
    return buf.getvalue()


def csv_long(reports: Iterable[Report]) -> str:
    return _csv_text(LONG_COLUMNS, long_records(reports))


def csv_wide(reports: Iterable[Report]) -> str:
    columns, rows = wide_records(reports)
    return _csv_text(columns, rows)


def json_text(reports: Iterable[Report]) -> str:
    """A JSON array of report objects, each in the xxgk.report/1 vocabulary of docs/format.md."""
    return json.dumps([r.to_dict() for r in sorted_reports(reports)], ensure_ascii=False, indent=1) + "\n"


def write_parquet(reports: Iterable[Report], target: str | Path | io.BytesIO) -> None:
    """The long form as Parquet (value: double, null when unknown; year: int32)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    recs = long_records(reports)
    types = {"year": pa.int32(), "value": pa.float64()}
    arrays = []
    for c in LONG_COLUMNS:
        vals = [r[c] for r in recs]
        if c == "value":
            vals = [None if v is None else float(v) for v in vals]
        arrays.append(pa.array(vals, type=types.get(c, pa.string())))
    table = pa.Table.from_arrays(arrays, names=list(LONG_COLUMNS))
    # No pandas metadata and no timestamps: the file depends on the data (and pyarrow's version) only.
    pq.write_table(table, target, compression="zstd")


def export(reports: Iterable[Report], fmt: str, out: str | Path) -> int:
    """Write `reports` to `out` in `fmt` (one of FORMATS); returns how many reports were written."""
    reps = sorted_reports(reports)
    out = Path(out)
    if fmt == "csv":
        out.write_text(csv_long(reps), encoding="utf-8")
    elif fmt == "csv-wide":
        out.write_text(csv_wide(reps), encoding="utf-8")
    elif fmt == "json":
        out.write_text(json_text(reps), encoding="utf-8")
    elif fmt == "parquet":
        write_parquet(reps, out)
    elif fmt == "xlsx":
        from xxgk.export.workbook import write_reports_xlsx

        write_reports_xlsx(reps, out)
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return len(reps)


__all__ = ["FORMATS", "csv_long", "csv_wide", "export", "json_text", "to_dataframe", "write_parquet"]
