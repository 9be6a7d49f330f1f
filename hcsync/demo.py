"""``hcsync demo [--backend clickhelp]``: the example content applied to a local emulated
Help.Center (or ClickHelp, with its state in ``.hcsync/clickhelp/``).

Starts the emulator in-process on a loopback port (the same port again on later runs, since
the emulated help center's URLs include it), keeps its state in ``.hcsync/``, applies
``example-content/`` and shows the plan, the result, a second plan with no changes, and the URL
of the emulated public help center.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import yaml

from hcsync import lockfile as lockmod
from hcsync.config import load_config
from hcsync.content import load_site
from hcsync.diagnostics import UsageError
from hcsync.plan.diff import DiffOptions
from hcsync.views import text as text_view
from hcsync.workflow import (
    API_KEY_ENV,
    CLICKHELP_KEY_ENV,
    CLICKHELP_LOGIN_ENV,
    apply_plan,
    make_backend,
    make_plan,
)

STATE_DIR = ".hcsync"
EMULATOR_MODULES = ("starlette", "uvicorn", "python_multipart")
"""What the emulators import that hcsync itself does not: the ``emulators`` extra."""


def require_emulators(command: str) -> None:
    """Stop with one line naming the extra to install when the emulators' packages are absent
    (the GitHub Action and a plain ``pip install hcsync`` leave them out)."""
    from importlib.util import find_spec

    missing = [name for name in EMULATOR_MODULES if find_spec(name) is None]
    if missing:
        raise UsageError(
            f"{command} needs the emulators, which are not installed ({', '.join(missing)} "
            "missing): pip install 'hcsync[emulators]' (from a clone: pip install -e '.[dev]')"
        )


def example_content_dir() -> Path:
    """``example-content/`` of the checkout hcsync runs from."""
    here = Path(__file__).resolve().parent.parent / "example-content"
    if (here / "hcsync.yml").is_file():
        return here
    cwd = Path.cwd() / "example-content"
    if (cwd / "hcsync.yml").is_file():
        return cwd
    raise UsageError(
        "example-content/ not found: run `hcsync demo` from a clone of the hcsync repository"
    )


def _port_free(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def run_demo(
    *,
    state_dir: Path,
    echo: Callable[[str], None],
    serve: bool = False,
    color: bool = False,
    backend: str = "helpcenter",
) -> int:
    """Run the demo; return the exit code (0 when the second plan shows no changes)."""
    require_emulators("hcsync demo")
    from hcsync.emulators.server import free_port, serve_in_thread

    content = example_content_dir()
    state_dir = state_dir / backend if backend != "helpcenter" else state_dir
    state_dir.mkdir(parents=True, exist_ok=True)
    state_file = state_dir / "demo.json"
    state = json.loads(state_file.read_text()) if state_file.is_file() else {}
    example = yaml.safe_load((content / "hcsync.yml").read_text(encoding="utf-8"))
    setup = _clickhelp if backend == "clickhelp" else _helpcenter
    store, app, settings, env, label = setup(state_dir, state, example)
    try:
        port = int(state.get("port") or 0)
        if not port or not _port_free(port):
            port = free_port()
        state["port"] = port
        state_file.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
        os.chmod(state_file, 0o600)
        with serve_in_thread(app, port=port) as base_url:
            return _apply_example(
                content, state_dir, settings(base_url), env, label, base_url, echo, serve, color
            )
    finally:
        store.close()


Setup = tuple[Any, Any, Callable[[str], dict[str, Any]], dict[str, str], str]


def _helpcenter(state_dir: Path, state: dict[str, Any], example: dict[str, Any]) -> Setup:
    from hcsync.emulators.helpcenter.app import create_app
    from hcsync.emulators.helpcenter.store import Store

    store = Store(str(state_dir / "helpcenter.sqlite3"))
    center_id = state.get("center_id")
    known = {c.id for c in store.centers()}
    if center_id not in known or not state.get("key"):
        center = store.create_center(
            "Parcelly Help",
            default_language=example.get("default_language", "en"),
            additional_languages=example.get("languages", []),
        )
        center_id = center.id
        state.clear()
        state.update({"center_id": center_id, "key": store.create_key(center_id).key})

    def settings(base_url: str) -> dict[str, Any]:
        return {**example, "center_id": center_id, "base_url": base_url}

    return store, create_app(store), settings, {API_KEY_ENV: state["key"]}, "Help.Center"


def _clickhelp(state_dir: Path, state: dict[str, Any], example: dict[str, Any]) -> Setup:
    from hcsync.emulators.clickhelp import Store, bootstrap, create_app

    store = Store(str(state_dir / "clickhelp.sqlite3"))
    languages = {lang: f"{lang}-{lang.upper()}" for lang in example.get("languages", [])}
    boot = bootstrap(store, title="Parcelly Help", languages=languages)
    keys = _HELPCENTER_KEYS
    base = {k: v for k, v in example.items() if k not in keys}

    def settings(base_url: str) -> dict[str, Any]:
        return {
            **base,
            "backend": "clickhelp",
            "portal_url": base_url,
            "base_url": base_url,
            "project_id": boot.project.id,
            "publication_id": boot.publication.id,
            "language_projects": {lang: p.id for lang, p in boot.languages.items()},
        }

    env = {CLICKHELP_LOGIN_ENV: boot.user.login, CLICKHELP_KEY_ENV: boot.api_key}
    return store, create_app(store), settings, env, "ClickHelp"


_HELPCENTER_KEYS = frozenset({"backend", "center_id"})


def _apply_example(
    content: Path,
    state_dir: Path,
    settings: dict[str, Any],
    env: dict[str, str],
    label: str,
    base_url: str,
    echo: Callable[[str], None],
    serve: bool,
    color: bool,
) -> int:
    config_file = state_dir / "hcsync.yml"
    settings = {**settings, "content": os.path.relpath(content, state_dir)}
    config_file.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    config = load_config(config_file)
    site = load_site(config)
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        backend = make_backend(config, client, env)
        lock = lockmod.load(config.lockfile)
        echo(f"Emulated {label} on {base_url} (state in {state_dir}/)")
        echo(f"Content: {content} ({site.summary()})\n")
        plan = make_plan(site, lock, backend, options=DiffOptions())
        echo(text_view.render_plan(plan, color=color))
        if plan.has_changes:
            report = apply_plan(plan, config, lock, backend)
            echo(text_view.render_report(report, color=color))
            if not report.ok:
                return 1
            lock = lockmod.load(config.lockfile)
            again = make_plan(site, lock, backend, options=DiffOptions())
            echo("A second plan, right after the apply:")
            echo(text_view.render_plan(again, color=color))
            if again.has_changes:
                return 1
    if not serve:
        echo(
            "The emulated help center stopped with this command; to browse what was applied, "
            "run `hcsync demo --serve` (it keeps it running until Ctrl-C)."
        )
        return 0
    echo(f"Browse the emulated help center: {base_url}/")
    if serve:
        echo("Serving until Ctrl-C.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            echo("Stopped.")
    return 0
