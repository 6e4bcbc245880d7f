"""`xxgk serve`, `xxgk user …`, `xxgk token …`: the workbench and its users, from the command line.

Thin: each command calls xxgk.review / xxgk.web and prints the result.
"""

from __future__ import annotations

import ipaddress
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from xxgk.errors import XxgkError
from xxgk.i18n import _

if TYPE_CHECKING:
    from xxgk.store import Store

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)
DB_HELP = "Database: a SQLite path or URL (default ./xxgk.sqlite), or postgresql://…; also XXGK_DB."
EXIT_INPUT = 2

user_app = typer.Typer(help="Workbench users: add, list, change a password, remove.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for the workbench's JSON API.", no_args_is_help=True)


def _require_web() -> None:
    """The workbench's libraries are the `web` extra: say so instead of a traceback."""
    for module in ("fastapi", "uvicorn", "argon2", "multipart", "docx"):
        try:
            __import__(module)
        except ImportError as e:
            raise _fail(_("the workbench needs the optional extra: pip install 'xxgk[web]' ({what} is missing)")
                        .format(what=module)) from e


def _store(db: str | None) -> Store:
    _require_web()
    from xxgk.review import open_store  # imported when used: `xxgk --help` stays fast

    return open_store(db)


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error[/] {message}", markup=True, highlight=False)
    return typer.Exit(EXIT_INPUT)


def _password_from_stdin() -> str:
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    db: Annotated[str | None, typer.Option("--db", envvar="XXGK_DB", help=DB_HELP)] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (only this machine by default).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    files: Annotated[str | None, typer.Option("--files", envvar="XXGK_FILES",
                                              help="Folder for uploaded files (default: beside the database).")]
    = None,
    workers: Annotated[int, typer.Option("--workers", "-j", help="Parsing processes for uploads (0: in the server).")]
    = 1,
    certfile: Annotated[str | None, typer.Option("--ssl-certfile", help="TLS certificate (serve HTTPS).")] = None,
    keyfile: Annotated[str | None, typer.Option("--ssl-keyfile", help="TLS private key.")] = None,
) -> None:
    """Run the reviewers' workbench (web pages and the JSON API at /api, docs at /api/docs).

    Create a user first: `echo PASSWORD | xxgk user add NAME --role admin --password-stdin`.
    """
    from pathlib import Path

    _require_web()
    import uvicorn

    from xxgk.web import Settings, create_app

    if not is_loopback(host) and not certfile:
        err.print("[bold yellow]warning[/] " + _(
            "listening on {host} without HTTPS: passwords and session cookies cross the network in clear text; "
            "use --ssl-certfile/--ssl-keyfile or a TLS proxy in front").format(host=host))
    try:
        app = create_app(Settings(db=db, files_dir=Path(files) if files else None, workers=workers))
    except XxgkError as e:
        raise _fail(str(e)) from e
    store = app.state.store
    from xxgk.review import users

    if not users.list_users(store.engine):
        err.print("[bold yellow]warning[/] " + _("no user yet: add one with `xxgk user add NAME --role admin "
                                                 "--password-stdin`"))
    scheme = "https" if certfile else "http"
    err.print(_("workbench at {url} (database {db})").format(url=f"{scheme}://{host}:{port}/", db=store.url))
    # Keep-alive as long as a browser keeps its connections, so a reused one is never found closed.
    uvicorn.run(app, host=host, port=port, ssl_certfile=certfile, ssl_keyfile=keyfile, log_level="warning",
                proxy_headers=False, timeout_keep_alive=75)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option("--role", help="admin, reviewer or viewer.")] = "viewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    db: Annotated[str | None, typer.Option("--db", envvar="XXGK_DB", help=DB_HELP)] = None,
) -> None:
    """Add a user (the password is read from stdin, never from the command line)."""
    if not password_stdin:
        raise _fail(_("give the password on stdin with --password-stdin"))
    from xxgk.review import users

    try:
        users.add_user(_store(db).engine, name, role, _password_from_stdin())
    except XxgkError as e:
        raise _fail(str(e)) from e
    err.print(_("user {name} added ({role})").format(name=name, role=role))


@user_app.command("list")
def user_list(db: Annotated[str | None, typer.Option("--db", envvar="XXGK_DB", help=DB_HELP)] = None) -> None:
    """List the users and their roles."""
    from xxgk.review import users

    table = RichTable(title=_("Users"), title_justify="left")
    table.add_column(_("User name"))
    table.add_column(_("Role"))
    table.add_column(_("Created"))
    for u in users.list_users(_store(db).engine):
        table.add_row(u.name, u.role, u.created.strftime("%Y-%m-%d"))
    out.print(table)


@user_app.command("passwd")
def user_passwd(
    name: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    db: Annotated[str | None, typer.Option("--db", envvar="XXGK_DB", help=DB_HELP)] = None,
) -> None:
    """Set a user's password (their open sessions end)."""
    if not password_stdin:
        raise _fail(_("give the password on stdin with --password-stdin"))
    from xxgk.review import users

    try:
        users.set_password(_store(db).engine, name, _password_from_stdin())
    except XxgkError as e:
        raise _fail(str(e)) from e
    err.print(_("password of {name} changed").format(name=name))


@user_app.command("remove")
def user_remove(
    name: Annotated[str, typer.Argument(help="User name.")],
    db: Annotated[str | None, typer.Option("--db", envvar="XXGK_DB", help=DB_HELP)] = None,
) -> None:
    """Remove a user, with their sessions and tokens (what they did stays in the audit trail)."""
    from xxgk.review import users

    try:
        users.remove_user(_store(db).engine, name)
    except XxgkError as e:
        raise _fail(str(e)) from e
    err.print(_("user {name} removed").format(name=name))


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="The user the token acts as.")],
    db: Annotated[str | None, typer.Option("--db", envvar="XXGK_DB", help=DB_HELP)] = None,
) -> None:
    """Create an API token and print it alone on stdout (it is stored hashed: keep it now)."""
    from xxgk.review import users

    try:
        token = users.create_token(_store(db).engine, name)
    except XxgkError as e:
        raise _fail(str(e)) from e
    sys.stdout.write(token + "\n")


@token_app.command("revoke")
def token_revoke(
    token: Annotated[str, typer.Argument(help="The token, its first 12 characters (as listed), or a user name "
                                              "(all of that user's tokens).")],
    db: Annotated[str | None, typer.Option("--db", envvar="XXGK_DB", help=DB_HELP)] = None,
) -> None:
    """Revoke API tokens."""
    from xxgk.review import users

    try:
        n = users.revoke_token(_store(db).engine, token)
    except XxgkError as e:
        raise _fail(str(e)) from e
    err.print(_("{n} token(s) revoked").format(n=n))


@token_app.command("list")
def token_list(db: Annotated[str | None, typer.Option("--db", envvar="XXGK_DB", help=DB_HELP)] = None) -> None:
    """List the tokens (their first characters, user, state)."""
    from xxgk.review import users

    table = RichTable(title=_("API tokens"), title_justify="left")
    for col in (_("Token"), _("User name"), _("Created"), _("Revoked")):
        table.add_column(col)
    for t in users.list_tokens(_store(db).engine):
        table.add_row(t.prefix + "…", t.user, t.created.strftime("%Y-%m-%d"),
                      t.revoked.strftime("%Y-%m-%d") if t.revoked else "")
    out.print(table)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
