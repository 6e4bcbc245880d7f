"""How a workbench is configured: the database, where uploaded files are kept, limits."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from xxgk.extract import MAX_BYTES
from xxgk.store import database_url


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def default_files_dir(db: str | None) -> Path:
    """Next to a SQLite file (`xxgk.sqlite` → `xxgk.sqlite.files/`); `./xxgk-files` otherwise."""
    if os.environ.get("XXGK_FILES"):
        return Path(os.environ["XXGK_FILES"])
    url = database_url(db)
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if path and path != ":memory:":
            return Path(path + ".files")
    return Path.cwd() / "xxgk-files"


@dataclass
class Settings:
    db: str | None = None
    files_dir: Path | None = None
    # One file over this is refused with 413 (the ingest's own one-report limit by default).
    max_file_bytes: int = _int_env("XXGK_WEB_MAX_FILE", MAX_BYTES)
    # One request over this is refused with 413 before it is read (a folder or a zip of a round).
    max_request_bytes: int = _int_env("XXGK_WEB_MAX_REQUEST", 1 << 30)
    # Parsing processes of the background ingest (0: in the server's own process).
    workers: int = _int_env("XXGK_WEB_JOBS", 1)
    threads: int = _int_env("XXGK_WEB_THREADS", 8)  # requests served at once (see app.lifespan)
    login_attempts: int = 5  # failed logins allowed per client and per user name ...
    login_window: float = 300.0  # ... within this many seconds
    session_hours: int = 12
    run_uploads: bool = True  # start the background upload runner with the app

    def files(self) -> Path:
        return self.files_dir or default_files_dir(self.db)

    @classmethod
    def from_env(cls) -> Settings:
        """What `xxgk serve --workers N` hands each worker process: XXGK_DB, XXGK_FILES, XXGK_WEB_JOBS."""
        files = os.environ.get("XXGK_FILES")
        return cls(db=os.environ.get("XXGK_DB") or None, files_dir=Path(files) if files else None,
                   workers=_int_env("XXGK_WEB_JOBS", 1))
