"""Articles are written in Markdown (CommonMark, by markdown-it-py) and shown as HTML sanitised by nh3: whatever an
author types, a page never carries a script, a style or an event handler."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
_CLEANER = nh3.Cleaner(
    tags={"h1", "h2", "h3", "h4", "p", "br", "hr", "ul", "ol", "li", "strong", "em", "blockquote", "code", "pre",
          "a", "table", "thead", "tbody", "tr", "th", "td"},
    attributes={"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
)


def render_markdown(text: str) -> str:
    """Safe HTML of a Markdown text."""
    return _CLEANER.clean(_MARKDOWN.render(text or ""))


def title_and_body(text: str) -> tuple[str, str]:
    """A Markdown article's leading "# Title" line and the rest."""
    lines = (text or "").strip().splitlines()
    if lines and lines[0].startswith("# "):
        return lines[0][2:].strip(), "\n".join(lines[1:]).strip()
    return "", (text or "").strip()
