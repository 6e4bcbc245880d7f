"""`xxgk serve`, `xxgk user …`, `xxgk token …`: the workbench and its users, from the command line.

Thin: each command calls xxgk.review / xxgk.web and prints the result. `xxgk.cli` calls
`register(app)`. Exit codes: 0 done, 2 a usage error (a bad role, an unknown user, a password
given on the command line, a missing `web` extra).
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from xxgk.cli.common import err, fail, library_errors, out
from xxgk.i18n import N_, _

if TYPE_CHECKING:
    from xxgk.store import Store

WEB_MODULES = ("fastapi", "uvicorn", "argon2", "python_multipart", "docx")


def _db_option() -> object:
    return typer.Option("--db", envvar="XXGK_DB", help=_(
        "Database: a SQLite file path or sqlite:///…, postgresql://user@host/db. Default ./xxgk.sqlite."))


Db = Annotated[str | None, _db_option()]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help=_(
    "Read the password from standard input (never from the command line)."))]


def _require_web() -> None:
    """The workbench's libraries are the `web` extra: say so instead of a traceback."""
    for module in WEB_MODULES:
        try:
            __import__(module)
        except ImportError:
            fail(_("the workbench needs the optional extra: pip install 'xxgk[web]' ({what} is missing)")
                 .format(what=module))


def _store(db: str | None) -> Store:
    _require_web()
    from xxgk.review import open_store  # imported when used: `xxgk --help` stays fast

    with library_errors():
        return open_store(db)


def _password(password_stdin: bool) -> str:
    if not password_stdin:
        fail(_("give the password on stdin with --password-stdin"))
    return sys.stdin.readline().rstrip("\r\n")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_BIND_REASONS = {
    errno.EADDRINUSE: N_("the port is in use by another program (another xxgk serve?)"),
    errno.EACCES: N_("permission denied (ports below 1024 need administrator rights)"),
    errno.EADDRNOTAVAIL: N_("this machine has no such address"),
}


def check_address(host: str, port: int) -> None:
    """Say in one line why the workbench cannot listen on host:port, before anything is started.

    uvicorn reports a port in use as an English log line and exit code 3 after the app is built,
    and a port it cannot bind at all can leave the upload readers holding the process.
    """
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as e:
        fail(_("cannot listen on {host}:{port}: {reason}").format(
            host=host, port=port, reason=_("unknown host name") if isinstance(e, socket.gaierror) else e))
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as e:
            reason = _BIND_REASONS.get(e.errno or 0)
            fail(_("cannot listen on {host}:{port}: {reason}").format(
                host=host, port=port, reason=_(reason) if reason else e.strerror))


def serve(
    db: Db = None,
    host: Annotated[str, typer.Option("--host", help=_("Address to listen on (only this machine by default)."))]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help=_("Port to listen on."))] = 8000,
    files: Annotated[str | None, typer.Option("--files", envvar="XXGK_FILES", help=_(
        "Folder for uploaded files (default: beside the SQLite file, or ./xxgk-files)."))] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help=_(
        "Server processes answering requests (sessions, the login limit and the upload queue are shared "
        "through the database)."))] = 1,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0, max=64, help=_(
        "Parsing processes for uploads (0: in the server's own process)."))] = 1,
    certfile: Annotated[str | None, typer.Option("--ssl-certfile", help=_("TLS certificate: serve HTTPS."))] = None,
    keyfile: Annotated[str | None, typer.Option("--ssl-keyfile", help=_("TLS private key."))] = None,
    proxy: Annotated[bool, typer.Option("--behind-proxy", help=_(
        "A TLS proxy on this machine forwards the requests: trust its X-Forwarded-Proto and -For headers "
        "(cookies are then Secure, the rate limit sees the real client)."))] = False,
) -> None:
    _require_web()
    import uvicorn

    from xxgk.review import users
    from xxgk.store import database_url
    from xxgk.web import Settings, create_app

    check_address(host, port)
    if not is_loopback(host) and not certfile and not proxy:
        err.print(f"[bold yellow]{escape(_('warning'))}[/] " + escape(_(
            "listening on {host} without HTTPS: passwords and session cookies cross the network in clear text; "
            "use --ssl-certfile/--ssl-keyfile or a TLS proxy in front").format(host=host)))
    settings = Settings(db=db, files_dir=Path(files) if files else None, workers=jobs)
    with library_errors():
        # Built here even for several workers: the schema is created or upgraded once, before they start.
        app = create_app(settings)
    store = app.state.store
    if not users.list_users(store.engine):
        err.print(f"[bold yellow]{escape(_('warning'))}[/] " + escape(_(
            "no user yet: add one with `xxgk user add NAME --role admin --password-stdin`")))
    scheme = "https" if certfile or proxy else "http"
    err.print(escape(_("workbench at {url} (database {db})").format(url=f"{scheme}://{host}:{port}/", db=store.url)))
    # Keep-alive as long as a browser keeps its connections, so a reused one is never found closed.
    options = {"host": host, "port": port, "ssl_certfile": certfile, "ssl_keyfile": keyfile, "log_level": "warning",
               "proxy_headers": proxy, "forwarded_allow_ips": "127.0.0.1,::1" if proxy else None,
               "timeout_keep_alive": 75}
    if workers == 1:
        uvicorn.run(app, **options)  # type: ignore[arg-type]
        return
    # Several processes: uvicorn starts each from the app factory, configured by the environment.
    store.close()
    os.environ.update(XXGK_DB=database_url(db), XXGK_FILES=str(settings.files()), XXGK_WEB_JOBS=str(jobs))
    uvicorn.run("xxgk.web.app:app_from_env", factory=True, workers=workers, **options)  # type: ignore[arg-type]


def user_add(
    name: Annotated[str, typer.Argument(help=_("User name."))],
    role: Annotated[str, typer.Option("--role", help=_("admin, reviewer or viewer."))] = "viewer",
    password_stdin: PasswordStdin = False,
    db: Db = None,
) -> None:
    password = _password(password_stdin)
    from xxgk.review import users

    with library_errors():
        users.add_user(_store(db).engine, name, role, password)
    err.print(escape(_("user {name} added ({role})").format(name=name, role=role)))


def user_list(db: Db = None) -> None:
    from xxgk.review import users

    table = RichTable(title=_("Users"), title_justify="left")
    for col in (_("User name"), _("Role"), _("Created")):
        table.add_column(col)
    for u in users.list_users(_store(db).engine):
        table.add_row(escape(u.name), u.role_name, u.created.strftime("%Y-%m-%d"))
    out.print(table)


def user_passwd(name: Annotated[str, typer.Argument(help=_("User name."))], password_stdin: PasswordStdin = False,
                db: Db = None) -> None:
    password = _password(password_stdin)
    from xxgk.review import users

    with library_errors():
        users.set_password(_store(db).engine, name, password)
    err.print(escape(_("password of {name} changed").format(name=name)))


def user_remove(name: Annotated[str, typer.Argument(help=_("User name."))], db: Db = None) -> None:
    from xxgk.review import users

    with library_errors():
        users.remove_user(_store(db).engine, name)
    err.print(escape(_("user {name} removed").format(name=name)))


def token_create(name: Annotated[str, typer.Argument(help=_("The user the token acts as."))], db: Db = None) -> None:
    from xxgk.review import users

    with library_errors():
        token = users.create_token(_store(db).engine, name)
    sys.stdout.write(token + "\n")


def token_revoke(
    token: Annotated[str, typer.Argument(help=_(
        "The token, its first 12 characters (as `xxgk token list` shows them), or a user name (all their tokens)."))],
    db: Db = None,
) -> None:
    from xxgk.review import users

    with library_errors():
        n = users.revoke_token(_store(db).engine, token)
    err.print(escape(_("{n} token(s) revoked").format(n=n)))


def token_list(db: Db = None) -> None:
    from xxgk.review import users

    table = RichTable(title=_("API tokens"), title_justify="left")
    for col in (_("Token"), _("User name"), _("Created"), _("Revoked")):
        table.add_column(col)
    for t in users.list_tokens(_store(db).engine):
        table.add_row(escape(t.prefix) + "…", escape(t.user), t.created.strftime("%Y-%m-%d"),
                      t.revoked.strftime("%Y-%m-%d") if t.revoked else "")
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add `serve`, `user` and `token` to the `xxgk` app."""
    app.command("serve", help=_(
        "Run the reviewers' workbench: web pages, and the JSON API under /api (docs at /api/docs). "
        "Create a user first: echo PASSWORD | xxgk user add NAME --role admin --password-stdin."))(serve)
    user_app = typer.Typer(help=_("Workbench users: add, list, change a password, remove."), no_args_is_help=True)
    user_app.command("add", help=_("Add a user (the password is read from standard input)."))(user_add)
    user_app.command("list", help=_("List the users and their roles."))(user_list)
    user_app.command("passwd", help=_("Set a user's password (their open sessions end)."))(user_passwd)
    user_app.command("remove", help=_(
        "Remove a user with their sessions and tokens (what they did stays in the audit trail)."))(user_remove)
    token_app = typer.Typer(help=_("API tokens for the workbench's JSON API."), no_args_is_help=True)
    token_app.command("create", help=_(
        "Create an API token and print it alone on standard output (it is stored hashed: keep it now)."))(token_create)
    token_app.command("revoke", help=_("Revoke API tokens."))(token_revoke)
    token_app.command("list", help=_("List the tokens: their first characters, user, state."))(token_list)
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
