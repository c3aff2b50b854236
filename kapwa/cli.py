"""The `kapwa` command line. Bad settings or values: a one-line error naming them, exit code 2."""

from __future__ import annotations

import logging
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from kapwa.core.settings import Settings, SettingsError, load_settings

app = typer.Typer(help="Kapwa — self-hosted community management.", no_args_is_help=True, add_completion=False)
user_app = typer.Typer(help="Team users.", no_args_is_help=True)
demo_app = typer.Typer(help="The demo community.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
settings_app = typer.Typer(help="Configuration.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(demo_app, name="demo")
app.add_typer(db_app, name="db")
app.add_typer(settings_app, name="settings")

console = Console(stderr=True)
out = Console(soft_wrap=True)
log = logging.getLogger("kapwa.cli")

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="TOML settings file (or KAPWA_CONFIG).")]


class RoleChoice(str, Enum):
    owner = "owner"
    manager = "manager"
    moderator = "moderator"
    analyst = "analyst"


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"kapwa: error: {' '.join(message.split())}", err=True)
    raise typer.Exit(code)


def _settings(config: Path | None = None, **overrides) -> Settings:
    try:
        return load_settings(config, **overrides)
    except SettingsError as exc:
        fail(str(exc))


def _runtime(settings: Settings, migrate_db: bool = True):
    from kapwa.core import migrate
    from kapwa.core.runtime import Runtime, configure_logging

    configure_logging(settings)
    try:
        rt = Runtime.from_settings(settings)
    except ValueError as exc:
        fail(str(exc))
    if migrate_db:
        try:
            migrate.upgrade(rt.db.engine)
        except Exception as exc:
            fail(f"database ({settings.sqlalchemy_url.split('@')[-1]}): {str(exc).splitlines()[0]}", code=1)
    return rt


def _progress():
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=console, transient=False)


def _analyze_all(rt, progress) -> None:
    """Run the analysis chain over every message (the demo is written directly, not through ingest)."""
    from sqlalchemy import select

    from kapwa.analysis.chain import analyze_messages, default_chain
    from kapwa.core.models import Message

    if not default_chain().steps:
        return
    with rt.db.sessions() as s:
        ids = list(s.scalars(select(Message.id).order_by(Message.id)))
    task = progress.add_task("Analysing messages", total=len(ids))
    for i in range(0, len(ids), 2000):
        analyze_messages(rt, ids[i : i + 2000])
        progress.update(task, completed=min(i + 2000, len(ids)))


def _update_desk(rt, progress) -> None:
    """Bring every demo conversation's inbox state up to date (signals, service levels, priority), and give
    the chat sources a round-robin rotation so new conversations there land with a moderator."""
    from sqlalchemy import select

    from kapwa.core.models import Conversation, Source, User
    from kapwa.inbox.desk import update_conversations

    with rt.db.write_sessions() as s, s.begin():
        for src in s.scalars(select(Source).where(Source.kind.in_(("discord", "telegram")))):
            team = list(s.scalars(select(User.id).where(
                User.workspace_id == src.workspace_id, User.role.in_(("moderator", "manager")),
                User.is_active.is_(True)).order_by(User.role.desc(), User.id)))
            if team and not src.auto_assign_user_ids:
                src.auto_assign_user_ids = team
    with rt.db.sessions() as s:
        ids = list(s.scalars(select(Conversation.id).order_by(Conversation.id)))
    task = progress.add_task("Preparing the inbox", total=len(ids))
    for i in range(0, len(ids), 500):
        update_conversations(rt, ids[i : i + 500])
        progress.update(task, completed=min(i + 500, len(ids)))


def _load_demo(rt) -> None:
    from kapwa.demo import load_demo

    with _progress() as progress:
        tasks: dict[str, int] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(step, total=total)
            progress.update(tasks[step], completed=done, total=total)

        summary = load_demo(rt, progress=report)
        _analyze_all(rt, progress)
        _update_desk(rt, progress)
    out.print(
        f"Loaded the demo community in {summary.seconds:.1f} s: {summary.members} members, "
        f"{summary.messages} messages, {summary.conversations} conversations, {summary.sources} sources."
    )


@app.command()
def init(
    email: Annotated[str, typer.Option(prompt="Owner e-mail")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    name: Annotated[str, typer.Option(prompt="Your name")] = "Owner",
    workspace: Annotated[str, typer.Option(help="Community name")] = "Our Community",
    config: ConfigOpt = None,
) -> None:
    """Create the database, the workspace and its first owner."""
    from kapwa.core.actions import ActionError, Actor
    from kapwa.core.models import Role
    from kapwa.team import actions, queries

    rt = _runtime(_settings(config))
    with rt.db.sessions() as s:
        ws = queries.first_workspace(s)
    if ws is None:
        ws = actions.do_create_workspace(rt, workspace)
    try:
        actions.do_create_user(rt, Actor.system(ws.id), email=email, name=name, password=password,
                               role=Role.owner.value)
    except ActionError as exc:
        fail(exc.message)
    out.print(f"Workspace [bold]{ws.name}[/] is ready. Sign in as {email} after `kapwa serve`.")


@app.command()
def serve(
    demo: Annotated[bool, typer.Option("--demo", help="Demo mode: load the demo community into an empty database.")] = False,
    host: Annotated[str | None, typer.Option(help="Listen address (KAPWA_HOST).")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port (KAPWA_PORT).")] = None,
    config: ConfigOpt = None,
) -> None:
    """Serve the web UI and REST API (and, without Redis, the job worker) in one process."""
    from kapwa.core.jobs import InProcessWorker, JobQueue
    from kapwa.team import queries
    from kapwa.web.app import create_app, tune_gc_for_serving

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    if demo:
        overrides["demo_mode"] = True
    settings = _settings(config, **overrides)
    started = time.monotonic()
    rt = _runtime(settings)
    with rt.db.sessions() as s:
        empty = queries.first_workspace(s) is None
    if settings.demo_mode and empty:
        _load_demo(rt)
    queue = JobQueue(rt)
    worker = InProcessWorker(queue) if settings.jobs_in_process else None
    application = create_app(rt=rt, jobs=queue)
    url = f"http://{settings.host}:{settings.port}"
    out.print(f"\n[bold green]Kapwa[/] is starting on [link={url}]{url}[/link]")
    if settings.demo_mode:
        from kapwa.demo import DEMO_OWNER_EMAIL, DEMO_PASSWORD

        out.print(f"  Demo login: [bold]{DEMO_OWNER_EMAIL}[/] / [bold]{DEMO_PASSWORD}[/]")
        out.print("  (demo mode: the default secret key is in use — never expose this to the internet)")
    out.print(f"  Jobs: {'in this process' if worker else 'run `kapwa worker` (Redis queue)'}")
    out.print(f"  Ready in {time.monotonic() - started:.1f} s. Press Ctrl+C to stop.\n")
    if worker:
        worker.start()
    server = uvicorn_server(application, settings)
    tune_gc_for_serving()
    try:
        server.run()
    finally:
        if worker:
            worker.stop()
        rt.close()
    if not server.started:  # e.g. the port is taken (uvicorn said why)
        raise typer.Exit(3)


def uvicorn_server(application, settings: Settings):
    """The web server; on Ctrl+C / SIGTERM the open live streams (/events) end at once instead of holding
    up the stop (any request still running gets 5 s)."""
    import uvicorn

    from kapwa.inbox.live_hub import close_streams

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            close_streams()
            super().handle_exit(sig, frame)

    return Server(uvicorn.Config(application, host=settings.host, port=settings.port, log_level="warning",
                                 proxy_headers=False, timeout_graceful_shutdown=5))


@app.command()
def worker(
    threads: Annotated[int | None, typer.Option(min=1, max=64, help="Worker threads (KAPWA_WORKER_THREADS).")] = None,
    config: ConfigOpt = None,
) -> None:
    """Run background jobs (use with KAPWA_REDIS_URL; start as many as you like)."""
    from kapwa.core.jobs import JobQueue

    settings = _settings(config, **({"worker_threads": threads} if threads else {}))
    rt = _runtime(settings, migrate_db=False)
    queue = JobQueue(rt)
    out.print(f"Kapwa worker: {settings.worker_threads} threads on "
              f"{'Redis' if settings.redis_url else 'the SQLite queue'}")
    try:
        queue.consumer().run()
    finally:
        rt.close()


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="E-mail address, used to sign in.")],
    role: Annotated[RoleChoice, typer.Option(help="owner, manager, moderator or analyst.")] = RoleChoice.moderator,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = ...,
    locale: Annotated[str, typer.Option(help="en or fil.")] = "en",
    config: ConfigOpt = None,
) -> None:
    """Add a teammate."""
    from kapwa.core.actions import ActionError, Actor
    from kapwa.team import actions, queries

    rt = _runtime(_settings(config))
    with rt.db.sessions() as s:
        ws = queries.first_workspace(s)
    if ws is None:
        fail("no workspace yet: run `kapwa init` (or `kapwa demo load`) first", code=1)
    try:
        user = actions.do_create_user(rt, Actor.system(ws.id), email=email, name=name or email.split("@")[0],
                                      password=password, role=role.value, locale=locale)
    except ActionError as exc:
        fail(exc.message)
    out.print(f"Added {user.email} as {user.role}.")


@demo_app.command("load")
def demo_load(config: ConfigOpt = None) -> None:
    """Load the demo community (Bayani Pay) into an empty database."""
    from kapwa.core.actions import ActionError

    rt = _runtime(_settings(config, demo_mode=True))
    try:
        _load_demo(rt)
    except ActionError as exc:
        fail(exc.message, code=1)
    from kapwa.demo import DEMO_OWNER_EMAIL, DEMO_PASSWORD

    out.print(f"Demo login: {DEMO_OWNER_EMAIL} / {DEMO_PASSWORD}")


@db_app.command("upgrade")
def db_upgrade(config: ConfigOpt = None) -> None:
    """Apply database migrations."""
    from kapwa.core import migrate

    rt = _runtime(_settings(config))
    out.print(f"Database is at revision {migrate.current_revision(rt.db.engine)} (head).")


@settings_app.command("check")
def settings_check(config: ConfigOpt = None) -> None:
    """Validate settings and show them (secrets hidden)."""
    settings = _settings(config)
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if name in ("secret_key", "encryption_key") and value:
            value = "(set)"
        if name in ("database_url", "redis_url") and value and "@" in str(value):
            value = str(value).split("://")[0] + "://…@" + str(value).split("@", 1)[1]
        out.print(f"{name} = {value}")
    out.print("[green]Settings are valid.[/]")


def main() -> None:
    # Commands that live in their own modules register themselves on `app` when imported.
    import kapwa.cli_analyze
    import kapwa.cli_ingest
    import kapwa.cli_threads  # noqa: F401

    # typer.BadParameter's base is the usage-error class of whichever click typer ships with.
    usage_error = typer.BadParameter.__mro__[1]
    try:
        code = app(standalone_mode=False)
    except usage_error as exc:
        typer.echo(f"kapwa: error: {' '.join(exc.format_message().split())}", err=True)
        sys.exit(2)
    except typer.Abort:
        typer.echo("kapwa: aborted", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    # Run the registered module's main, so commands added by kapwa.cli_ingest land on the same app.
    from kapwa.cli import main as _main

    _main()
