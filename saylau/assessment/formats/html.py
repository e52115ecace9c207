"""HTML handling shared by the formats: sanitising, converting text formats, HTML entities in XML.

Every text that enters an item document passes through :func:`sanitize`, so documents only ever hold the
markup listed in ``ALLOWED_TAGS``:

* formatting: p, br, strong, b, em, i, u, s, sub, sup, span, div, blockquote, pre, code;
* lists: ul, ol, li; tables: table, caption, thead, tbody, tfoot, tr, th, td (with colspan/rowspan);
* links ``<a href>`` with an http(s) or mailto URL only; images ``<img src alt>`` with an http(s) URL or an inline
  ``data:image/…`` URL only.

Everything else is removed but its text is kept (``style``/``class`` attributes, headings, fonts …); ``script`` and
``style`` elements are removed with their content. Images that point elsewhere - in particular Moodle's
``@@PLUGINFILE@@/…`` files, whose content travels in ``<file>`` elements we do not import - are removed entirely
(the surrounding text stays), and a link whose URL is not allowed keeps its text but loses the link.
"""

from __future__ import annotations

import html
import re
from html.entities import html5

import nh3

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "span", "div", "blockquote", "pre", "code",
    "ul", "ol", "li", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "a", "img",
})
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}

# XML 1.0 cannot carry C0 controls (other than tab/newline/CR) nor lone surrogates; HTML does not need them.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_ANCHOR_WITHOUT_HREF = re.compile(r"<a>(.*?)</a>", re.DOTALL)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Keep only URLs we are willing to render; anything else (relative, javascript:, @@PLUGINFILE@@) goes."""
    if attribute == "src" and tag == "img":
        lowered = value.strip().lower()
        return value if lowered.startswith(("http://", "https://", "data:image/")) else None
    if attribute == "href" and tag == "a":
        lowered = value.strip().lower()
        return value if lowered.startswith(("http://", "https://", "mailto:")) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    # "*": nothing on every tag - otherwise nh3 keeps its default generic attributes (lang, title).
    attributes={"*": set(), **{tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}},
    attribute_filter=_filter_attribute,
    # No rel is added: it would make sanitising non-idempotent for imported links and links never open new windows.
    link_rel=None,
    url_schemes={"http", "https", "mailto", "data"},
)


def remove_control_characters(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (C0 controls except tab/LF/CR, lone surrogates)."""
    return _CONTROL_CHARACTERS.sub("", text)


def sanitize(markup: str) -> str:
    """Sanitised HTML for ``markup``, stripped of surrounding whitespace.

    Guarantees: only ``ALLOWED_TAGS``/``ALLOWED_ATTRIBUTES`` remain, every ``<img>`` has an allowed ``src``, and
    ``sanitize(sanitize(x)) == sanitize(x)`` (so imported documents survive an export/import round trip unchanged).
    """
    # Control characters are removed again afterwards: character references such as "&#1;" decode to them.
    cleaned = remove_control_characters(_CLEANER.clean(remove_control_characters(markup)))
    # nh3 escapes ">" inside attribute values, so these patterns cannot cut a tag short.
    cleaned = _IMG_WITHOUT_SRC.sub("", cleaned)
    cleaned = _ANCHOR_WITHOUT_HREF.sub(r"\1", cleaned)
    return cleaned.strip()


def plain_to_html(text: str) -> str:
    """HTML showing ``text`` literally: escaped, lines joined by ``<br>``, blank-line separated paragraphs in ``<p>``.

    A single paragraph is not wrapped, so short texts (options, matching responses) stay short.
    """
    text = remove_control_characters(text).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    paragraphs = [p.strip() for p in re.split(r"\n[ \t]*\n\s*", text) if p.strip()]
    rendered = ["<br>".join(html.escape(line, quote=False) for line in p.split("\n")) for p in paragraphs]
    if len(rendered) == 1:
        return sanitize(rendered[0])
    return sanitize("".join(f"<p>{p}</p>" for p in rendered))


def html_to_plain(markup: str) -> str:
    """The text of ``markup`` without tags: ``<br>`` and block ends become newlines, entities are decoded."""
    text = re.sub(r"<br\s*/?>", "\n", markup, flags=re.IGNORECASE)
    text = re.sub(r"</(p|div|li|tr|blockquote|pre)>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]*>", "", text)
    return html.unescape(text).strip()


# Text format names as the two formats spell them, mapped to how we convert them.
TEXT_FORMATS = {
    "html": "html",
    "moodle_auto_format": "moodle", "moodle": "moodle",
    "plain_text": "plain", "plain": "plain",
    "markdown": "plain",      # no Markdown renderer is available: the source is shown as written
    "wiki_like": "plain",
}


def to_html(text: str, text_format: str) -> str:
    """Sanitised HTML for ``text`` written in ``text_format`` (a Moodle XML or GIFT format name).

    ``html`` is sanitised; Moodle's auto-format is HTML whose line breaks are significant; plain text and Markdown
    are shown literally (Markdown is not rendered). An unknown format is treated as HTML, as Moodle does.
    """
    kind = TEXT_FORMATS.get(text_format, "html")
    if kind == "plain":
        return plain_to_html(text)
    text = text.strip()
    if kind == "moodle":
        text = re.sub(r"\r\n|\r|\n", "<br>", text)
    return sanitize(text)


# --- HTML entities in XML ---------------------------------------------------------------------------------

_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}
# CDATA sections and comments are copied untouched; only entity references outside them are rewritten.
_ENTITY_OR_SKIPPED = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->|&([A-Za-z][A-Za-z0-9]{1,31});", re.DOTALL)


def _numeric_reference(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name is None or name in _XML_ENTITIES:
        return match.group(0)
    characters = html5.get(name.decode("ascii") + ";")
    if characters is None:
        return match.group(0)   # unknown: leave it for the XML parser to report with its line
    return b"".join(b"&#%d;" % ord(c) for c in characters)


def html_entities_to_references(data: bytes) -> bytes:
    """``data`` with HTML named entities (``&nbsp;``, ``&uarr;`` …) replaced by numeric character references.

    Strict XML only knows the five XML entities; real Moodle files (hand-made or converted) use HTML ones. Works on
    the bytes of any ASCII-compatible encoding and never adds or removes line breaks, so parser line numbers stay
    right.
    """
    return _ENTITY_OR_SKIPPED.sub(_numeric_reference, data)
