"""Report drafts written in the browser (the workbench's 填报 page): kept in the store, checked
with every rule while they are typed, rendered as DOCX / HTML / PDF through `render`.

A draft holds, for every cell of its template, what the author typed and what that means: a
number is `read`, a dash (—, -, /, 无) is `blank` (printed empty), nothing typed is `missing`
("not filled in"), never 0. Text that is not a number is kept as typed (so the author can mend
it) and reported next to its cell; it counts as not filled in. The report a draft stands for is
built as a filled-in form is read back (`read_form`): the same statuses, the template's
arithmetic filling what it fixes uniquely (`inferred`), then `xxgk.check`: every rule the lint
of `render` runs on the written document.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

import xxgk
from xxgk.check.corpus import body_findings
from xxgk.errors import XxgkError
from xxgk.i18n import N_, _, render
from xxgk.parse.infer import infer
from xxgk.report import Cell, Finding, Meta, Number, Report, SectionText, Source
from xxgk.store import Store
from xxgk.store import workbench_schema as t
from xxgk.store.database import row_or_raise
from xxgk.template import SECTIONS, TEMPLATES, Template, template_for_year
from xxgk.writer.draft import TITLE_SUFFIX
from xxgk.writer.layout import fmt_number
from xxgk.writer.read_form import DASHES, NUMBER
from xxgk.writer.render import Rendered
from xxgk.writer.render import render as render_report
from xxgk.writer.sections import Narrative, skeleton_text

NOT_A_NUMBER = N_("{value} is not a number")
NOT_WHOLE = N_("{value} is not a whole number")
TOO_MANY_DECIMALS = N_("{value} has more than 4 decimals (万元)")
# Rules that, in a draft, only say that cells are not filled in yet: the page counts those cells
# instead of listing a finding per row (the lint of the written document still reports them).
INCOMPLETE = frozenset({"unresolved-cells", "missing-cells"})
FIRST_YEAR, LAST_YEAR = 2019, 2100


class DraftError(XxgkError):
    """A draft cannot be opened or saved as asked (no body, a year out of range)."""


class DraftNotFound(DraftError):
    """No draft with this id."""


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Draft:
    id: int
    body: str
    year: int
    template: str
    cells: dict[str, Cell]  # every cell of the template
    texts: dict[int, str]  # section number → the author's text ("" when none yet)
    revision: int = 0
    updated: datetime | None = None
    updated_by: str = ""

    @property
    def tmpl(self) -> Template:
        return TEMPLATES[self.template]

    def typed(self, path: str) -> str:
        """What the cell's input shows: the text typed, or the number."""
        cell = self.cells.get(path)
        if cell is None:
            return ""
        if cell.raw is not None:
            return cell.raw
        return fmt_number(cell.value)

    def problems(self) -> dict[str, str]:
        """Cells whose typed text is not a valid value, with the reason (in the reader's language)."""
        out = {}
        for path, cell in self.cells.items():
            if cell.status == "missing" and cell.raw:
                try:
                    parse_value(cell.raw, self.tmpl.column_of(path).kind)
                except ValueError as e:
                    out[path] = str(e)
        return out


def parse_value(text: str, kind: str) -> tuple[Number | None, str]:
    """(value, status) of what was typed in a cell of this kind; ValueError with the reason (in
    the reader's language) for text that is not a valid value."""
    s = text.strip().replace(",", "").replace("，", "")
    if not s:
        return None, "missing"
    if s in DASHES:
        return None, "blank"
    if not NUMBER.match(s):
        raise ValueError(render(NOT_A_NUMBER, {"value": text.strip()}))
    number: Number = float(s) if "." in s else int(s)
    if kind == "money":
        if round(number, 4) != number:
            raise ValueError(render(TOO_MANY_DECIMALS, {"value": s}))
    elif number != int(number):
        raise ValueError(render(NOT_WHOLE, {"value": s}))
    else:
        number = int(number)
    return number, "read"


def typed_cell(template: Template, path: str, text: str) -> Cell:
    """The cell for what was typed; text that is not a value is kept (raw) and counts as missing."""
    where = template.table(path.split(".", 1)[0]).title
    try:
        value, status = parse_value(text, template.column_of(path).kind)
    except ValueError:
        return Cell(None, "missing", where, text.strip(), "not a number")
    if status == "missing":
        return Cell(None, "missing", where, None, "not filled in")
    if status == "blank":
        return Cell(None, "blank", where, text.strip())
    return Cell(value, "read", where)


def apply_form(draft: Draft, form: Mapping[str, str]) -> None:
    """Take the inputs of the page into the draft: `c:<cell path>` and `s:<section no>`; cells the
    form does not carry are left as they were."""
    for path in draft.tmpl.cell_paths():
        key = f"c:{path}"
        if key in form:
            draft.cells[path] = typed_cell(draft.tmpl, path, str(form[key]))
    for s in SECTIONS:
        key = f"s:{s.no}"
        if key in form:
            lines = [ln.rstrip() for ln in str(form[key]).replace("\r\n", "\n").split("\n")]
            draft.texts[s.no] = "\n".join(lines).strip()


def empty_cells(template: Template) -> dict[str, Cell]:
    return {p: typed_cell(template, p, "") for p in template.cell_paths()}


def take_report(draft: Draft, report: Report) -> None:
    """Take into the draft what a report holds (a filled-in `xxgk form` workbook read back): the
    cells as their statuses say — a number read, a dash as printed, nothing for a cell not filled
    in (a value the arithmetic inferred is not typed in) — and the sections' text. Raises
    DraftError when the report is of another year or template than the draft."""
    if report.meta.year != draft.year or report.meta.template != draft.template:
        raise DraftError(_("the form is for {year} (template {template}), the draft for {dyear} (template "
                           "{dtemplate})").format(year=report.meta.year, template=report.meta.template,
                                                  dyear=draft.year, dtemplate=draft.template))
    typed = {}
    for path in draft.tmpl.cell_paths():
        cell = report.cells.get(path)
        if cell is None or cell.status in ("missing", "inferred"):
            typed[f"c:{path}"] = ""
        elif cell.status == "blank":
            typed[f"c:{path}"] = cell.raw or "—"
        else:
            typed[f"c:{path}"] = fmt_number(cell.value)
    typed.update({f"s:{s.no}": s.text for s in report.sections})
    apply_form(draft, typed)


# ---------------------------------------------------------------- the report a draft stands for


def to_report(draft: Draft) -> Report:
    """The report of the draft as it would be printed: cells with their statuses, the template's
    arithmetic applied, the six sections with the author's text."""
    cells = {p: Cell(c.value, c.status, c.loc, c.raw if c.status == "blank" else None, c.note)
             for p, c in draft.cells.items()}
    infer(cells, draft.tmpl.equations)
    sections = [SectionText(s.no, s.title, draft.texts.get(s.no, ""), s.title) for s in SECTIONS]
    meta = Meta(title=f"{draft.body}{draft.year}年{TITLE_SUFFIX}", agency=draft.body, year=draft.year,
                template=draft.template, period=(f"{draft.year}-01-01", f"{draft.year}-12-31"),
                provenance={"title": "form", "agency": "form", "year": "form", "template": "form"})
    payload = json.dumps([draft.body, draft.year, _cells_json(draft.cells), draft.texts], ensure_ascii=False,
                         sort_keys=True)
    source = Source(f"{draft.body}{draft.year}年度报告（填报）", hashlib.sha256(payload.encode()).hexdigest(), "form")
    return Report(source, meta, sections, cells)


def narrative(draft: Draft) -> Narrative:
    """The text to print: the author's, and the skeleton (marked 【待填写】) where none was typed."""
    texts = {s.no: draft.texts.get(s.no, "") or skeleton_text(s.no) for s in SECTIONS}
    return Narrative(texts, [s.no for s in SECTIONS if not draft.texts.get(s.no)])


@dataclass
class Checked:
    """What the live check says about a draft."""

    report: Report
    findings: list[Finding]  # every finding but those that only say "not filled in"
    unfilled: list[str]  # cells still unknown (neither typed nor fixed by the arithmetic)
    problems: dict[str, str]  # cells whose text is not a valid value
    by_cell: dict[str, list[Finding]] = field(default_factory=dict)

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings)


def last_year_report(store: Store, draft: Draft) -> Report | None:
    """The body's report of the year before, when the store holds exactly one under the draft's
    body name (the cross-year rules compare the draft with it)."""
    entries = [e for e in store.entries(year=draft.year - 1, agency=draft.body) if e.agency == draft.body]
    return store.report(entries[0].id) if len(entries) == 1 else None


def check_draft(draft: Draft, last: Report | None = None) -> Checked:
    """Every rule on the draft's report (the rules the lint runs on the written document), and
    the cross-year rules against `last`, the body's report of the year before, when given
    (上年结转 = last year's 结转下年度, 现行有效件数 …)."""
    report = to_report(draft)
    found = [f for f in xxgk.check(report) if f.code not in INCOMPLETE]
    if last is not None:
        found += [f for owner, f in body_findings([last, report]) if owner is report]
    report.findings = found
    by_cell: dict[str, list[Finding]] = {}
    for f in found:
        for p in f.cells:
            by_cell.setdefault(p, []).append(f)
    unfilled = [p for p, c in report.cells.items() if c.value is None and c.status == "missing"]
    return Checked(report, found, unfilled, draft.problems(), by_cell)


def render_draft(draft: Draft, kind: str, force: bool = False) -> Rendered:
    """The draft as a `kind` document (docx, html, pdf), linted: LintError when the written
    document has an error and not `force`; ToolMissingError for a PDF without LibreOffice."""
    return render_report(to_report(draft), kind, narrative(draft), force)


def file_name(draft: Draft, kind: str) -> str:
    return f"{draft.body}{draft.year}年{TITLE_SUFFIX}.{kind}"


# ---------------------------------------------------------------- in the store


def _cells_json(cells: dict[str, Cell]) -> dict[str, dict[str, Any]]:
    out = {}
    for path, c in cells.items():
        item: dict[str, Any] = {"value": c.value, "status": c.status}
        if c.raw is not None:
            item["raw"] = c.raw
        out[path] = item
    return out


def _draft(row: sa.Row) -> Draft:
    template = TEMPLATES[row.template]
    cells = empty_cells(template)
    for path, item in json.loads(row.cells).items():
        if path in cells:
            where = cells[path].loc
            status = item.get("status", "missing")
            note = None if status != "missing" else ("not a number" if item.get("raw") else "not filled in")
            cells[path] = Cell(item.get("value"), status, where, item.get("raw"), note)
    texts = {int(k): v for k, v in json.loads(row.texts).items()}
    updated = row.updated if row.updated is None or row.updated.tzinfo else row.updated.replace(tzinfo=UTC)
    return Draft(row.id, row.body, row.year, row.template, cells, texts, row.revision, updated, row.updated_by)


def _writing(engine: sa.Engine) -> Any:
    return engine.connect().execution_options(xxgk_write=True)


def open_draft(engine: sa.Engine, body: str, year: int, user: str) -> Draft:
    """The draft of `body` for `year`, created empty when there is none yet."""
    body = " ".join(body.split())
    if not body:
        raise DraftError(_("name the body whose report this is"))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DraftError(_("the year must be between {a} and {b}").format(a=FIRST_YEAR, b=LAST_YEAR))
    template = template_for_year(year)
    which = sa.select(t.drafts).where(t.drafts.c.body == body, t.drafts.c.year == year)
    try:
        with _writing(engine) as conn, conn.begin():
            row = conn.execute(which).first()
            if row is None:
                at = _now()
                conn.execute(t.drafts.insert().values(
                    body=body, year=year, template=template.id,
                    cells=json.dumps(_cells_json(empty_cells(template)), ensure_ascii=False, sort_keys=True),
                    texts="{}", revision=0, created=at, created_by=user, updated=at, updated_by=user))
                row = conn.execute(which).one()
    except sa.exc.IntegrityError:  # another author opened it at the same moment: theirs it is
        with engine.connect() as conn:
            row = conn.execute(which).one()
    return _draft(row)


def get_draft(engine: sa.Engine, draft_id: int) -> Draft:
    return _draft(row_or_raise(engine, sa.select(t.drafts).where(t.drafts.c.id == draft_id),
                               DraftNotFound(_("no draft {id}").format(id=draft_id))))


def save_draft(engine: sa.Engine, draft: Draft, user: str) -> Draft:
    """Store the draft's cells and texts (the latest save wins); returns it with its new revision."""
    at = _now()
    with _writing(engine) as conn, conn.begin():
        done = conn.execute(t.drafts.update().where(t.drafts.c.id == draft.id).values(
            cells=json.dumps(_cells_json(draft.cells), ensure_ascii=False, sort_keys=True),
            texts=json.dumps({str(k): v for k, v in sorted(draft.texts.items())}, ensure_ascii=False),
            revision=t.drafts.c.revision + 1, updated=at, updated_by=user))
        if done.rowcount == 0:
            raise DraftNotFound(_("no draft {id}").format(id=draft.id))
        draft.revision = conn.execute(sa.select(t.drafts.c.revision).where(t.drafts.c.id == draft.id)).scalar_one()
    draft.updated, draft.updated_by = at, user
    return draft


@dataclass(frozen=True)
class DraftEntry:
    id: int
    body: str
    year: int
    template: str
    updated: datetime
    updated_by: str
    filled: int  # cells with a value or printed blank
    total: int


def list_drafts(engine: sa.Engine) -> list[DraftEntry]:
    """Every draft, the latest changed first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.drafts).order_by(t.drafts.c.updated.desc(), t.drafts.c.id.desc())).all()
    out = []
    for r in rows:
        cells = json.loads(r.cells)
        filled = sum(1 for c in cells.values() if c.get("status") in ("read", "blank"))
        updated = r.updated if r.updated.tzinfo else r.updated.replace(tzinfo=UTC)
        out.append(DraftEntry(r.id, r.body, r.year, r.template, updated, r.updated_by, filled,
                              len(TEMPLATES[r.template].cell_paths())))
    return out
