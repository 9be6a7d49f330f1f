"""The plan as Markdown for a pull-request comment: summary table first, details collapsed.

Titles, paths, notes and values come from the content or the help center, so they are made
inert before they go into the Markdown (:func:`text`, :func:`code`): no ``@mention`` pings,
no raw HTML (``</details>`` would close the block, ``<img>`` would load), no links.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from hcsync.plan.model import Action, ActionKind, Plan, action_symbol, orphan_effect
from hcsync.redact import inert

MARKER = "<!-- hcsync-plan -->"
"""Hidden tag that marks hcsync's comment, so later runs update it in place."""


_ESCAPED = re.compile(r"([\\`*_\[\]|~])")
_WWW = re.compile(r"(?i)(www)\.")
_ISSUE_REF = re.compile(r"#(?=\d)")
_ZWJ = "\u200d"
"""A zero-width joiner: breaks a mention or a link without changing what a reader sees."""


def text(value: str, limit: int = 300) -> str:
    """``value`` as inert Markdown text on one line (a table cell, a list item): HTML and
    Markdown punctuation escaped, mentions and links broken, cut to ``limit`` characters."""
    out = inert(value, limit)
    out = out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = _ESCAPED.sub(r"\\\1", out).replace("@", "@" + _ZWJ)
    out = out.replace("://", ":" + _ZWJ + "//")
    out = _ISSUE_REF.sub("#" + _ZWJ, out)
    return _WWW.sub(lambda m: m.group(1) + _ZWJ + ".", out)


def code(value: object, limit: int = 300, *, table: bool = False) -> str:
    """``value`` as an inline code span on one line (``(none)`` when empty): the fence is
    longer than any backtick run inside, so the span cannot be closed early; ``table``
    escapes ``|`` (a table cell would end there)."""
    if value is None or value == "":
        return "(none)"
    body = inert(str(value), limit)
    fence = "`" * (_longest_backtick_run(body) + 1)
    if body.startswith("`") or body.endswith("`") or (body.startswith(" ") and body.endswith(" ")):
        body = f" {body} "
    if table:
        body = body.replace("|", "\\|")
    return f"{fence}{body}{fence}"


def _row(action: Action) -> str:
    status = " (skipped)" if action.skipped else ""
    return (
        f"| {action_symbol(action)} | {action.kind.value.replace('_', ' ')}{status} | "
        f"{code(action.path, table=True)} | {text(action.title)} |"
    )


def _label(action: Action) -> str:
    """The action's name; an orphan's says what happens to it."""
    label = action.kind.value.replace("_", " ")
    effect = orphan_effect(action)
    return f"{label} ({'kept' if effect == 'keep' else f'to {effect}'})" if effect else label


def _count_rows(plan: Plan) -> dict[str, int]:
    """``symbol name`` → how many, in kind order (orphans apart by what happens to them)."""
    order = {kind: i for i, kind in enumerate(ActionKind)}
    actions = sorted(plan.actions, key=lambda a: order[a.kind])
    return dict(Counter(f"{action_symbol(a)} {_label(a)}" for a in actions))


def render_plan(plan: Plan, *, title: str = "hcsync plan") -> str:
    """Markdown with the marker, a one-line summary, a count table, then collapsed details."""
    lines = [MARKER, f"### {title}", "", *comment_intro(plan)]
    if not plan.has_changes and not plan.actions:
        return "\n".join(lines) + "\n"
    lines += ["", "| action | count |", "|---|---:|"]
    lines += [f"| {row} | {n} |" for row, n in _count_rows(plan).items()]
    lines += ["", "<details><summary>Details</summary>", ""]
    lines += ["| | action | file | title |", "|---|---|---|---|"]
    lines += [_row(a) for a in plan.actions]
    lines.append("")
    for action in plan.actions:
        if action.changes or action.diff or action.note:
            lines.append(f"#### {action_symbol(action)} {code(action.path)}")
            for change in action.changes:
                before, after = code(change.before, 80), code(change.after, 80)
                lines.append(f"- **{text(change.name)}**: {before} → {after}")
            if action.note:
                lines.append(f"- {text(action.note)}")
            if action.diff and action.kind in (
                ActionKind.UPDATE_DRAFT,
                ActionKind.UPDATE_TRANSLATION,
                ActionKind.DRIFT,
            ):
                fence = "`" * max(3, _longest_backtick_run(action.diff) + 1)
                lines += ["", f"{fence}diff", action.diff.rstrip("\n"), fence]
            lines.append("")
    lines.append("</details>")
    return "\n".join(lines) + "\n"


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return longest


# ---- the pull-request comment: risk first, then diffs, then a compact table of creates -------

_CAUTION_KINDS = frozenset(
    {
        ActionKind.ORPHAN,
        ActionKind.DELETE_CATEGORY,
        ActionKind.UNPUBLISH,
        ActionKind.UNPUBLISH_TRANSLATION,
        ActionKind.DRIFT,
    }
)
_UPDATE_KINDS = frozenset(
    {
        ActionKind.UPDATE_DRAFT,
        ActionKind.UPDATE_METADATA,
        ActionKind.UPDATE_TRANSLATION,
        ActionKind.UPDATE_CATEGORY,
    }
)
_CREATE_KINDS = frozenset(
    {
        ActionKind.CREATE_CATEGORY,
        ActionKind.UPLOAD_IMAGE,
        ActionKind.CREATE_ARTICLE,
        ActionKind.CREATE_TRANSLATION,
    }
)
_PUBLISH_KINDS = frozenset({ActionKind.PUBLISH, ActionKind.PUBLISH_TRANSLATION})
_DIFF_KINDS = frozenset({ActionKind.UPDATE_DRAFT, ActionKind.UPDATE_TRANSLATION, ActionKind.DRIFT})
_URL_SAFE = ":/?#=&%~+,;"
"""Characters a link keeps as they are; anything else (``()<>[]`` spaces, quotes) is
percent-encoded, so a link cannot end early or carry Markdown."""


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL, percent-encoded so it stays one Markdown
    link destination; None otherwise."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=_URL_SAFE)


@dataclass(frozen=True, slots=True, kw_only=True)
class Links:
    """Where a comment row links: the file at the pull request's head commit and the live
    article. Built from the run's own context and the plan's ``urls``, never from content."""

    blob: str | None = None
    """``{server}/{owner}/{repo}/blob/{sha}/{content dir}/``, or None (no links to files)."""
    urls: Mapping[str, str] = field(default_factory=dict)
    """The live article of each existing file, by path (the plan's ``urls``)."""

    @classmethod
    def for_run(
        cls,
        *,
        server: str | None,
        repository: str | None,
        sha: str | None,
        prefix: str = "",
        urls: Mapping[str, str] | None = None,
    ) -> Links:
        """``prefix`` is the content directory inside the repository (``docs``; ``""``)."""
        blob = None
        base = safe_url(server)
        if base and repository and sha and re.fullmatch(r"[0-9a-fA-F]{7,64}", sha):
            owner_name = quote(repository, safe="/")
            folder = quote(prefix.strip("/") + "/", safe="/") if prefix.strip("/") else ""
            blob = f"{base.rstrip('/')}/{owner_name}/blob/{sha}/{folder}"
        return cls(blob=blob, urls=dict(urls or {}))

    def cell(self, action: Action) -> str:
        """``[file](…) · [live](…)``: the words are ours, the targets percent-encoded."""
        found = []
        if self.blob and action.kind is not ActionKind.CREATE_CATEGORY:
            found.append(f"[file]({self.blob}{quote(action.path, safe='/')})")
        live = safe_url(self.urls.get(action.path)) if action.remote_id else None
        if live:
            found.append(f"[live]({live})")
        return " · ".join(found)


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    """A part of the comment: ``head`` (repeated when the section goes on in a later part)
    and ``items`` (blocks of lines, each kept whole), counted as ``noun`` when left out."""

    head: tuple[str, ...]
    items: tuple[str, ...]
    noun: str
    gap: bool = False
    """Items are blocks apart from each other by a blank line (not table rows or list items)."""


def _key(action: Action) -> tuple[str, str | None]:
    return (action.path, action.language)


def _what_happens(action: Action) -> str:
    """What a risky action does to the help center, in words."""
    effect = orphan_effect(action)
    language = f" ({text(action.language, 20)})" if action.language else ""
    if effect == "delete":
        return "**will be deleted** from the help center (its file is gone)"
    if effect == "unpublish":
        return "**will be unpublished** (its file is gone)"
    if effect == "keep":
        return "**orphaned**: its file is gone; kept as it is (prune: report)"
    if action.kind is ActionKind.DELETE_CATEGORY:
        return "**category will be deleted**"
    if action.kind in (ActionKind.UNPUBLISH, ActionKind.UNPUBLISH_TRANSLATION):
        return f"**will be unpublished**{language}"
    if action.skipped:
        return "**drifted**: changed on the help center since the last sync; left as it is"
    return "**drifted**: changed on the help center since the last sync; **will be overwritten**"


def _caution(plan: Plan, links: Links) -> Section:
    risky = [a for a in plan.actions if a.kind in _CAUTION_KINDS]
    items = []
    for a in risky:
        note = f": {text(a.note)}" if a.note else ""
        cell = links.cell(a)
        tail = f" · {cell}" if cell else ""
        items.append(
            f"> - {action_symbol(a)} {code(a.path)} {text(a.title)}: {_what_happens(a)}{note}{tail}"
        )
    head = (
        "> [!CAUTION]",
        f"> **{len(risky)} deleted, unpublished, drifted or orphaned: review these first.**",
        ">",
    )
    return Section(head=head if risky else (), items=tuple(items), noun="risky actions")


def _changes(actions: list[Action], published: bool) -> list[str]:
    lines = []
    for a in actions:
        for change in a.changes:
            before, after = code(change.before, 80), code(change.after, 80)
            lines.append(f"- **{text(change.name)}**: {before} → {after}")
        if a.note:
            lines.append(f"- {text(a.note)}")
    if published:
        lines.append("- ↑ and published")
    for a in actions:
        if a.diff and a.kind in _DIFF_KINDS:
            fence = "`" * max(3, _longest_backtick_run(a.diff) + 1)
            lines += ["", f"{fence}diff", a.diff.rstrip("\n"), fence]
    return lines


def _updates(plan: Plan, links: Links, publishes: set[tuple[str, str | None]]) -> Section:
    """One block per updated file (its changes, then its diff); drifts with a diff too. The
    second pass of an article created in this run belongs to its row among the new ones."""
    created = {_key(a) for a in plan.actions if a.kind in _CREATE_KINDS}
    groups: dict[tuple[str, str | None], list[Action]] = {}
    for a in plan.actions:
        if _key(a) in created:
            continue
        if a.kind in _UPDATE_KINDS or (a.kind is ActionKind.DRIFT and a.diff):
            groups.setdefault(_key(a), []).append(a)
    items = []
    for key, actions in groups.items():
        first = actions[0]
        published = key in publishes and first.kind is not ActionKind.DRIFT
        if published:
            publishes.discard(key)
        cell = links.cell(first)
        skipped = " (skipped)" if all(a.skipped for a in actions) else ""
        heading = f"##### {action_symbol(first)} {code(first.path)} {text(first.title)}{skipped}"
        block = [heading + (f" · {cell}" if cell else ""), *_changes(actions, published)]
        items.append("\n".join(block))
    n = len(items)
    return Section(head=(f"#### Updates ({n})", ""), items=tuple(items), noun="updates", gap=True)


def _create_label(action: Action, published: bool) -> str:
    label = {
        ActionKind.CREATE_CATEGORY: "+ new category",
        ActionKind.UPLOAD_IMAGE: "+ new image",
        ActionKind.CREATE_ARTICLE: "+ new",
        ActionKind.CREATE_TRANSLATION: "+ new translation",
    }[action.kind]
    if action.language and action.kind is ActionKind.CREATE_TRANSLATION:
        label += f" ({text(action.language, 20)})"
    if action.kind in (ActionKind.CREATE_ARTICLE, ActionKind.CREATE_TRANSLATION):
        label += ", published" if published else ", draft"
    return label + (" (skipped)" if action.skipped else "")


def _creates(plan: Plan, links: Links, publishes: set[tuple[str, str | None]]) -> Section:
    """One table row per new article, translation, category or image; a publish of a new
    article is folded into its row."""
    rows = []
    for a in plan.actions:
        if a.kind not in _CREATE_KINDS:
            continue
        published = _key(a) in publishes and a.kind is not ActionKind.UPLOAD_IMAGE
        if published:
            publishes.discard(_key(a))
        rows.append(
            f"| {_create_label(a, published)} | {code(a.path, table=True)} | {text(a.title)} "
            f"| {links.cell(a)} |"
        )
    head = (f"#### New ({len(rows)})", "", "| | file | title | links |", "|---|---|---|---|")
    return Section(head=head, items=tuple(rows), noun="new articles")


def _others(plan: Plan, links: Links, publishes: set[tuple[str, str | None]]) -> Section:
    """Renames, adoptions, reorders and publishes not folded into a row."""
    shown = _CAUTION_KINDS | _UPDATE_KINDS | _CREATE_KINDS
    rows = []
    for a in plan.actions:
        if a.kind in shown or (a.kind in _PUBLISH_KINDS and _key(a) not in publishes):
            continue
        status = " (skipped)" if a.skipped else ""
        rows.append(
            f"| {action_symbol(a)} {a.kind.value.replace('_', ' ')}{status} | "
            f"{code(a.path, table=True)} | {text(a.title)} | {links.cell(a)} |"
        )
    head = (
        f"#### Other changes ({len(rows)})",
        "",
        "| | file | title | links |",
        "|---|---|---|---|",
    )
    return Section(head=head, items=tuple(rows), noun="other changes")


def comment_intro(plan: Plan) -> list[str]:
    """The first lines under the title (comment and job summary): offline note, summary,
    unmanaged count."""
    lines = []
    if plan.offline:
        lines += [
            "> **Offline plan**: computed from the files and the lockfile only "
            "(no help-center credentials in this run).",
            "",
        ]
    if not plan.has_changes and not plan.actions:
        return [*lines, f"**No changes.** {plan.noops} articles in sync."]
    lines.append(f"**{plan.summary()}**")
    if plan.unmanaged:
        n = len(plan.unmanaged)
        lines += [
            "",
            f"{n} unmanaged article{'s' if n != 1 else ''} on the help center "
            "(no file, no lockfile entry): left as they are.",
        ]
    return lines


def comment_sections(plan: Plan, links: Links) -> list[Section]:
    """The comment's sections in the order a reviewer needs them: what deletes, unpublishes,
    drifted or is orphaned; then updates with their diffs; then new articles; then the rest.
    Publishes are folded into the row of the article they publish."""
    publishes = {_key(a) for a in plan.actions if a.kind in _PUBLISH_KINDS}
    caution = _caution(plan, links)
    updates = _updates(plan, links, publishes)
    creates = _creates(plan, links, publishes)
    others = _others(plan, links, publishes)
    return [s for s in (caution, updates, creates, others) if s.items]
