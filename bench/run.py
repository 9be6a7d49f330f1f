"""hcsync benchmark: API calls, writes, time against the rate-limit floor, local CPU, memory.

Runs the Help.Center emulator as its own process (``hcsync emulate helpcenter``, real HTTP on
127.0.0.1) with its rate-limit window scaled down, generates N-article trees (copies of
example-content: categories, translations, images), and for N = 100 and 1,000 measures:

- initial sync (plan + apply): calls, writes, wall time ÷ floor, 429s met;
- no-op plan: calls, writes;
- one-file change (plan + apply): calls, writes;
- the strategy rdme v10 uses (for every page one GET and one PATCH, no skipping) on the same
  synced tree, for comparison;
- local CPU seconds for load + validate + render + diff of N articles (no HTTP);
- peak RSS of this process (hcsync's side; the emulator runs in another process).

The floor is (calls − burst) ÷ rate: the least time the rate limit allows for the calls made.
The last line printed is one JSON object with the N = 1,000 figures.

Both backends run the same scenarios side by side: Help.Center, and ClickHelp (its emulator
given the same opt-in rate limit, which ClickHelp does not document, so the figures compare).
For ClickHelp the naive strategy is one GET and one PATCH of each topic.

Run: ``python bench/run.py`` (a few minutes on a 2-core machine).
"""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from content_bench import build  # noqa: E402

from hcsync import lockfile as lockmod  # noqa: E402
from hcsync.config import load_config  # noqa: E402
from hcsync.content import load_site  # noqa: E402
from hcsync.emulators.server import free_port  # noqa: E402
from hcsync.plan.diff import DiffOptions, diff, translation_pairs  # noqa: E402
from hcsync.plan.links import resolve_lenient  # noqa: E402
from hcsync.plan.site_adapter import desired_from_site  # noqa: E402
from hcsync.workflow import (  # noqa: E402
    API_KEY_ENV,
    CLICKHELP_KEY_ENV,
    CLICKHELP_LOGIN_ENV,
    apply_plan,
    make_backend,
    make_plan,
)

PER_MINUTE = 100
BURST = 200
WINDOW_S = 0.8
"""The documented limit is 100 per 60 s with bursts of 200; the window is scaled 75× down."""
RATE = PER_MINUTE / WINDOW_S


@dataclass
class Emulator:
    base_url: str
    proc: subprocess.Popen[bytes]
    kind: str = "helpcenter"
    _made: int = 0

    def new_target(self) -> tuple[str, dict[str, str], dict[str, str]]:
        """(hcsync.yml text, credentials env, naive-run settings) of a fresh center/project."""
        if self.kind == "helpcenter":
            center_id, key = self.new_center()
            config = f"backend: helpcenter\ncenter_id: {center_id}\nbase_url: {self.base_url}\n"
            return config, {API_KEY_ENV: key}, {"center_id": center_id, "key": key}
        self._made += 1
        pid, login = f"project-bench-{self._made}", f"bench{self._made}"
        with httpx.Client(base_url=self.base_url, timeout=30) as c:
            key = c.post("/_emulator/users", json={"login": login}).json()["api_key"]
            c.post("/_emulator/projects", json={"id": pid, "title": "Bench"})
            langs = {}
            for lang in ("es", "de"):
                langs[lang] = f"{pid}-{lang}"
                c.post(
                    "/_emulator/projects",
                    json={"id": langs[lang], "lang": f"{lang}-XX", "base_project_id": pid},
                )
        config = (
            f"backend: clickhelp\nportal_url: {self.base_url}\nbase_url: {self.base_url}\n"
            f"project_id: {pid}\npublication_id: bench-pub-{self._made}\n"
            f"language_projects: {{es: {langs['es']}, de: {langs['de']}}}\n"
        )
        env = {CLICKHELP_LOGIN_ENV: login, CLICKHELP_KEY_ENV: key}
        return config, env, {"login": login, "key": key, "project": pid, **langs}

    def new_center(self) -> tuple[str, str]:
        with httpx.Client(base_url=self.base_url, timeout=30) as c:
            center = c.post(
                "/_emulator/centers",
                json={
                    "name": "Bench",
                    "default_language": "en",
                    "additional_languages": ["es", "de"],
                },
            ).json()
            key = c.post(f"/_emulator/centers/{center['id']}/keys", json={}).json()["key"]
        return center["id"], key

    def rate_429s(self) -> int:
        with httpx.Client(base_url=self.base_url, timeout=30) as c:
            log = c.get("/_emulator/requests").json()["requests"]
            return sum(1 for r in log if r["status"] == 429)

    def clear_log(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=30) as c:
            c.delete("/_emulator/requests")


def start_emulator(kind: str = "helpcenter") -> Emulator:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hcsync", "emulate", kind, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/_emulator/rate-limit", timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("the emulator did not start") from None
            time.sleep(0.05)
    httpx.post(
        f"{base}/_emulator/rate-limit",
        json={"per_minute": PER_MINUTE, "burst": BURST, "window_seconds": WINDOW_S},
    )
    return Emulator(base, proc, kind)


@dataclass
class Run:
    calls: int
    writes: int
    wall_s: float


def hcsync_run(root: Path, env: dict[str, str], *, apply: bool) -> Run:
    """One ``hcsync plan`` (and ``apply``) as the CLI does it, counting every HTTP call."""
    config = load_config(root)
    site = load_site(config)
    lock = lockmod.load(config.lockfile)
    start = time.perf_counter()
    with httpx.Client(base_url=config.base_url or "", timeout=30) as client:
        backend = make_backend(config, client, env)
        plan = make_plan(site, lock, backend, options=DiffOptions())
        if apply and plan.has_changes:
            report = apply_plan(plan, config, lock, backend)
            if not report.ok:
                raise RuntimeError(report.summary())
        return Run(backend.stats.calls, backend.stats.writes, time.perf_counter() - start)


def naive_run(root: Path, base_url: str, target: dict[str, str]) -> Run:
    """rdme v10's strategy: for every page, one GET then one PATCH, sequential, no skipping.

    It reuses the ids hcsync recorded (rdme matches by slug) and answers a 429 by waiting for
    Retry-After, as rdme's fetch wrapper does.
    """
    lock = json.loads((root / "hcsync.lock").read_text(encoding="utf-8"))
    clickhelp = "project" in target
    base = f"/v0/centers/{target.get('center_id')}/articles"
    auth = (target["login"], target["key"]) if clickhelp else None
    headers = {} if clickhelp else {"Authorization": f"Bearer {target['key']}"}
    calls = 0
    start = time.perf_counter()
    with httpx.Client(base_url=base_url, timeout=30, headers=headers, auth=auth) as client:

        def send(method: str, path: str, **kw: object) -> httpx.Response:
            nonlocal calls
            while True:
                calls += 1
                resp = client.request(method, path, **kw)  # type: ignore[arg-type]
                if resp.status_code != 429:
                    return resp
                time.sleep(float(resp.headers.get("retry-after", "1")))

        for path, entry in sorted(lock["entries"].items()):
            text = (root / path).read_text(encoding="utf-8")
            if clickhelp:
                project = target.get(entry["language"], target["project"])
                url = f"/api/v1/projects/{project}/articles/{entry['id']}"
                current = send("GET", url)
                body = {"updatedFields": "body", "body": f"<pre>{len(text)}</pre>"}
                send("PATCH", url, json=body)
                continue
            if entry.get("source"):
                url = f"{base}/{entry['id']}/translations/{entry['language']}/draft"
            else:
                url = f"{base}/{entry['id']}/draft"
            current = send("GET", url)
            title = current.json().get("title", "")
            send("PATCH", url, json={"title": title, "html": f"<pre>{len(text)}</pre>"})
    return Run(calls, calls // 2, time.perf_counter() - start)


def local_cpu(root: Path, env: dict[str, str]) -> float:
    """CPU seconds for load + validate + render + diff, the remote read beforehand."""
    config = load_config(root)
    lock = lockmod.load(config.lockfile)
    with httpx.Client(base_url=config.base_url or "", timeout=30) as client:
        backend = make_backend(config, client, env)
        snapshot = backend.snapshot()
    start = time.process_time()
    site = load_site(config)
    desired = desired_from_site(site)
    pairs = translation_pairs(desired, lock, snapshot, resolve=resolve_lenient)
    snap = replace(snapshot, translations={p: None for p in pairs})
    diff(desired, lock, snap, resolve=resolve_lenient)
    return time.process_time() - start


def scenario(emu: Emulator, n: int, tmp: Path) -> dict[str, float]:
    root = tmp / f"site-{n}"
    build(root, n)
    config, env, target = emu.new_target()
    (root / "hcsync.yml").write_text(
        config + "default_language: en\nlanguages: [es, de]\n", encoding="utf-8"
    )
    articles = len(load_site(root).articles)
    emu.clear_log()
    initial = hcsync_run(root, env, apply=True)
    met_429 = emu.rate_429s()
    floor = max(initial.calls - BURST, 0) / RATE
    time.sleep(BURST / RATE)  # let the bucket refill, as between two CI runs
    noop = hcsync_run(root, env, apply=False)
    first = sorted(root.rglob("*.md"))[1]
    first.write_text(first.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    change = hcsync_run(root, env, apply=True)
    time.sleep(BURST / RATE)
    naive = naive_run(root, emu.base_url, target)
    cpu = local_cpu(root, env)
    return {
        "articles": articles,
        "initial_calls": initial.calls,
        "initial_writes": initial.writes,
        "initial_wall_s": initial.wall_s,
        "floor_s": floor,
        "floor_ratio": initial.wall_s / floor if floor else 1.0,
        "initial_429s": met_429,
        "noop_calls": noop.calls,
        "noop_writes": noop.writes,
        "noop_budget": math.ceil(articles / 100) + 5,
        "change_calls": change.calls,
        "change_writes": change.writes,
        "naive_calls": naive.calls,
        "naive_wall_s": naive.wall_s,
        "change_wall_s": change.wall_s,
        "local_cpu_s": cpu,
    }


BACKENDS = ("helpcenter", "clickhelp")
SIZES = (100, 1000)


def main() -> None:
    results: dict[tuple[str, int], dict[str, float]] = {}
    for kind in BACKENDS:
        emu = start_emulator(kind)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                for n in SIZES:
                    results[(kind, n)] = scenario(emu, n, Path(tmp))
        finally:
            emu.proc.terminate()
            emu.proc.wait(timeout=10)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    rows = [
        ("articles", "articles", "{:.0f}"),
        ("initial sync: calls", "initial_calls", "{:.0f}"),
        ("initial sync: writes", "initial_writes", "{:.0f}"),
        ("initial sync: wall s", "initial_wall_s", "{:.1f}"),
        ("rate-limit floor s", "floor_s", "{:.1f}"),
        ("wall ÷ floor", "floor_ratio", "{:.3f}"),
        ("429s met", "initial_429s", "{:.0f}"),
        ("no-op plan: calls", "noop_calls", "{:.0f}"),
        ("no-op plan: budget ⌈N/100⌉+5", "noop_budget", "{:.0f}"),
        ("no-op plan: writes", "noop_writes", "{:.0f}"),
        ("one-file change: calls", "change_calls", "{:.0f}"),
        ("one-file change: writes", "change_writes", "{:.0f}"),
        ("naive (rdme v10) sync: calls", "naive_calls", "{:.0f}"),
        ("hcsync ÷ naive: calls", "ratio_calls", "{:.4f}"),
        ("hcsync ÷ naive: wall", "ratio_wall", "{:.4f}"),
        ("local CPU s (load+validate+render+diff)", "local_cpu_s", "{:.3f}"),
    ]
    for r in results.values():
        r["ratio_calls"] = r["change_calls"] / r["naive_calls"]
        r["ratio_wall"] = r["change_wall_s"] / r["naive_wall_s"]
    print(f"rate limit: {PER_MINUTE} per {WINDOW_S} s, burst {BURST} ({RATE:.0f} calls/s)")
    cols = [(kind, n) for kind in BACKENDS for n in SIZES]
    heads = "".join(f"{('HC' if k == 'helpcenter' else 'CH') + f' N={n}':>12}" for k, n in cols)
    print(f"{'':42}{heads}")
    for label, key, fmt in rows:
        cells = "".join(f"{fmt.format(results[c][key]):>12}" for c in cols)
        print(f"{label:42}{cells}")
    print(f"{'peak RSS MB (this process)':42}{'':>36}{peak_mb:>12.0f}")
    big = results[("helpcenter", 1000)]
    print(
        json.dumps(
            {
                "noop_calls": big["noop_calls"],
                "noop_writes": big["noop_writes"],
                "change_writes": big["change_writes"],
                "initial_calls": big["initial_calls"],
                "floor_ratio": round(big["floor_ratio"], 4),
                "local_cpu_s_1000": round(big["local_cpu_s"], 3),
                "peak_rss_mb": round(peak_mb, 1),
                "clickhelp": {
                    k: round(results[("clickhelp", 1000)][k], 4)
                    for k in ("noop_calls", "noop_writes", "change_writes", "initial_calls")
                },
            }
        )
    )


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    main()
