#!/usr/bin/env python3
"""Fill translations into the catalogues from a JSON file: {"kk": {msgid: msgstr | [plural forms]}, "ru": {...}}.

    python scripts/po_fill.py translations.json

Clears the fuzzy flag of every entry it fills; prints what is still untranslated.
"""

import json
import sys

import polib


def main(path: str) -> int:
    table = json.load(open(path, encoding="utf-8"))
    missing = 0
    for language, entries in table.items():
        po_path = f"locale/{language}/LC_MESSAGES/django.po"
        catalogue = polib.pofile(po_path)
        for entry in catalogue:
            if entry.msgid in entries:
                value = entries[entry.msgid]
                if isinstance(value, list):
                    entry.msgstr_plural = dict(enumerate(value))
                else:
                    entry.msgstr = value
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                entry.previous_msgid = entry.previous_msgid_plural = None
        catalogue.save(po_path)
        for entry in catalogue:
            if not entry.translated() or "fuzzy" in entry.flags:
                missing += 1
                print(f"{language}: untranslated {entry.msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
