"""Arbitrary bytes and arbitrary YAML as a Markdown file never crash the loader: they load,
or they are reported as problems (ContentError)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcsync.content import load_site
from hcsync.diagnostics import ContentError
from tests.helpers import make_tree

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["title", "slug", "status", "published", "es", "../x.md", "a.md"]),
)
yaml_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(
                st.sampled_from(
                    [
                        "title",
                        "slug",
                        "seo",
                        "status",
                        "order",
                        "sync",
                        "language",
                        "translation_of",
                        "category",
                        "title ",
                        "x",
                    ]
                ),
                st.text(max_size=10),
            ),
            children,
            max_size=5,
        ),
    ),
    max_leaves=12,
)


def check(files: dict[str, str | bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = make_tree(Path(tmp), files)
        try:
            site = load_site(root)
        except ContentError as exc:
            assert exc.diagnostics
            for diag in exc.diagnostics:
                assert diag.path and diag.message
        else:
            for article in site.articles.values():
                assert article.title and article.slug


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    check({"a/x.md": data, "a/y.md": b"---\n" + data + b"\n---\nBody\n"})


@FUZZ
@given(yaml_values)
def test_arbitrary_yaml_front_matter(value: object) -> None:
    text = yaml.safe_dump(value, allow_unicode=True)
    check({"a/x.md": f"---\n{text}---\n# Heading\n\n[l](x.es.md) ![i](i.png)\n"})


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text_as_front_matter_and_category(text: str) -> None:
    check({"a/x.md": f"---\n{text}\n---\nBody\n", "a/_category.yml": text})


@FUZZ
@given(st.text(alphabet="#-*[]()!<>`|:\n ~\\abc.md/", max_size=200))
def test_arbitrary_markdown_body(body: str) -> None:
    check({"a/x.md": "---\ntitle: T\n---\n" + body, "a/b.md": "# B\n"})
