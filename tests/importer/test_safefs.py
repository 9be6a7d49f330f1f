"""The safe writer and naming rule (hcsync/safefs.py) and html→Markdown's depth limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hcsync.importer.html2md import MAX_DEPTH, TooDeepError, html_to_markdown, nesting_depth
from hcsync.safefs import (
    UnsafePathError,
    read_existing,
    safe_name,
    unique_name,
    unsafe_reason,
    write_file,
)


@pytest.mark.parametrize(
    ("name", "suffix", "expected"),
    [
        ("install", ".md", "install.md"),
        ("con", ".md", "con_.md"),
        ("CON", "", "CON_"),
        ("lpt9", ".png", "lpt9_.png"),
        ("com10", ".png", "com10.png"),
        ("..", ".png", "file.png"),
        (".git", "", "git"),
        ("../../etc/passwd", "", "-..-etc-passwd"),
        ("a\x00b", ".png", "a-b.png"),
        ("/abs", "", "-abs"),
        ("trailing. ", ".md", "trailing.md"),
        ("", ".md", "file.md"),
    ],
)
def test_safe_name(name: str, suffix: str, expected: str) -> None:
    assert safe_name(name, suffix) == expected
    assert unsafe_reason(safe_name(name, suffix)) is None


def test_a_long_name_is_cut_to_255_bytes_keeping_its_suffix_and_stays_distinct() -> None:
    a, b = safe_name("é" * 200 + "a", ".es.md"), safe_name("é" * 200 + "b", ".es.md")
    assert len(a.encode()) <= 255 and len(b.encode()) <= 255
    assert a.endswith(".es.md") and b.endswith(".es.md") and a != b
    assert a.startswith("é" * 100)


def test_unique_names_ignore_case() -> None:
    taken: set[str] = set()
    names = [unique_name(n, ".png", taken) for n in ("Logo", "logo", "LOGO", "logo-2")]
    assert names == ["Logo.png", "logo-2.png", "LOGO-3.png", "logo-2-2.png"]


@pytest.mark.parametrize(
    ("rel", "why"),
    [
        ("../x.md", "'../x.md': refused: '..' is not a file name"),
        ("/etc/x.md", "'/etc/x.md': refused: '' is not a file name"),
        (".git/hooks/pre-commit", "'.git/hooks/pre-commit': refused: '.git' is git's own folder"),
        ("a/con.md", "'a/con.md': refused: 'con.md' is a reserved name on Windows"),
        (
            "a\x00b.md",
            "'a?b.md': refused: 'a?b.md' has a control character, a slash or a reserved character",
        ),
    ],
)
def test_the_writer_refuses_unsafe_names(tmp_path: Path, rel: str, why: str) -> None:
    root = tmp_path / "root"
    with pytest.raises(UnsafePathError) as err:
        write_file(root, rel, "x")
    assert str(err.value) == why
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_the_writer_refuses_a_symlinked_folder_and_a_symlinked_file(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "guides").mkdir(parents=True)
    outside.mkdir()
    (root / "guides" / "images").symlink_to(outside)
    (root / "guides" / "x.md").symlink_to(outside / "x.md")
    with pytest.raises(UnsafePathError) as err:
        write_file(root, "guides/images/a.png", b"png")
    assert str(err.value) == "guides/images/a.png: refused: guides/images is a symbolic link"
    with pytest.raises(UnsafePathError) as err:
        write_file(root, "guides/x.md", "x")
    assert str(err.value) == "guides/x.md: refused: it is a symbolic link"
    assert list(outside.iterdir()) == []
    assert read_existing(root, "guides/images/a.png") is None


def test_the_writer_replaces_atomically_and_exclusive_refuses(tmp_path: Path) -> None:
    path = write_file(tmp_path, "a/b/c.md", "one")
    assert path == tmp_path / "a" / "b" / "c.md"
    write_file(tmp_path, "a/b/c.md", "two")
    assert path.read_text() == "two"
    assert os.listdir(tmp_path / "a" / "b") == ["c.md"]  # no temporary file left
    with pytest.raises(UnsafePathError) as err:
        write_file(tmp_path, "a/b/c.md", "three", exclusive=True)
    assert str(err.value) == "a/b/c.md: refused: a file is there already"
    assert read_existing(tmp_path, "a/b/c.md") == b"two"


def test_nesting_depth_scans_tags() -> None:
    assert nesting_depth("<div><p>a<p>b<br><img src='x'/></div><ul><li>a<li>b</ul>") == 2
    assert nesting_depth("<div>" * 20_000) == 20_000
    assert nesting_depth("<b>" + "</i>" * 10_000) == 1


def test_html_nested_too_deep_is_refused_not_a_recursion_error() -> None:
    ok = "<div>" * MAX_DEPTH + "x" + "</div>" * MAX_DEPTH
    assert html_to_markdown(ok).strip() == "x"
    with pytest.raises(TooDeepError) as err:
        html_to_markdown("<div>" * 20_000 + "x" + "</div>" * 20_000)
    assert str(err.value) == f"HTML nested deeper than {MAX_DEPTH} levels"
