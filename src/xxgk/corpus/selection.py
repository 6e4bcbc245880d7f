"""Which stored reports a command works on: the filters people type, checked before they reach
the database, and the store opened with one clear error instead of a driver's traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xxgk.errors import UsageError
from xxgk.i18n import _
from xxgk.report import Report

if TYPE_CHECKING:
    from xxgk.store import Store

# Years a report can be for (the regulation dates from 2008); anything else is a typing error,
# and a 20-digit year would overflow the database's integer.
YEAR_RANGE = (1900, 2999)
# Longer than any body or region name; longer patterns only make SQLite refuse the query.
MAX_TEXT = 200
LEVELS = ("province", "city", "county", "township", "development_zone", "department")
TEMPLATE_IDS = ("2019", "2021")


@dataclass(frozen=True)
class Filters:
    """The filters shared by the store commands; None means "any"."""

    year: int | None = None
    agency: str | None = None
    region: str | None = None
    level: str | None = None
    template: str | None = None

    def __post_init__(self) -> None:
        check_year(self.year, "--year")
        for name in ("agency", "region"):
            check_text(getattr(self, name), f"--{name}")
        if self.level is not None and self.level not in LEVELS:
            raise UsageError(_("--level {value}: not a level; choose one of {choices}").format(
                value=self.level, choices=", ".join(LEVELS)))
        if self.template is not None and self.template not in TEMPLATE_IDS:
            raise UsageError(_("--template {value}: not a template; choose one of {choices}").format(
                value=self.template, choices=", ".join(TEMPLATE_IDS)))

    def given(self) -> dict[str, Any]:
        """The filters that are set (as recorded in a compilation)."""
        return {k: v for k, v in asdict(self).items() if v is not None}


def check_year(year: int | None, option: str = "--year") -> None:
    if year is not None and not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise UsageError(_("{option} {value}: not a year between {low} and {high}").format(
            option=option, value=year, low=YEAR_RANGE[0], high=YEAR_RANGE[1]))


def check_text(value: str | None, option: str) -> None:
    if value is not None and len(value) > MAX_TEXT:
        raise UsageError(_("{option}: {n} characters is longer than any name ({max} at most)").format(
            option=option, n=len(value), max=MAX_TEXT))


@contextmanager
def open_store(db: str | None, must_exist: bool = True) -> Iterator[Store]:
    """The store at `db` (a SQLite path, sqlite:///…, postgresql://…; None: ./xxgk.sqlite).

    must_exist: a read command on a SQLite file that is not there is an error (opening would
    silently create an empty database). Anything the driver says (not a database, locked,
    unreachable server) becomes one StoreError line."""
    import sqlalchemy as sa

    from xxgk.store import Store, StoreError, database_url

    url = database_url(db)
    if must_exist and url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():
            raise StoreError(_("no database at {path}: run `xxgk ingest FILES --db {db}` first").format(
                path=path, db=db or path.name))
    try:
        store = Store.open(db)
    except sa.exc.DBAPIError as e:
        raise StoreError(_("cannot open the database {db}: {reason}").format(db=db or url, reason=e.orig or e)) from e
    try:
        yield store
    except sa.exc.DBAPIError as e:
        reason = e.orig or e
        raise StoreError(_("the database {db} cannot be read: {reason}").format(db=db or url, reason=reason)) from e
    finally:
        store.close()


def select(store: Store, filters: Filters | None = None, **override: Any) -> list[Report]:
    """The stored reports matching `filters` (fields in `override` replace the filters' own)."""
    given = {**(filters.given() if filters else {}), **override}
    return list(store.reports(**given))
