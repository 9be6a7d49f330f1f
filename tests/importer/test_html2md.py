"""The HTML → Markdown converter against hcsync's own renderer (the fidelity measure)."""

from __future__ import annotations

import pytest

from hcsync.content import load_site
from hcsync.importer.html2md import html_to_markdown
from hcsync.render import render_markdown
from tests.importer.conftest import EXAMPLE

SITE = load_site(EXAMPLE)
PAGES = sorted([*SITE.articles, *SITE.translations])


@pytest.mark.parametrize("path", PAGES)
def test_example_content_renders_back_exactly(path: str) -> None:
    page = SITE.page(path)
    assert page is not None
    assert render_markdown(html_to_markdown(page.html)).html == page.html


@pytest.mark.parametrize(
    "markdown",
    [
        "| a | b | c |\n| :--- | :---: | ---: |\n| 1 | 2 | 3 |\n",
        "```python\nprint('x')\n```\n",
        "- [x] done\n- [ ] not yet\n",
        "- loose\n\n- list\n",
        "Text with a note[^1].\n\n[^1]: The note.\n",
        "1. one\n2. two\n   - nested\n",
        "> quoted **bold** and *em* and `code`\n",
    ],
)
def test_constructs_render_back(markdown: str) -> None:
    html = render_markdown(markdown).html
    assert render_markdown(html_to_markdown(html)).html == html
