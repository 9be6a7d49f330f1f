"""Benchmark: load + validate + render + hash for example-content scaled to ~1,000 articles.

Copies example-content into a temporary directory enough times (each copy's top-level folders
get a ``-N`` suffix and each article a unique slug), then times ``load_site`` (best of a few
runs) and prints articles per second. Run: ``python bench/content_bench.py [ARTICLES]``.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from hcsync.content import load_site

EXAMPLE = Path(__file__).resolve().parents[1] / "example-content"
_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


def _unique_slug(text: str, stem: str, n: int) -> str:
    match = _FRONT.match(text)
    if match is None:
        return f"---\nslug: {stem}-{n}\n---\n{text}"
    front = match.group(1)
    if re.search(r"^slug: ", front, re.MULTILINE):
        front = re.sub(r"^slug: (.*)$", rf"slug: \1-{n}", front, flags=re.MULTILINE)
    else:
        front += f"\nslug: {stem}-{n}"
    return f"---\n{front}\n---\n{text[match.end() :]}"


def build(target: Path, articles: int) -> int:
    """Fill ``target`` with copies of example-content; return the number of copies."""
    shutil.copytree(EXAMPLE, target, dirs_exist_ok=True)
    per_copy = sum(1 for p in EXAMPLE.rglob("*.md") if p.stem.count(".") == 0) - 1  # README
    copies = max(1, -(-articles // per_copy))
    folders = [p for p in EXAMPLE.iterdir() if p.is_dir()]
    for n in range(1, copies):
        for folder in folders:
            dest = target / f"{folder.name}-{n}"
            shutil.copytree(folder, dest)
            for md in dest.rglob("*.md"):
                is_translation = md.stem.count(".") == 1
                text = md.read_text(encoding="utf-8")
                if is_translation and not re.search(r"^slug: ", text, re.MULTILINE):
                    continue  # inherits its source's (unique) slug
                md.write_text(_unique_slug(text, md.stem.split(".")[0], n), encoding="utf-8")
    return copies


def main() -> None:
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        build(root, wanted)
        load_site(root)  # warm-up: imports, the markdown-it parser
        times = []
        for _ in range(3):
            start = time.perf_counter()
            site = load_site(root)
            times.append(time.perf_counter() - start)
        best = min(times)
        articles = len(site.articles)
        pages = articles + len(site.translations)
        print(
            f"content: {articles} articles + {len(site.translations)} translations, "
            f"{len(site.categories)} categories, {len(site.images)} images"
        )
        print(
            f"load+validate+render+hash: {best:.3f} s (best of {len(times)}) = "
            f"{articles / best:,.0f} articles/s ({pages / best:,.0f} pages/s)"
        )


if __name__ == "__main__":
    main()
