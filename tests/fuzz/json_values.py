"""Strategies for JSON-shaped values, with the keys hcsync's formats use."""

from __future__ import annotations

from hypothesis import strategies as st

KEYS = [
    "op",
    "value",
    "path",
    "id",
    "language",
    "slug",
    "category",
    "local_hash",
    "remote_hash",
    "remote_version",
    "status",
    "url",
    "title",
    "entries",
    "categories",
    "images",
    "pending",
    "format_version",
    "backend",
    "target",
    "sha256",
    "hash",
    "name",
    "body",
    "parentId",
    "content",
    "html",
    "category_id",
    "data",
    "x",
    "",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["", "en", "a.md", "../x.md", "/etc/passwd", "b/install.md", "\x00", "c1"]),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=5
        ),
    ),
    max_leaves=15,
)
