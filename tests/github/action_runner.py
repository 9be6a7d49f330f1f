"""Run the ``run:`` steps of a composite ``action.yml`` the way a GitHub runner does.

Reads the YAML; fills inputs (with their defaults); evaluates ``${{ … }}`` expressions and
``if:`` conditions (a small subset of GitHub's expression language: contexts, literals,
``== != && || !``, parentheses, ``success() failure() always() cancelled()``); runs each step
with ``bash --noprofile --norc -eo pipefail`` in its ``working-directory`` with the step's
``env``, a fresh ``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY``; collects step outputs and the
action's outputs; what a step appends to ``GITHUB_PATH`` is put first on ``PATH`` for the
steps after it. ``uses:`` steps (actions/setup-python) are recorded and skipped.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||!|\(|\)|,|\.)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot parse expression at {text[pos:]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def truthy(value: Any) -> bool:
    return value not in (None, "", False, 0)


class _Parser:
    def __init__(self, text: str, ctx: Mapping[str, Any], status: str) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.ctx = ctx
        self.status = status

    def peek(self) -> str | None:
        return self.toks[self.i][1] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Any:
        value = self.or_()
        if self.i != len(self.toks):
            raise ValueError(f"trailing tokens: {self.toks[self.i :]}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.not_()
        while self.peek() == "&&":
            self.take()
            right = self.not_()
            value = right if truthy(value) else value
        return value

    def not_(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not truthy(self.not_())
        return self.cmp()

    def cmp(self) -> Any:
        left = self.primary()
        if self.peek() in ("==", "!="):
            op = self.take()[1]
            right = self.primary()
            a = left.lower() if isinstance(left, str) else left
            b = right.lower() if isinstance(right, str) else right
            if a is None:
                a = ""
            if b is None:
                b = ""
            return (a == b) if op == "==" else (a != b)
        return left

    def primary(self) -> Any:
        kind, text = self.take()
        if text == "(":
            value = self.or_()
            self.take()
            return value
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind != "name":
            raise ValueError(f"unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self.peek() == "(":
            self.take()
            self.take()  # ')' (no-argument status functions only)
            return {
                "success": self.status == "success",
                "failure": self.status == "failure",
                "always": True,
                "cancelled": False,
            }[text]
        value: Any = self.ctx.get(text)
        while self.peek() == ".":
            self.take()
            _, name = self.take()
            value = value.get(name) if isinstance(value, Mapping) else None
        return value


def evaluate(expr: str, ctx: Mapping[str, Any], status: str = "success") -> Any:
    return _Parser(expr, ctx, status).parse()


def _str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def substitute(text: Any, ctx: Mapping[str, Any]) -> str:
    if not isinstance(text, str):
        return _str(text)
    return _EXPR.sub(lambda m: _str(evaluate(m.group(1), ctx)), text)


def read_outputs(path: Path) -> dict[str, str]:
    """``name=value`` lines and ``name<<DELIM`` … ``DELIM`` blocks."""
    outputs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            body: list[str] = []
            i += 1
            while lines[i] != delim:
                body.append(lines[i])
                i += 1
            outputs[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        i += 1
    return outputs


@dataclass
class StepRun:
    id: str | None
    name: str
    ran: bool
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class ActionRun:
    steps: list[StepRun]
    outputs: dict[str, str]
    summary: str
    skipped_uses: list[str]

    @property
    def ok(self) -> bool:
        return all(s.returncode == 0 for s in self.steps)

    @property
    def stdout(self) -> str:
        return "".join(s.stdout for s in self.steps)

    @property
    def stderr(self) -> str:
        return "".join(s.stderr for s in self.steps)

    def step(self, step_id: str) -> StepRun:
        return next(s for s in self.steps if s.id == step_id)


def run_action(
    action_dir: Path,
    inputs: Mapping[str, str],
    *,
    env: Mapping[str, str],
    github: Mapping[str, Any],
    timeout: float = 120,
) -> ActionRun:
    """Run ``action_dir/action.yml`` with ``inputs``; ``env`` is what the runner sets
    (``GITHUB_*``, ``RUNNER_TEMP``, ``PATH``…); ``github`` is the ``github`` context."""
    spec = yaml.safe_load((action_dir / "action.yml").read_text(encoding="utf-8"))
    assert spec["runs"]["using"] == "composite"
    declared = spec.get("inputs", {})
    unknown = set(inputs) - set(declared)
    assert not unknown, f"inputs the action does not declare: {unknown}"
    base_ctx: dict[str, Any] = {
        "github": {**github, "action_path": str(action_dir)},
        "runner": {"temp": env["RUNNER_TEMP"], "os": "Linux"},
        "env": dict(env),
    }
    values: dict[str, str] = {}
    for name, meta in declared.items():
        if name in inputs:
            values[name] = inputs[name]
        elif meta.get("required") and "default" not in meta:
            raise AssertionError(f"input {name} is required")
        else:
            values[name] = substitute(meta.get("default", ""), base_ctx)
    ctx: dict[str, Any] = {**base_ctx, "inputs": values, "steps": {}}
    temp = Path(env["RUNNER_TEMP"])
    runs: list[StepRun] = []
    skipped_uses: list[str] = []
    summary: list[str] = []
    status = "success"
    path_file = temp / "_github_path"
    path_file.write_text("", encoding="utf-8")
    env = {**env, "GITHUB_PATH": str(path_file)}
    for index, step in enumerate(spec["runs"]["steps"]):
        name = step.get("name", f"step {index}")
        condition = step.get("if", "success()")
        condition = _EXPR.sub(lambda m: m.group(1), str(condition))
        if (
            "success()" not in condition
            and "always()" not in condition
            and ("failure()" not in condition)
        ):
            condition = f"success() && ({condition})"
        if not truthy(evaluate(condition, ctx, status)):
            runs.append(StepRun(step.get("id"), name, ran=False))
            continue
        if "uses" in step:
            skipped_uses.append(step["uses"])
            continue
        assert step.get("shell") == "bash", f"{name}: composite run steps need shell: bash"
        output_file = temp / f"_output_{index}"
        summary_file = temp / f"_summary_{index}"
        script = temp / f"_step_{index}.sh"
        output_file.write_text("", encoding="utf-8")
        summary_file.write_text("", encoding="utf-8")
        script.write_text(step["run"], encoding="utf-8")
        step_env = {
            **env,
            "GITHUB_ACTION_PATH": str(action_dir),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary_file),
        }
        for key, value in (step.get("env") or {}).items():
            step_env[key] = substitute(value, ctx)
        cwd = Path(env["GITHUB_WORKSPACE"]) / substitute(step.get("working-directory", "."), ctx)
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        outputs = read_outputs(output_file)
        added = [line for line in path_file.read_text(encoding="utf-8").splitlines() if line]
        if added:
            env["PATH"] = os.pathsep.join([*reversed(added), env["PATH"]])
            path_file.write_text("", encoding="utf-8")
        summary.append(summary_file.read_text(encoding="utf-8"))
        run = StepRun(
            step.get("id"), name, True, proc.returncode, proc.stdout, proc.stderr, outputs
        )
        runs.append(run)
        if step.get("id"):
            ctx["steps"][step["id"]] = {
                "outputs": outputs,
                "outcome": "success" if proc.returncode == 0 else "failure",
            }
        if proc.returncode != 0:
            status = "failure"
    action_outputs = {
        name: substitute(meta.get("value", ""), ctx)
        for name, meta in spec.get("outputs", {}).items()
    }
    return ActionRun(runs, action_outputs, "".join(summary), skipped_uses)
