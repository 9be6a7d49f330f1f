"""One test per class of bad input: the exact ``path:line: message`` lines and exit 1.

Each case runs the real CLI (``hcsync validate``) in a tree built in ``tmp_path``; stderr must
be exactly the expected problems followed by the count line.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import make_tree, run_cli

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
OK = "---\ntitle: Fine\n---\nBody.\n"

CASES: dict[str, tuple[dict[str, str | bytes], list[str]]] = {
    "yaml syntax": (
        {"a/x.md": "---\ntitle: [unclosed\n---\nBody\n"},
        ["a/x.md:3: invalid YAML: did not find expected ',' or ']'"],
    ),
    "front-matter not a mapping": (
        {"a/x.md": "---\n- one\n- two\n---\nBody\n"},
        ["a/x.md:2: front-matter must be a mapping of keys, not a list"],
    ),
    "front-matter never closed": (
        {"a/x.md": "---\ntitle: Open\n\nBody\n"},
        [
            "a/x.md:1: front-matter is never closed",
            "  hint: end it with a line '---' (or remove the '---' on line 1)",
        ],
    ),
    "no title": (
        {"a/x.md": "Just text.\n"},
        [
            "a/x.md:1: no title",
            "  hint: set 'title:' in the front-matter or start the body with a '# heading'",
        ],
    ),
    "empty title": (
        {"a/x.md": '---\ntitle: ""\n---\nBody\n'},
        ["a/x.md:2: 'title' is empty"],
    ),
    "title not a string": (
        {"a/x.md": "---\ntitle: 2024\n---\nBody\n"},
        [
            "a/x.md:2: 'title' must be a string, not a number",
            '  hint: put the value in quotes: title: "2024"',
        ],
    ),
    "misspelt key": (
        {"a/x.md": "---\ntitel: Hello\n---\n# Hello\n"},
        ["a/x.md:2: unknown key 'titel'", "  hint: did you mean 'title'?"],
    ),
    "misspelt key by alias": (
        {"a/x.md": "---\ntitle: Hello\nseo_title: Nice\n---\nBody\n"},
        ["a/x.md:3: unknown key 'seo_title'", "  hint: did you mean 'seo.title'?"],
    ),
    "misspelt nested key": (
        {"a/x.md": "---\ntitle: Hello\nseo:\n  titel: Nice\n---\nBody\n"},
        ["a/x.md:4: unknown key 'seo.titel'", "  hint: did you mean 'seo.title'?"],
    ),
    "duplicate key": (
        {"a/x.md": "---\ntitle: One\nslug: one\ntitle: Two\n---\nBody\n"},
        ["a/x.md:4: duplicate key 'title' (first on line 2)"],
    ),
    "wrong type order": (
        {"a/x.md": "---\ntitle: T\norder: first\n---\nBody\n"},
        ["a/x.md:3: 'order' must be a whole number, not a string"],
    ),
    "wrong type sync": (
        {"a/x.md": "---\ntitle: T\nsync: maybe\n---\nBody\n"},
        ["a/x.md:3: 'sync' must be true or false, not a string"],
    ),
    "wrong type seo": (
        {"a/x.md": "---\ntitle: T\nseo: [a, b]\n---\nBody\n"},
        ["a/x.md:3: 'seo' must be a mapping with 'title' and 'description', not a list"],
    ),
    "invalid status": (
        {"a/x.md": "---\ntitle: T\nstatus: publsihed\n---\nBody\n"},
        [
            "a/x.md:3: invalid status 'publsihed': use one of published, draft, unpublished",
            "  hint: did you mean 'published'?",
        ],
    ),
    "invalid slug": (
        {"a/x.md": "---\ntitle: T\nslug: Hello World\n---\nBody\n"},
        [
            "a/x.md:3: invalid slug 'Hello World': use lowercase letters, digits and hyphens",
            "  hint: slug: hello-world",
        ],
    ),
    "duplicate slug": (
        {"a/one.md": "---\ntitle: One\nslug: same\n---\nB\n", "b/same.md": "# Two\n"},
        [
            "a/one.md:3: slug 'same' (en) is also used by b/same.md",
            "  hint: set a different 'slug:' in one of them",
            "b/same.md:1: slug 'same' (en) is also used by a/one.md",
            "  hint: set a different 'slug:' in one of them",
        ],
    ),
    "invalid language code": (
        {"a/x.md": "---\ntitle: T\nlanguage: Spanish!\n---\nBody\n"},
        [
            "a/x.md:3: invalid language code 'Spanish!'",
            "  hint: use a BCP 47 tag such as 'es' or 'pt-BR'",
        ],
    ),
    "language not configured": (
        {"a/x.md": OK, "a/x.fr.md": "# Bonjour\n"},
        [
            "a/x.fr.md:1: language 'fr' is not configured",
            "  hint: add it to 'languages' in hcsync.yml (additional languages now: es, de)",
        ],
    ),
    "translation without source": (
        {"a/x.md": "---\ntitle: Hola\nlanguage: es\n---\nBody\n"},
        [
            "a/x.md:3: translation into 'es' has no source article",
            "  hint: add 'translation_of: <the article's file>'",
        ],
    ),
    "translation of a missing source": (
        {"a/x.es.md": "# Hola\n"},
        ["a/x.es.md:1: source article 'a/x.md' does not exist"],
    ),
    "translation_of a missing file": (
        {"a/y.md": "---\ntitle: Hola\nlanguage: es\ntranslation_of: gone.md\n---\nB\n"},
        ["a/y.md:4: source article 'a/gone.md' does not exist"],
    ),
    "translation of a translation": (
        {
            "a/x.md": OK,
            "a/x.es.md": "# Hola\n",
            "a/y.md": "---\ntitle: Hallo\nlanguage: de\ntranslation_of: x.es.md\n---\nB\n",
        },
        [
            "a/y.md:4: 'a/x.es.md' is itself a translation; translate the original article",
            "  hint: translation_of: x.md",
        ],
    ),
    "two files for one language": (
        {
            "a/x.md": OK,
            "a/x.es.md": "# Hola\n",
            "a/otra.md": "---\ntitle: Otra\nlanguage: es\ntranslation_of: x.md\n---\nB\n",
        },
        [
            "a/otra.md:3: two files translate 'a/x.md' into 'es': also a/x.es.md",
            "a/x.es.md:1: two files translate 'a/x.md' into 'es': also a/otra.md",
        ],
    ),
    "translation_of leaves the root": (
        {"a/x.md": "---\ntitle: Hola\nlanguage: es\ntranslation_of: ../../etc.md\n---\nB\n"},
        ["a/x.md:4: 'translation_of' '../../etc.md' is outside the content root"],
    ),
    "category nested too deep": (
        {"a/b/c/x.md": OK},
        [
            "a/b/c: category 'a/b/c' is nested 3 levels deep; Help.Center allows one level "
            "of subcategories",
            "  hint: move this folder up a level",
        ],
    ),
    "category yaml syntax": (
        {"a/_category.yml": "name: [A\n", "a/x.md": OK},
        ["a/_category.yml:2: invalid YAML: did not find expected ',' or ']'"],
    ),
    "category without name": (
        {"a/_category.yml": "description: Things\n", "a/x.md": OK},
        ["a/_category.yml:1: no 'name'", "  hint: add a line: name: A"],
    ),
    "category unknown key": (
        {"a/_category.yml": "name: A\nicno: a.svg\n", "a/x.md": OK},
        ["a/_category.yml:2: unknown key 'icno'", "  hint: did you mean 'icon'?"],
    ),
    "category icon missing": (
        {"a/_category.yml": "name: A\nicon: gone.svg\n", "a/x.md": OK},
        ["a/_category.yml:2: icon 'gone.svg' not found"],
    ),
    "broken link": (
        {"a/x.md": "# T\n\nSee [this](other.md) and\n[that](../b/install).\n", "b/install.md": OK},
        [
            "a/x.md:3: broken link: 'other.md' does not exist",
            "a/x.md:4: broken link: '../b/install' does not exist",
            "  hint: did you mean '../b/install.md'?",
        ],
    ),
    "missing image": (
        {"a/x.md": "# T\n\n![shot](images/shot.png)\n"},
        ["a/x.md:3: image 'images/shot.png' not found"],
    ),
    "image outside the content root": (
        {
            "hcsync.yml": "backend: helpcenter\ncenter_id: c\ncontent: docs\n",
            "docs/a/x.md": "# T\n\n![shot](../../shot.png)\n",
            "shot.png": PNG,
        },
        ["docs/a/x.md:3: image '../../shot.png' is outside the content root"],
    ),
    "unsupported image format": (
        {"a/x.md": "# T\n\n![shot](shot.bmp)\n", "a/shot.bmp": b"BM" + b"\x00" * 40},
        [
            "a/x.md:3: image 'shot.bmp' is not a supported format",
            "  hint: use JPEG, PNG, GIF, WebP or SVG",
        ],
    ),
    "link to a file that is neither article nor image": (
        {"a/x.md": "# T\n\n[report](report.pdf)\n", "a/report.pdf": b"%PDF-1.4"},
        [
            "a/x.md:3: link to 'report.pdf', which is neither an article nor an image",
            "  hint: hcsync uploads only articles and images; link to other files by URL",
        ],
    ),
    "not utf-8": (
        {"a/x.md": b"# Title\n\ncaf\xe9\n"},
        ["a/x.md:3: not valid UTF-8 (byte 0xe9)", "  hint: save the file as UTF-8"],
    ),
    "binary file": (
        {"a/x.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
        ["a/x.md:1: binary file (contains NUL bytes), not Markdown"],
    ),
    "empty file": ({"a/x.md": "  \n\n"}, ["a/x.md:1: empty file"]),
    "alias bomb": (
        {
            "a/x.md": "---\n"
            + "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
                for i in range(6)
            )
            + "title: T\n---\nBody\n"
        },
        [
            "a/x.md:2: YAML expands to more than 10000 values or nests deeper than 50",
            "  hint: aliases (*name) that repeat large anchors are refused",
        ],
    ),
    "unsupported yaml tag": (
        {"a/x.md": "---\ntitle: !!python/object:os.system T\n---\nBody\n"},
        ["a/x.md:2: invalid YAML value: unsupported YAML tag '!!python/object:os.system'"],
    ),
    "config unknown key": (
        {"hcsync.yml": "backend: helpcenter\ncenter_id: c\ndefault_langauge: en\n", "a/x.md": OK},
        [
            "hcsync.yml:3: unknown key 'default_langauge'",
            "  hint: did you mean 'default_language'?",
        ],
    ),
    "config bad backend": (
        {"hcsync.yml": "backend: zendesk\n", "a/x.md": OK},
        ["hcsync.yml:1: 'backend' must be one of helpcenter, clickhelp; got 'zendesk'"],
    ),
    "config missing center_id": (
        {"hcsync.yml": "backend: helpcenter\n", "a/x.md": OK},
        ["hcsync.yml:1: missing required key 'center_id' for backend 'helpcenter'"],
    ),
    "config bad language list": (
        {"hcsync.yml": "backend: helpcenter\ncenter_id: c\nlanguages: [es, en, es]\n"},
        [
            "hcsync.yml:3: 'languages' lists 'es' twice",
            "hcsync.yml:3: 'languages' lists the default language 'en'",
            "  hint: list only the additional languages",
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_reported_at_its_line(tmp_path: Path, case: str) -> None:
    files, expected = CASES[case]
    make_tree(tmp_path, files)
    code, out, err = run_cli(tmp_path, "validate")
    problems = sum(1 for line in expected if not line.startswith("  hint:"))
    tail = f"{problems} problem{'s' if problems != 1 else ''} found"
    assert err.splitlines() == [*expected, tail]
    assert (code, out) == (1, "")


def test_image_over_10_mb(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a/x.md": "# T\n\n![big](big.png)\n"})
    with (tmp_path / "a" / "big.png").open("wb") as f:
        f.write(PNG)
        f.truncate(10 * 1024 * 1024 + 1)  # sparse: no need to write 10 MB
    code, _, err = run_cli(tmp_path, "validate")
    assert err.splitlines()[0] == "a/x.md:3: image 'big.png' is 10.0 MB; the limit is 10 MB"
    assert code == 1


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_leaving_the_content_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    make_tree(outside, {"secret.md": "# Secret\n"}, config=None)
    root = make_tree(tmp_path / "site", {"a/x.md": OK})
    (root / "a" / "link.md").symlink_to(outside / "secret.md")
    (root / "b").symlink_to(outside, target_is_directory=True)
    code, _, err = run_cli(root, "validate")
    assert err.splitlines() == [
        "a/link.md: symlink leaves the content root",
        "b: symlink leaves the content root",
        "2 problems found",
    ]
    assert code == 1


def test_unknown_key_is_a_warning_silenced_by_ignore_keys_and_fatal_when_strict(
    tmp_path: Path,
) -> None:
    make_tree(tmp_path, {"a/x.md": "---\ntitle: T\nsidebar_label: Short\n---\nBody\n"})
    code, out, err = run_cli(tmp_path, "validate")
    assert code == 0
    assert err.splitlines() == [
        "a/x.md:3: warning: unknown key 'sidebar_label'",
        "  hint: list it under 'ignore_keys' in hcsync.yml if another tool uses it",
    ]
    assert out == "OK: 1 article, 0 translations, 1 category, 0 images (1 warning)\n"

    code, out, err = run_cli(tmp_path, "validate", "--strict")
    assert code == 1
    assert err.splitlines()[-1] == "1 problem found"

    (tmp_path / "hcsync.yml").write_text(
        "backend: helpcenter\ncenter_id: c1\nignore_keys: [sidebar_label]\n"
    )
    code, out, err = run_cli(tmp_path, "validate", "--strict")
    assert (code, err) == (0, "")
    assert out == "OK: 1 article, 0 translations, 1 category, 0 images\n"


def test_problems_in_many_files_are_all_reported_in_one_run(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {}
    for i in range(12):
        files[f"cat{i % 3}/bad{i:02}.md"] = f"---\ntitle: Bad {i}\nstatus: nope\n---\nBody\n"
    files["cat0/links.md"] = "# Links\n\n[a](gone.md)\n\n![b](gone.png)\n"
    files["cat1/_category.yml"] = "nmae: One\n"
    make_tree(tmp_path, files)
    code, _, err = run_cli(tmp_path, "validate")
    lines = [line for line in err.splitlines() if not line.startswith("  hint:")]
    assert code == 1
    assert lines[-1] == "16 problems found"
    assert sum("invalid status 'nope'" in line for line in lines) == 12
    assert "cat0/links.md:3: broken link: 'gone.md' does not exist" in lines
    assert "cat0/links.md:5: image 'gone.png' not found" in lines
    assert "cat1/_category.yml:1: unknown key 'nmae'" in lines
    assert "cat1/_category.yml:1: no 'name'" in lines
    paths = [line.split(":")[0] for line in lines[:-1]]
    assert paths == sorted(paths)


def test_missing_config_is_one_line_and_exit_1(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "validate")
    assert code == 1
    assert err.startswith("no hcsync.yml in .")
    assert out == ""
