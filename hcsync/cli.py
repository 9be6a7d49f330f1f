"""The command line. The only module that imports click, and the only one that prints errors."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

# httpx imports its own command-line client (rich, pygments: ~30 ms) whenever they are
# installed; hcsync never runs it, so it is marked absent and httpx falls back to a stub.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

from hcsync import __version__
from hcsync.diagnostics import HcsyncError, UsageError


class _State:
    debug = False
    timeout: float | None = None


DETAILED_USAGE_EXIT = 64
"""Exit code of a usage error under ``--detailed-exitcode``, where 2 means "changes"."""


class _DetailedUsageError(click.UsageError):
    """A usage error under ``--detailed-exitcode``, worded as click worded it."""

    exit_code = DETAILED_USAGE_EXIT

    def __init__(self, original: click.UsageError) -> None:
        super().__init__(original.message, original.ctx)
        self.original = original

    def format_message(self) -> str:
        return self.original.format_message()  # "Invalid value for '--prune': ..."


def _where(exc: HcsyncError) -> str:
    """``GET /path: `` before a help center's refusal that does not name its request yet."""
    from hcsync.diagnostics import BackendError

    if isinstance(exc, BackendError) and exc.method and exc.path:
        head = f"{exc.method} {exc.path}"
        if not exc.message.startswith(head):
            return head + ": "
    return ""


class _Group(click.Group):
    """Prints hcsync's own errors as lines (no traceback) with their exit codes."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["hcsync.argv"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        detailed = "--detailed-exitcode" in ctx.meta.get("hcsync.argv", ())
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            if detailed:
                raise _DetailedUsageError(exc) from None
            raise
        except HcsyncError as exc:
            if _State.debug:
                raise
            click.echo(_where(exc) + exc.format(), err=True)
            # hcsync's own usage errors (a missing API key) exit 2 like click's; under
            # --detailed-exitcode 2 means "changes", so they exit 64 as click's do.
            usage = exc.exit_code == UsageError.exit_code
            ctx.exit(DETAILED_USAGE_EXIT if detailed and usage else exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hcsync")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=None,
    envvar="HCSYNC_TIMEOUT",
    help="Stop talking to the help center after this many seconds (default: no overall "
    "limit; each answer must arrive within 120 s).",
)
def cli(debug: bool, timeout: float | None) -> None:
    """Keep a hosted help center equal to a folder of Markdown files in git."""
    _State.debug = debug
    _State.timeout = timeout


def _emulator_options(port: int, faults_example: str) -> Callable[[Any], Any]:
    """The options every ``hcsync emulate`` command takes."""

    def decorate(command: Any) -> Any:
        for option in reversed(
            [
                click.option(
                    "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
                ),
                click.option(
                    "--port", default=port, show_default=True, type=int, help="Port to listen on."
                ),
                click.option(
                    "--data",
                    type=click.Path(dir_okay=False),
                    default=None,
                    help="SQLite file that keeps the state between runs (default: in memory).",
                ),
                click.option(
                    "--faults",
                    default=None,
                    metavar="SPEC",
                    help=f"Inject failures, e.g. {faults_example} (kind:rate).",
                ),
                click.option(
                    "--seed", default=0, show_default=True, type=int, help="Seed for --faults."
                ),
            ]
        ):
            command = option(command)
        return command

    return decorate


@cli.group()
def emulate() -> None:
    """Run an emulated help center on this machine (for tests, demos and trials)."""
    from hcsync.demo import require_emulators

    require_emulators("hcsync emulate")


@emulate.command("helpcenter")
@_emulator_options(8080, "500:0.05,429:0.05,reset:0.01,timeout:0.01")
def emulate_helpcenter(
    host: str, port: int, data: str | None, faults: str | None, seed: int
) -> None:
    """Serve the Help.Center API v0 emulator and its public help center."""
    from hcsync.emulators.helpcenter.errors import ApiError
    from hcsync.emulators.helpcenter.serve import serve

    try:
        serve(host=host, port=port, data=data, echo=click.echo, faults=faults, seed=seed)
    except ApiError as exc:
        raise click.BadParameter(exc.message, param_hint="--faults") from None


@emulate.command("clickhelp")
@_emulator_options(8081, "500:0.05,501:0.01,reset:0.01,timeout:0.01")
def emulate_clickhelp(
    host: str, port: int, data: str | None, faults: str | None, seed: int
) -> None:
    """Serve the ClickHelp REST API v1 emulator and its readers' view."""
    from hcsync.emulators.clickhelp.errors import ApiError as ClickHelpError
    from hcsync.emulators.clickhelp.serve import serve as serve_clickhelp

    try:
        serve_clickhelp(host=host, port=port, data=data, echo=click.echo, faults=faults, seed=seed)
    except ClickHelpError as exc:
        raise click.BadParameter(exc.message, param_hint="--faults") from None


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--backend",
    type=click.Choice(["helpcenter", "clickhelp"]),
    default="helpcenter",
    show_default=True,
)
@click.option("--target", required=True, help="Help.Center center id, or ClickHelp project id.")
@click.option("--content", default=".", show_default=True, help="Content root, relative.")
@click.option("--language", default="en", show_default=True, help="Default language.")
def init(directory: str, backend: str, target: str, content: str, language: str) -> None:
    """Write a starter hcsync.yml in DIRECTORY."""
    from pathlib import Path

    from hcsync.init import write_starter

    path = write_starter(
        Path(directory), backend=backend, target=target, content=content, language=language
    )
    click.echo(f"Wrote {path}. Next: hcsync validate {directory}")


# ---- plan / apply / status ------------------------------------------------------------------


def _services(ctx: click.Context) -> dict[str, Any]:
    """Test seams: an ``httpx.Client``, an environment, a clock (set through ``obj``)."""
    obj = ctx.find_root().obj
    return obj if isinstance(obj, dict) else {}


def _prepare(ctx: click.Context, directory: str, strict: bool) -> tuple[Any, Any, Any]:
    from pathlib import Path

    from hcsync.config import load_config
    from hcsync.content import load_site
    from hcsync.workflow import load_lock

    config = load_config(Path(directory))
    site = load_site(config, strict=strict)
    lock = load_lock(config)
    for diag in lock.problems:  # records dropped from the lockfile, journal lines skipped
        click.echo(diag.format(), err=True)
    return config, site, lock


def _backend(ctx: click.Context, config: Any, stack: Any) -> Any:
    import os

    from hcsync.workflow import make_backend, open_client

    services = _services(ctx)
    client = services.get("client") or stack.enter_context(
        open_client(config, timeout=_State.timeout)
    )
    env = services.get("env", os.environ)
    return make_backend(
        config, client, env, clock=services.get("clock"), sleep=services.get("sleep")
    )


def _options(config: Any, prune: str | None, overwrite: bool, force: bool = False) -> Any:
    from hcsync.plan.diff import DiffOptions

    return DiffOptions(overwrite=overwrite, prune=prune or config.prune.value, force=force)


_directory = click.option(
    "-C",
    "--directory",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Directory holding hcsync.yml.",
)
_prune = click.option(
    "--prune",
    type=click.Choice(["report", "unpublish", "delete"]),
    default=None,
    help="What to do with articles whose file is gone (default: hcsync.yml's prune).",
)
_strict = click.option("--strict", is_flag=True, help="Treat content warnings as errors.")


@cli.command()
@_directory
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option(
    "-o", "--out", type=click.Path(dir_okay=False), help="Save the plan, to apply it later."
)
@click.option("--diff", "show_diff", is_flag=True, help="Show a text diff of changed articles.")
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when nothing changes, 2 when something does, 1 on error.",
)
@_prune
@click.option("--overwrite", is_flag=True, help="Plan to replace edits made on the help center.")
@click.option("--force", is_flag=True, help="Plan to send every article again.")
@click.option(
    "--offline",
    is_flag=True,
    help="Plan from the files and the lockfile alone, without reading the help center "
    "(no API key needed; cannot see web edits).",
)
@_strict
@click.pass_context
def plan(
    ctx: click.Context,
    directory: str,
    as_json: bool,
    out: str | None,
    show_diff: bool,
    detailed_exitcode: bool,
    prune: str | None,
    overwrite: bool,
    force: bool,
    strict: bool,
    offline: bool = False,
) -> None:
    """Show what apply would change on the help center. Writes nothing remote."""
    from contextlib import ExitStack
    from dataclasses import replace

    from hcsync.views import json as json_view
    from hcsync.views import text as text_view
    from hcsync.workflow import make_plan

    config, site, lock = _prepare(ctx, directory, strict)
    if offline:
        from hcsync.plan.offline import offline_plan
        from hcsync.workflow import plan_options

        options = _options(config, prune, overwrite, force)
        the_plan = offline_plan(
            site, lock, options=options, target=config.center_id or config.project_id or ""
        )
        the_plan = replace(the_plan, options=plan_options(options))
    else:
        with ExitStack() as stack:
            backend = _backend(ctx, config, stack)
            the_plan = make_plan(
                site, lock, backend, options=_options(config, prune, overwrite, force)
            )
    _warn(the_plan)
    if out:
        from pathlib import Path

        Path(out).write_text(json_view.render_plan(the_plan), encoding="utf-8")
    if as_json:
        click.echo(json_view.render_plan(the_plan), nl=False)
    else:
        color = _color()
        click.echo(text_view.render_plan(the_plan, show_diff=show_diff, color=color), nl=False)
        if out:
            click.echo(f"Saved the plan to {out}. Apply it with: hcsync apply {out}")
    if detailed_exitcode and the_plan.has_changes:
        ctx.exit(2)


@cli.command()
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False, exists=True))
@_directory
@click.option("-y", "--yes", is_flag=True, help="Apply without asking.")
@_prune
@click.option("--overwrite", is_flag=True, help="Replace edits made on the help center.")
@click.option("--force", is_flag=True, help="Send every article again.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@_strict
@click.pass_context
def apply(
    ctx: click.Context,
    plan_file: str | None,
    directory: str,
    yes: bool,
    prune: str | None,
    overwrite: bool,
    force: bool,
    as_json: bool,
    strict: bool,
) -> None:
    """Make the help center match the files (or apply a plan saved with `plan -o`)."""
    import json as jsonlib
    import sys as _sys
    from contextlib import ExitStack
    from pathlib import Path

    from hcsync.plan.model import Plan
    from hcsync.views import json as json_view
    from hcsync.views import text as text_view
    from hcsync.workflow import check_not_stale, diff_options, make_plan

    ctx.with_resource(_apply_lock(directory))
    config, site, lock = _prepare(ctx, directory, strict)
    from hcsync.workflow import settle_journal

    settle_journal(config, lock)
    color = _color()
    with ExitStack() as stack:
        backend = _backend(ctx, config, stack)
        if plan_file:
            try:
                saved = Plan.from_json(jsonlib.loads(Path(plan_file).read_text(encoding="utf-8")))
            except (ValueError, KeyError, TypeError) as exc:
                raise click.BadParameter(f"not a plan file ({exc})", param_hint="PLAN") from None
            fresh = make_plan(site, lock, backend, options=diff_options(saved.options))
            check_not_stale(saved, fresh)
            the_plan = saved
        else:
            the_plan = make_plan(
                site, lock, backend, options=_options(config, prune, overwrite, force)
            )
            _warn(the_plan)
            if not as_json:
                click.echo(text_view.render_plan(the_plan, color=color), nl=False)
            if not the_plan.has_changes:
                if as_json:
                    click.echo(json_view.render_report(_empty_report()), nl=False)
                return
            if not yes:
                if not _sys.stdin.isatty():
                    raise click.UsageError(
                        "refusing to apply without confirmation: pass --yes, or apply a "
                        "saved plan (hcsync plan -o plan.json; hcsync apply plan.json)"
                    )
                if not click.confirm("Apply these changes?", default=False):
                    click.echo("Nothing applied.")
                    return
        report = _run_with_progress(the_plan, config, lock, backend)
    if as_json:
        click.echo(json_view.render_report(report), nl=False)
    else:
        click.echo(text_view.render_report(report, color=color), nl=False)
    if report.interrupted:
        ctx.exit(130)
    if not report.ok:
        ctx.exit(1)


def _adopt(ctx: click.Context, directory: str, yes: bool) -> None:
    """``import --adopt``: the plan's adoptions, recorded under the apply lock."""
    import sys
    from contextlib import ExitStack

    from hcsync.importer.adopt import adopt_plan, write_adoption
    from hcsync.importer.views import render_adoption
    from hcsync.views import text as text_view
    from hcsync.workflow import settle_journal

    ctx.with_resource(_apply_lock(directory))
    config, site, lock = _prepare(ctx, directory, False)
    settle_journal(config, lock)
    with ExitStack() as stack:
        backend = _backend(ctx, config, stack)
        adoption = adopt_plan(site, lock, backend)
        click.echo(render_adoption(adoption), nl=False)
        if not adoption.adopts:
            return
        if not yes:
            if not sys.stdin.isatty():
                raise click.UsageError(
                    "refusing to write the lockfile without confirmation: pass --yes"
                )
            if not click.confirm("Write these matches to the lockfile?", default=False):
                click.echo("Nothing written.")
                return
        report = write_adoption(adoption, config, lock, backend)
    if not report.ok:
        click.echo(text_view.render_report(report), nl=False)
        ctx.exit(1)
    click.echo(f"Wrote {config.lockfile.name}: {len(adoption.documents)} files matched.")


def _apply_lock(directory: str) -> Any:
    """Held for the whole apply: a second apply on the same lockfile fails at once."""
    from pathlib import Path

    from hcsync.applylock import apply_lock
    from hcsync.config import load_config

    return apply_lock(load_config(Path(directory)).lockfile)


def _warn(the_plan: Any) -> None:
    """Warnings go to stderr, one ``path:line: warning: ...`` line each."""
    for diag in the_plan.diagnostics:
        click.echo(diag.format(), err=True)


def _empty_report() -> Any:
    from hcsync.apply.report import Report

    return Report()


def _run_with_progress(the_plan: Any, config: Any, lock: Any, backend: Any) -> Any:
    import sys as _sys

    from hcsync.views.text import outcome_line
    from hcsync.workflow import apply_plan

    total = len(the_plan.actions)
    if _sys.stderr.isatty() and not _no_color_env():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("Applying", total=total)
            return apply_plan(the_plan, config, lock, backend, progress=lambda o: bar.advance(task))

    def line(outcome: Any) -> None:
        click.echo(outcome_line(outcome.action.kind, outcome.action.path, outcome.status), err=True)

    return apply_plan(the_plan, config, lock, backend, progress=line)


@cli.command()
@_directory
@click.option("--json", "as_json", is_flag=True, help="Print the statuses as JSON.")
@click.pass_context
def status(ctx: click.Context, directory: str, as_json: bool) -> None:
    """List each file as in sync, changed locally, drifted remotely, new or orphaned."""
    import json as jsonlib
    from contextlib import ExitStack

    from hcsync.plan.status import file_statuses, unmanaged_rows
    from hcsync.workflow import make_plan

    config, site, lock = _prepare(ctx, directory, False)
    with ExitStack() as stack:
        backend = _backend(ctx, config, stack)
        the_plan = make_plan(site, lock, backend, options=_options(config, "report", False))
    rows = file_statuses(site_paths=[*site.articles, *site.translations], plan=the_plan)
    rows.update(unmanaged_rows(the_plan))
    if as_json:
        click.echo(jsonlib.dumps(rows, indent=2, sort_keys=True))
        return
    titles = {f"remote:{u.remote_id}": f'  "{u.title}"' for u in the_plan.unmanaged}
    width = max((len(p) for p in rows), default=0)
    for path, state in rows.items():
        click.echo(f"{path:<{width}}  {state}{titles.get(path, '')}")


@cli.command()
@click.option("--serve", is_flag=True, help="Keep the emulated help center running to browse it.")
@click.option(
    "--state",
    default=".hcsync",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where the demo keeps its emulator state and lockfile.",
)
@click.option(
    "--backend",
    "backend_name",
    type=click.Choice(["helpcenter", "clickhelp"]),
    default="helpcenter",
    show_default=True,
    help="Which emulated help center to apply it to.",
)
@click.pass_context
def demo(ctx: click.Context, serve: bool, state: str, backend_name: str) -> None:
    """Apply example-content/ to a local emulated help center and show the result."""
    from pathlib import Path

    from hcsync.demo import run_demo

    code = run_demo(
        state_dir=Path(state), echo=click.echo, serve=serve, color=_color(), backend=backend_name
    )
    ctx.exit(code)


def _no_color_env() -> bool:
    import os

    return bool(os.environ.get("NO_COLOR"))


def _color() -> bool:
    import sys as _sys

    return _sys.stdout.isatty() and not _no_color_env()


@cli.command()
@click.argument("path", required=False, default=".", type=click.Path(exists=True))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="text: path:line: message lines; github: also ::error annotations (paths from "
    "GITHUB_WORKSPACE).",
)
def validate(path: str, strict: bool, fmt: str = "text") -> None:
    """Check hcsync.yml and the whole content tree in PATH (default: here), offline.

    Prints a one-line summary, or every problem as path:line: message (exit 1).
    """
    import os
    from pathlib import Path

    from hcsync.content import load_site
    from hcsync.diagnostics import ContentError
    from hcsync.views.annotations import annotation, render_diagnostics

    github = fmt == "github"
    base = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()) if github else Path.cwd()
    try:
        site = load_site(Path(path), strict=strict, display_base=base)
    except ContentError as exc:
        if github:
            click.echo(render_diagnostics(exc.diagnostics), nl=False)
        raise
    except HcsyncError as exc:
        if github:
            click.echo(annotation("error", exc.format()))
        raise
    if github:
        click.echo(render_diagnostics(site.diagnostics), nl=False)
    for diag in site.diagnostics:
        click.echo(diag.format(), err=True)
    warnings = len(site.diagnostics)
    tail = f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
    click.echo(f"OK: {site.summary()}{tail}")


# ---- import / pull: from the help center into the files -----------------------------------


@cli.command("import")
@_directory
@click.option(
    "--into",
    default=None,
    metavar="DIR",
    help="Content folder to write (relative to -C; default: hcsync.yml's content, or docs).",
)
@click.option("--adopt", is_flag=True, help="Match the files that exist; write only the lockfile.")
@click.option("-y", "--yes", is_flag=True, help="With --adopt: write the lockfile without asking.")
@click.option("--center-id", default=None, help="Help.Center: the center's id (no hcsync.yml yet).")
@click.option(
    "--portal-url",
    default=None,
    help="ClickHelp: https://<portal>.clickhelp.co (no hcsync.yml yet).",
)
@click.option("--project-id", default=None, help="ClickHelp: the project's id (no hcsync.yml yet).")
@click.option(
    "--publication-id",
    default=None,
    help='ClickHelp: the publication "published" means (default: the project\'s only one).',
)
@click.option("--base-url", default=None, help="API base URL (emulators), with the flags above.")
@click.option(
    "--published-translations-only",
    is_flag=True,
    help="Read only translations that are live (one call fewer per article and language).",
)
@click.pass_context
def import_command(
    ctx: click.Context,
    directory: str,
    into: str | None,
    adopt: bool,
    yes: bool,
    center_id: str | None,
    portal_url: str | None,
    project_id: str | None,
    publication_id: str | None,
    base_url: str | None,
    published_translations_only: bool,
) -> None:
    """Bring an existing help center into Markdown files, hcsync.yml and the lockfile.

    A document that cannot be written (a name refused, HTML nested too deep) is skipped and
    listed (exit 1); run the same command again to complete what is missing.

    With --adopt, the files exist already (the lockfile is lost or partial): remote articles
    are matched to files by slug and language, then by title, and the lockfile is written.
    """
    from contextlib import ExitStack
    from pathlib import Path

    from hcsync.config import CONFIG_NAME
    from hcsync.importer.views import render_import

    root = Path(directory)
    has_config = (root / CONFIG_NAME).is_file()
    flags = {
        "center_id": center_id,
        "portal_url": portal_url,
        "project_id": project_id,
        "publication_id": publication_id,
        "base_url": base_url,
    }
    given = [k for k, v in flags.items() if v]
    if given and has_config and not adopt:
        given = _flags_disagreeing(root, flags)  # the same flags again: a re-run
    if given and (has_config or adopt):
        raise click.UsageError(
            f"--{given[0].replace('_', '-')} is for an import into a folder with no "
            f"{CONFIG_NAME}; here the help center comes from {CONFIG_NAME}"
        )
    if adopt:
        _adopt(ctx, directory, yes)
        return

    from hcsync.importer.tree import config_for_import, import_tree, new_config, read_remote

    def progress(line: str) -> None:
        click.echo(line, err=True)

    with ExitStack() as stack:
        if has_config:
            config = config_for_import(root, into)
        else:
            config = new_config(
                root, into or "docs", flags, lambda draft: _backend(ctx, draft, stack)
            )
        backend = _backend(ctx, config, stack)
        content = read_remote(
            backend, live_translations_only=published_translations_only, progress=progress
        )
        result = import_tree(config, backend, content, progress=progress)
    click.echo(render_import(result), nl=False)
    if result.skipped:
        ctx.exit(1)


def _flags_disagreeing(root: Any, flags: dict[str, str | None]) -> list[str]:
    """The import flags given that name another help center than ``hcsync.yml`` does."""
    from hcsync.config import load_config

    try:
        config = load_config(root)
    except HcsyncError:
        return [k for k, v in flags.items() if v]
    return [k for k, v in flags.items() if v and str(getattr(config, k) or "") != v]


@cli.command()
@click.argument("files", nargs=-1, type=click.Path())
@_directory
@click.option(
    "--resolved",
    is_flag=True,
    help="FILES hold your merge of a conflict: the next apply sends them (deletes *.remote.md).",
)
@click.pass_context
def pull(ctx: click.Context, files: tuple[str, ...], directory: str, resolved: bool) -> None:
    """Write edits made on the help center back into the files (all, or FILES).

    A file changed on both sides is left alone: the help center's version is written beside
    it as NAME.remote.md (never synced) and the conflict is reported (exit 1). Merge it by
    hand, then `hcsync pull --resolved FILE`.
    """
    from contextlib import ExitStack

    from hcsync.importer.pull import pull as pull_files
    from hcsync.importer.pull import resolve
    from hcsync.importer.views import render_pull, render_resolve
    from hcsync.workflow import settle_journal

    # pull writes the lockfile: like apply, under the apply lock, after folding the journal
    # a killed apply left (so that journal is never replayed over what pull records)
    ctx.with_resource(_apply_lock(directory))
    config, site, lock = _prepare(ctx, directory, False)
    settle_journal(config, lock)
    with ExitStack() as stack:
        backend = _backend(ctx, config, stack)
        if resolved:
            click.echo(render_resolve(resolve(config, site, lock, backend, files)), nl=False)
            return
        result = pull_files(config, site, lock, backend, files)
    click.echo(render_pull(result), nl=False)
    if result.conflicts or result.skipped:
        ctx.exit(1)


# ---- GitHub: the pull-request comment and the Action's helpers -----------------------------


def _env(ctx: click.Context) -> Any:
    import os

    return _services(ctx).get("env", os.environ)


def _gh_warning(env: Any, message: str) -> None:
    """A warning a workflow log shows as an annotation (plain ``warning:`` elsewhere)."""
    from hcsync.views.annotations import annotation

    if env.get("GITHUB_ACTIONS") == "true":
        click.echo(annotation("warning", message))
    else:
        click.echo(f"warning: {message}", err=True)


def _gh_notice(env: Any, message: str) -> None:
    """A notice a workflow log shows as an annotation (a plain line elsewhere)."""
    from hcsync.views.annotations import annotation

    if env.get("GITHUB_ACTIONS") == "true":
        click.echo(annotation("notice", message))
    else:
        click.echo(message, err=True)


@cli.command()
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--failure",
    "failure_log",
    type=click.Path(dir_okay=False, exists=True),
    help="Post this log as a plan that failed, instead of a plan.",
)
@click.option("--repo", "repository", metavar="OWNER/NAME", help="Default: GITHUB_REPOSITORY.")
@click.option(
    "--pr", "pull_request", type=int, help="Pull request number. Default: from GITHUB_EVENT_PATH."
)
@click.option(
    "--key",
    default="",
    help="Keeps apart the comments of several hcsync projects in one pull request.",
)
@click.option(
    "--max-parts",
    default=1,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Post the plan in at most this many comments (65,535 characters each); what does "
    "not fit is counted and left to the job summary, what is risky first.",
)
@click.option(
    "--head-sha",
    default=None,
    metavar="SHA",
    help="Post only if the pull request is at this commit (a fork's plan posted by a "
    "workflow_run job: the artifact names the pull request, GitHub names the commit).",
)
@_directory
@click.pass_context
def comment(
    ctx: click.Context,
    plan_file: str | None,
    failure_log: str | None,
    repository: str | None,
    pull_request: int | None,
    key: str,
    max_parts: int,
    head_sha: str | None,
    directory: str,
) -> None:
    """Post a saved plan (`plan -o FILE`) as a pull-request comment, or update it in place.

    Token from GITHUB_TOKEN, API from GITHUB_API_URL. Problems talking to GitHub are
    warnings, never failures: the plan itself is in the log and the job summary.
    """
    import json as jsonlib
    import re
    from pathlib import Path

    import httpx

    from hcsync import __version__
    from hcsync.github.api import GitHubApi, GitHubError
    from hcsync.github.comment import Post, failure_markdown, post, redact
    from hcsync.github.context import context_from_env
    from hcsync.plan.model import Plan
    from hcsync.workflow import secrets_from_env

    if (plan_file is None) == (failure_log is None):
        raise click.UsageError("give a plan file or --failure LOG (one of them)")
    if key and not re.fullmatch(r"[A-Za-z0-9_./-]+", key):
        raise click.BadParameter("letters, digits and _ . / - only", param_hint="--key")
    env = _env(ctx)
    secrets = secrets_from_env(env)
    plan: Plan | None = None
    markdown = ""
    if plan_file:
        try:
            plan = Plan.from_json(jsonlib.loads(Path(plan_file).read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            raise click.BadParameter(f"not a plan file ({exc})", param_hint="PLAN") from None
    else:
        log = Path(failure_log or "").read_text(encoding="utf-8", errors="replace")
        markdown = redact(failure_markdown(log, secrets=secrets), secrets)
    gh = context_from_env(env, repository=repository, pull_request=pull_request)
    token = env.get("GITHUB_TOKEN", "").strip()
    if not token:
        _gh_warning(env, "GITHUB_TOKEN is not set: the plan was not posted as a comment")
        return
    if gh.repository is None or gh.pull_request is None:
        _gh_warning(env, "no pull request here (pass --repo and --pr): no comment posted")
        return
    footer_bits = [f"hcsync {__version__}"]
    if gh.head_sha:
        footer_bits.append(f"commit {gh.head_sha[:7]}")
    if gh.run_url:
        footer_bits.append(f"[workflow run]({gh.run_url})")
    footer = "<sub>" + " · ".join(footer_bits) + "</sub>"
    given = _services(ctx).get("github_client")
    own = given is None
    client: httpx.Client = given or httpx.Client(
        base_url=gh.api_url, timeout=httpx.Timeout(30.0, connect=10.0)
    )
    try:
        api = GitHubApi(client, token=token, repository=gh.repository)
        what = Post(
            plan=plan,
            markdown=markdown,
            links=_comment_links(env, gh, directory, plan.urls if plan else {}),
            key=key,
            footer=footer,
            run_url=gh.run_url,
            max_parts=max_parts,
            secrets=secrets,
            head_sha=head_sha,
        )
        result = post(api, gh.pull_request, what)
    except GitHubError as exc:
        _gh_warning(env, redact(f"the plan comment was not posted: {exc.format()}", secrets))
        return
    finally:
        if own:
            client.close()
    click.echo(result.summary())


def _comment_links(env: Any, gh: Any, directory: str, urls: Any) -> Any:
    """Links of the comment's rows: files at the PR's head commit (under the content
    directory, relative to GITHUB_WORKSPACE), live articles from the plan's urls."""
    import os
    from pathlib import Path

    from hcsync.config import load_config
    from hcsync.views.markdown import Links

    prefix: str | None = None
    try:
        content = load_config(Path(directory)).content.resolve()
        workspace = Path(env.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
        if content.is_relative_to(workspace):
            prefix = Path(os.path.relpath(content, workspace)).as_posix().removeprefix(".")
    except HcsyncError:
        prefix = None
    return Links.for_run(
        server=env.get("GITHUB_SERVER_URL") or "https://github.com",
        repository=gh.repository if prefix is not None else None,
        sha=gh.head_sha,
        prefix=prefix or "",
        urls=urls,
    )


@cli.group("github")
def github_group() -> None:
    """Steps of the GitHub Action: job summary, annotations, the lockfile commit."""


@github_group.command("summary")
@click.argument("result_file", type=click.Path(dir_okay=False, exists=True))
@_directory
@click.pass_context
def github_summary(ctx: click.Context, result_file: str, directory: str) -> None:
    """Add a plan file or an `apply --json` report to the job summary and annotate its files.

    Writes to GITHUB_STEP_SUMMARY (stdout when unset), sets the step outputs `changes` and
    `failed` in GITHUB_OUTPUT, and prints `::error file=…,line=…::` lines for problems.
    """
    import os
    from pathlib import Path

    from hcsync.apply.report import Report
    from hcsync.config import load_config
    from hcsync.github.summary import append_step_summary, read_result, summary_markdown
    from hcsync.views import annotations

    env = _env(ctx)
    result = read_result(Path(result_file))
    workspace = Path(env.get("GITHUB_WORKSPACE") or Path.cwd())
    config = load_config(Path(directory))

    def rel(path: Path) -> str:
        return Path(os.path.relpath(path.resolve(), workspace.resolve())).as_posix()

    markdown = summary_markdown(result)
    if env.get("GITHUB_STEP_SUMMARY"):
        append_step_summary(Path(env["GITHUB_STEP_SUMMARY"]), markdown)
    else:
        click.echo(markdown, nl=False)
    if isinstance(result, Report):
        click.echo(annotations.render_report(result, prefix=rel(config.content)), nl=False)
        changes = result.counts()
        done = sum(v for k, v in changes.items() if k not in ("skipped", "failed"))
        outputs = {"changes": str(done), "failed": str(changes["failed"])}
    else:
        click.echo(
            annotations.render_diagnostics(result.diagnostics, prefix=rel(config.root)), nl=False
        )
        outputs = {"changes": str(len(result.runnable)), "failed": "0"}
    if env.get("GITHUB_OUTPUT"):
        with Path(env["GITHUB_OUTPUT"]).open("a", encoding="utf-8") as fh:
            for name, value in outputs.items():
                fh.write(f"{name}={value}\n")


def _github_step(env: Any) -> Any:
    """Errors of an Action step: one ``::error`` line in a workflow log, else the usual line."""
    from contextlib import contextmanager

    from hcsync.views.annotations import annotation

    @contextmanager
    def guard() -> Any:
        try:
            yield
        except HcsyncError as exc:
            if env.get("GITHUB_ACTIONS") != "true" or _State.debug:
                raise
            click.echo(annotation("error", exc.format()))
            sys.exit(exc.exit_code)

    return guard()


@github_group.command("commit-lockfile")
@_directory
@click.option(
    "--branch", default=None, help="Branch to push to. Default: the pushed branch, or HEAD's."
)
@click.option("--remote", default="origin", show_default=True, help="Remote to push to.")
@click.option("--no-push", is_flag=True, help="Commit only.")
@click.pass_context
def github_commit_lockfile(
    ctx: click.Context, directory: str, branch: str | None, remote: str, no_push: bool
) -> None:
    """Commit the lockfile an apply changed ("hcsync: update lockfile [skip ci]") and push it.

    Pushes with the token in GITHUB_TOKEN (an http(s) remote; the token is passed to git
    through its environment, never written to .git/config). If the branch moved meanwhile,
    rebases once and pushes again; a protected branch gets the commit on a side branch.
    """
    from pathlib import Path

    from hcsync.config import load_config
    from hcsync.github.comment import redact
    from hcsync.github.context import pushed_branch
    from hcsync.github.gitpush import PushError, commit_lockfile
    from hcsync.workflow import secrets_from_env

    env = _env(ctx)
    token = env.get("GITHUB_TOKEN", "").strip() or None
    with _github_step(env):
        config = load_config(Path(directory))
        try:
            result = commit_lockfile(
                config.lockfile,
                branch=branch or pushed_branch(env),
                remote=remote,
                env=env,
                push=not no_push,
                token=token,
            )
        except PushError as exc:
            raise PushError(redact(str(exc), [*secrets_from_env(env), token or ""])) from None
    click.echo(result.summary())


@github_group.command("sync-branch")
@_directory
@click.option(
    "--branch", default=None, help="Branch to sync to. Default: the pushed branch (GITHUB_REF)."
)
@click.option("--remote", default="origin", show_default=True, help="Remote to fetch from.")
@click.pass_context
def github_sync_branch(ctx: click.Context, directory: str, branch: str | None, remote: str) -> None:
    """Fetch the branch and fast-forward the checkout to its tip (before an apply).

    A queued run then applies the branch as it is now, with the lockfile the previous run
    pushed, not the older commit of its event. Stops (exit 1) when the checkout has commits
    the branch does not have. Fetches with the token in GITHUB_TOKEN; deepens a shallow clone
    as far as needed.
    """
    from pathlib import Path

    from hcsync.github.context import pushed_branch
    from hcsync.github.gitsync import sync_branch

    env = _env(ctx)
    token = env.get("GITHUB_TOKEN", "").strip() or None
    with _github_step(env):
        name = branch or pushed_branch(env)
        if name is None:
            ref = env.get("GITHUB_REF") or "not set"
            raise click.UsageError(f"GITHUB_REF is {ref}, not a branch: pass --branch")
        result = sync_branch(Path(directory), branch=name, remote=remote, token=token)
    click.echo(result.summary())


@github_group.command("apply-result")
@click.argument("report_file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--log",
    "log_file",
    type=click.Path(dir_okay=False),
    help="The apply's log: its last lines go in the comment when the apply failed.",
)
@_directory
@click.option("--key", default="", help="Keeps apart the results of several hcsync projects.")
@click.pass_context
def github_apply_result(
    ctx: click.Context, report_file: str | None, log_file: str | None, directory: str, key: str
) -> None:
    """Post an `apply --json` report on the pull requests the pushed commit merged.

    One comment per pull request, updated in place by a later apply of the same commit: done,
    failed, skipped (drift), links to the live articles, the error lines. Commit from
    GITHUB_SHA, token from GITHUB_TOKEN. Problems talking to GitHub are warnings.
    """
    import re
    from pathlib import Path

    import httpx

    from hcsync.config import load_config
    from hcsync.github.api import GitHubError
    from hcsync.github.comment import redact
    from hcsync.github.context import context_from_env
    from hcsync.github.result import (
        MAX_ERROR_LINES,
        ResultApi,
        ResultContext,
        live_urls,
        post_result,
        read_report,
        result_markdown,
    )
    from hcsync.workflow import secrets_from_env

    if key and not re.fullmatch(r"[A-Za-z0-9_./-]+", key):
        raise click.BadParameter("letters, digits and _ . / - only", param_hint="--key")
    env = _env(ctx)
    secrets = [*secrets_from_env(env), env.get("GITHUB_TOKEN", "")]
    gh = context_from_env(env)
    token = env.get("GITHUB_TOKEN", "").strip()
    if not token or gh.repository is None or not gh.head_sha:
        _gh_warning(env, "GITHUB_TOKEN, GITHUB_REPOSITORY or GITHUB_SHA missing: no result comment")
        return
    report = read_report(Path(report_file) if report_file else None)
    log_path = Path(log_file) if log_file else None
    log = log_path.read_text(errors="replace") if log_path and log_path.is_file() else ""
    body = result_markdown(
        report,
        urls=live_urls(load_config(Path(directory)).lockfile),
        log_lines=log.splitlines()[-MAX_ERROR_LINES:],
        context=ResultContext(sha=gh.head_sha, run_url=gh.run_url, version=__version__),
        key=key,
    )
    given = _services(ctx).get("github_client")
    client: httpx.Client = given or httpx.Client(base_url=gh.api_url, timeout=30.0)
    try:
        api = ResultApi(client, token=token, repository=gh.repository)
        posted = post_result(api, gh.head_sha, redact(body, secrets), key=key)
    except GitHubError as exc:
        _gh_warning(env, redact(f"the apply result was not posted: {exc.format()}", secrets))
        return
    finally:
        if given is None:
            client.close()
    click.echo(posted.summary())


@github_group.command("check-key")
@click.pass_context
def github_check_key(ctx: click.Context) -> None:
    """mode plan: is there a help-center key (HCSYNC_API_KEY, HCSYNC_CLICKHELP_API_KEY)?

    Sets the step output `offline`: true when there is no key and the plan is for a pull
    request from a fork (the event payload's pull_request.head.repo.fork), or for no pull
    request at all. No key on a pull request from this repository is an error (exit 1): its
    workflow has the secrets, so the input is misnamed or empty.
    """
    from pathlib import Path

    from hcsync.github.context import context_from_env

    env = _env(ctx)
    keys = ("HCSYNC_API_KEY", "HCSYNC_CLICKHELP_API_KEY")
    with _github_step(env):
        offline = not any(env.get(k, "").strip() for k in keys)
        if offline and context_from_env(env).fork is False:
            raise HcsyncError(
                "no help-center API key in this run, on a pull request from this repository "
                "(not a fork): check that `api-key:` names a secret that exists; only pull "
                "requests from forks get an offline plan"
            )
    if offline:
        _gh_notice(
            env,
            "No help-center API key in this run (a pull request from a fork?): the plan is "
            "offline, made from the files and the lockfile alone.",
        )
    if env.get("GITHUB_OUTPUT"):
        with Path(env["GITHUB_OUTPUT"]).open("a", encoding="utf-8") as fh:
            fh.write(f"offline={'true' if offline else 'false'}\n")
    else:
        click.echo(f"offline={'true' if offline else 'false'}")


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the CLI; print hcsync errors as lines, with no traceback."""
    try:
        return cli.main(args=argv, prog_name="hcsync", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except HcsyncError as exc:
        if _State.debug:
            raise
        click.echo(exc.format(), err=True)
        sys.exit(exc.exit_code)
