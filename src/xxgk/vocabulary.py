"""The words people read for xxgk's codes: statuses, severities, levels, locations and cell names.

Codes stay English in JSON and the database; these functions give what a person reads, in the
current language (xxgk.i18n). Cells are named by their template labels, never by their keys.
"""

from __future__ import annotations

import re

from xxgk.i18n import N_, gettext, term
from xxgk.template import TEMPLATES, Template

STATUS_NAMES = {
    "read": term("read"),
    "blank": term("blank"),
    "missing": term("missing"),
    "inferred": term("inferred"),
}
SEVERITY_NAMES = {"error": term("error"), "warning": term("warning"), "info": term("info")}
LEVEL_NAMES = {
    "province": term("province"),
    "city": term("city"),
    "county": term("county"),
    "township": term("township"),
    "development_zone": term("development zone"),
    "department": term("department"),
}
TABLE_NAMES = {"active": N_("table 二 (active disclosure)"), "applications": N_("table 三 (applications)"),
               "appeals": N_("table 四 (reviews and lawsuits)")}

_LOC = re.compile(r"^(?:p(?P<page>\d+))?:?(?:L(?P<line>\d+))?$")
SEPARATOR = " · "


def status_name(status: str) -> str:
    return gettext(STATUS_NAMES.get(status, status))


def severity_name(severity: str) -> str:
    return gettext(SEVERITY_NAMES.get(severity, severity))


def level_name(level: str | None) -> str:
    if not level:
        return gettext(N_("unknown"))
    return gettext(LEVEL_NAMES.get(level, level))


def table_name(key: str) -> str:
    return gettext(TABLE_NAMES.get(key, key))


def location_text(loc: str | None) -> str:
    """'p4' → 第4页, 'p1:L9' → 第1页第9行, 'L58' → 第58行; anything else is shown as it is."""
    if not loc:
        return ""
    m = _LOC.match(loc)
    if not m or not (m["page"] or m["line"]):
        return loc
    if m["page"] and m["line"]:
        return gettext(N_("page {page}, line {line}")).format(page=m["page"], line=m["line"])
    if m["page"]:
        return gettext(N_("page {page}")).format(page=m["page"])
    return gettext(N_("line {line}")).format(line=m["line"])


def row_name(template: Template | str, table: str, row: str) -> str:
    """A row by its template labels, with the group it sits under: （三）不予公开 · 1.属于国家秘密."""
    t = TEMPLATES[template] if isinstance(template, str) else template
    r = t.row_of(f"{table}.{row}.x")
    if r.block and table == "applications":
        return f"{r.block}{SEPARATOR}{r.label}"
    return r.label


def cell_name(template: Template | str, path: str) -> str:
    """A cell by its template labels: （三）不予公开 · 1.属于国家秘密 · 自然人."""
    t = TEMPLATES[template] if isinstance(template, str) else template
    table, row, col = path.split(".")
    r = t.row_of(path)
    column = r.column(col)
    if table == "active" and len(r.columns) == 1:
        return f"{r.label}{SEPARATOR}{column.label}"
    return f"{row_name(t, table, row)}{SEPARATOR}{column.label}"
