"""The shared Help.Center sanitising policy (helpcenter.md §11)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcsync.htmlpolicy import sanitize


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<h2>Hi</h2><p>text</p>", "<h2>Hi</h2><p>text</p>"),
        ("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"),
        ("<style>p{}</style><p>x</p>", "<p>x</p>"),
        ('<p onclick="x()" style="color:red">x</p>', "<p>x</p>"),
        ("<font>kept text</font>", "kept text"),
        ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
        ('<img src="data:image/png;base64,AAA" alt="a">', '<img alt="a">'),
        ('<a href="mailto:a@b.c">m</a>', '<a href="mailto:a@b.c">m</a>'),
        ('<a href="#top">t</a>', '<a href="#top">t</a>'),
        ('<a href="../x">t</a>', '<a href="../x">t</a>'),
        (
            '<a href="https://x.y" target="_blank">t</a>',
            '<a href="https://x.y" target="_blank" rel="noopener noreferrer">t</a>',
        ),
        (
            '<a href="https://x.y" rel="nofollow">t</a>',
            '<a href="https://x.y" rel="nofollow">t</a>',
        ),
        (
            '<iframe src="https://www.youtube.com/embed/abc" width="560" onload="x"></iframe>',
            '<iframe src="https://www.youtube.com/embed/abc" width="560"></iframe>',
        ),
        ('<p>a</p><iframe src="https://evil.example/embed"></iframe>', "<p>a</p>"),
        (
            '<pre><code class="language-py">x = 1</code></pre>',
            '<pre><code class="language-py">x = 1</code></pre>',
        ),
        ('<td colspan="2" bgcolor="red">c</td>', "c"),
        (
            '<table><tr><td colspan="2" bgcolor="red">c</td></tr></table>',
            '<table><tbody><tr><td colspan="2">c</td></tr></tbody></table>',
        ),
        ("<!-- secret --><p>x</p>", "<p>x</p>"),
    ],
)
def test_policy(raw: str, clean: str) -> None:
    assert sanitize(raw) == clean


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abpiframehtsrc:_blankjv")), max_size=80))
def test_idempotent(raw: str) -> None:
    once = sanitize(raw)
    assert sanitize(once) == once
