"""The certificate fonts: ParaType's PT Serif and PT Sans from Debian's ``fonts-paratype`` package (they cover
every Kazakh letter: ә ғ қ ң ө ұ ү һ і), trimmed once to the scripts certificates use and without their hinting
programs. Those programs are most of each font's bytes and are copied into every PDF by the subsetter; without
them a certificate is 48 KB instead of 110 KB and renders in half the time. Nothing is fetched at run time: the
trimmed copies are made from the installed files into ``CERTIFICATE_FONT_CACHE`` on first use."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings

from .pdf import FONT_FILES

# Latin (with the Kazakh Latin alphabet's letters), Cyrillic with its supplement (Kazakh letters), punctuation,
# the numero sign.
UNICODE_RANGES = (range(0x20, 0x7F), range(0xA0, 0x250), range(0x400, 0x530), range(0x2010, 0x2070),
                  range(0x2116, 0x2117), range(0x2122, 0x2123))


class FontsMissing(RuntimeError):
    pass


def _trim(source: Path, target: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # it lists every glyph at INFO
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[code for block in UNICODE_RANGES for code in block])
    subsetter.subset(font)
    temporary = target.with_suffix(".tmp")
    font.save(temporary)
    temporary.replace(target)


def prepared_fonts_dir() -> str:
    """The directory of the trimmed fonts, made if missing (a few tenths of a second, once per machine)."""
    source_dir = Path(settings.CERTIFICATE_FONTS_DIR)
    target_dir = Path(settings.CERTIFICATE_FONT_CACHE)
    for filename in FONT_FILES.values():
        target = target_dir / filename
        if target.exists():
            continue
        source = source_dir / filename
        if not source.exists():
            raise FontsMissing(f"{source} is missing: install Debian's fonts-paratype (scripts/apt-install).")
        target_dir.mkdir(parents=True, exist_ok=True)
        _trim(source, target)
    return str(target_dir)
