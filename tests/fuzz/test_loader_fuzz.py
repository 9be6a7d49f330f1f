"""The content loader over generated trees (small files, front matter, ``.hcsyncignore``
lines): it loads, or it reports problems (:class:`ContentError`); never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from hcsync.content import load_site
from hcsync.diagnostics import ContentError
from tests.fuzz.json_values import values
from tests.fuzz.profiles import FUZZ
from tests.helpers import make_tree

names = st.sampled_from(
    ["a", "b", "guides", "images", "x.es", "index", "_category", "a b", "Ä", ".hidden", "con"]
)
files = st.sampled_from([".md", ".es.md", ".png", ".yml", ".txt", ""])
paths = st.builds(
    lambda parts, ext: "/".join(parts) + ext, st.lists(names, min_size=1, max_size=3), files
)
ignore_lines = st.lists(
    st.one_of(
        st.text(alphabet="ab/*?![]\\#! .-", max_size=8),
        st.sampled_from(["a\\", "!", "\\", "[z-a]", "**/", "/", "guides/", "*.md", "#x"]),
    ),
    max_size=5,
)


def _document(front: object, body: str) -> str:
    if front is None:
        return body
    return "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body


documents = st.builds(_document, st.one_of(st.none(), values), st.text(max_size=60)) | st.binary(
    max_size=80
)


@FUZZ
@given(st.dictionaries(paths, documents, max_size=6), ignore_lines)
def test_generated_trees(tree: dict[str, str | bytes], ignore: list[str]) -> None:
    tree = {p: c for p, c in tree.items() if not any(p.startswith(q + "/") for q in tree)}
    tree[".hcsyncignore"] = "\n".join(ignore)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            root = make_tree(Path(tmp), tree)
        except OSError:  # a file where the tree needs a folder: not the loader's problem
            return
        try:
            site = load_site(root)
        except ContentError as exc:
            assert exc.diagnostics
            assert all(d.path and d.message for d in exc.diagnostics)
        else:
            assert all(a.title and a.slug for a in site.articles.values())


def test_an_invalid_ignore_line_is_a_diagnostic_with_its_line() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = make_tree(Path(tmp), {".hcsyncignore": "*.txt\ndrafts\\\n", "a/x.md": "# X\n"})
        try:
            load_site(root)
        except ContentError as exc:
            lines = [f"{d.path}:{d.line}: {d.message}" for d in exc.diagnostics]
        else:
            raise AssertionError("an invalid pattern must be reported")
    assert ".hcsyncignore:2: 'drafts\\\\' is not a valid pattern" in lines
