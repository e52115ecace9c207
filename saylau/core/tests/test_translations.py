"""The interface is complete in Kazakh and Russian.

Every user-facing string is written in English in the source. These tests regenerate the catalogues from a copy
of the source tree (exactly as ``makemessages`` would for a developer) and fail when any message is untranslated
or fuzzy in kk or ru, naming the messages. They need the GNU gettext tools (``apt-get install gettext``); without
them they fail rather than skip, so a CI image without gettext cannot pass silently.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from saylau.commissions.models import Level

BASE_DIR = Path(settings.BASE_DIR)
# What makemessages reads: the code, the templates, and the committed catalogues it merges into.
SOURCE_ITEMS = ("saylau", "config", "manage.py", "locale")
IGNORED = shutil.ignore_patterns(".venv", "var", "__pycache__", "*.pyc", "*.mo")
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq", "msgattrib", "msgfmt")
# Languages whose interface must be complete, with the number of plural forms their catalogue declares.
COMPLETE_LANGUAGES = {"kk": 2, "ru": 4}
KAZAKH_LETTERS = re.compile("[әғқңөұүһі]", re.IGNORECASE)
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def require_gettext() -> None:
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"GNU gettext tools not found on PATH: {', '.join(missing)}. "
            "Install them (apt-get install gettext, or `make system-deps`) to check the translations.",
            pytrace=False,
        )


def catalogue(root: Path, language: str) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


def describe(entry: polib.POEntry) -> str:
    return repr(entry.msgid) if not entry.msgctxt else f"{entry.msgid!r} (context {entry.msgctxt!r})"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    """A copy of the source tree whose kk and ru catalogues makemessages has just brought up to date."""
    require_gettext()
    root = tmp_path_factory.mktemp("source")
    for item in SOURCE_ITEMS:
        source = BASE_DIR / item
        if source.is_dir():
            shutil.copytree(source, root / item, ignore=IGNORED)
        elif source.exists():
            shutil.copy2(source, root / item)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    command = [sys.executable, "manage.py", "makemessages", "--no-location", "--no-obsolete", "--ignore=tests",
               *(f"--locale={language}" for language in COMPLETE_LANGUAGES)]
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    return root


@pytest.mark.parametrize("language", sorted(COMPLETE_LANGUAGES))
def test_every_message_is_translated(regenerated, language):
    po = polib.pofile(str(catalogue(regenerated, language)))
    entries = [entry for entry in po if not entry.obsolete]
    assert entries, "makemessages found no messages at all"
    fuzzy = [describe(e) for e in entries if "fuzzy" in e.flags]
    untranslated = [describe(e) for e in entries if "fuzzy" not in e.flags and not e.translated()]
    problems = []
    if untranslated:
        problems.append(f"{len(untranslated)} untranslated:\n  " + "\n  ".join(untranslated))
    if fuzzy:
        problems.append(f"{len(fuzzy)} fuzzy (check the translation, then remove the flag):\n  " + "\n  ".join(fuzzy))
    assert not problems, (
        f"locale/{language}/LC_MESSAGES/django.po is incomplete. Run `manage.py makemessages -l kk -l ru -l en "
        "--ignore=.venv --ignore=var --ignore=tests --no-location --no-obsolete` and translate:\n"
        + "\n".join(problems)
    )


@pytest.mark.parametrize("language", sorted(COMPLETE_LANGUAGES))
def test_plural_forms_are_complete(regenerated, language):
    nplurals = COMPLETE_LANGUAGES[language]
    po = polib.pofile(str(catalogue(regenerated, language)))
    assert f"nplurals={nplurals};" in po.metadata.get("Plural-Forms", "").replace(" ", ""), po.metadata
    wrong = [describe(e) for e in po if e.msgid_plural and not e.obsolete and len(e.msgstr_plural) != nplurals]
    assert not wrong, f"{language}: plural entries need exactly {nplurals} forms: {wrong}"


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_committed_catalogue_compiles(language, tmp_path):
    require_gettext()
    path = catalogue(BASE_DIR, language)
    assert path.exists(), f"{path.relative_to(BASE_DIR)} is missing: run makemessages for {language}"
    result = subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"msgfmt --check {path.relative_to(BASE_DIR)}:\n{result.stderr}"


KEY_MESSAGES = ["Registry", "Log in", "Log out", "Members", "Electoral training platform"]


@pytest.fixture
def compiled_catalogues():
    for language in COMPLETE_LANGUAGES:
        po, mo = catalogue(BASE_DIR, language), catalogue(BASE_DIR, language).with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            pytest.fail(f"{mo.relative_to(BASE_DIR)} is missing or older than its .po: run `make messages` "
                        "(manage.py compilemessages --ignore=.venv)", pytrace=False)


@pytest.mark.parametrize("language", sorted(COMPLETE_LANGUAGES))
def test_key_strings_are_translated_at_runtime(compiled_catalogues, language):
    with translation.override("en"):
        english_levels = [str(label) for _value, label in Level.choices]
    with translation.override(language):
        messages = {message: translation.gettext(message) for message in KEY_MESSAGES}
        levels = [str(label) for _value, label in Level.choices]  # lazy labels, evaluated in this language
    for source, text in messages.items():
        assert text != source and CYRILLIC.search(text), f"{language}: {source!r} is not translated ({text!r})"
    for source, text in zip(english_levels, levels, strict=True):
        assert text != source and CYRILLIC.search(text), f"{language}: level {source!r} is not translated ({text!r})"
        if language == "kk":
            assert KAZAKH_LETTERS.search(text), f"kk: level {source!r} is translated as {text!r}, not Kazakh"
    assert len(set(levels)) == len(levels), f"{language}: two levels share a label: {levels}"


def test_plural_forms_at_runtime(compiled_catalogues):
    def members(language: str, n: int) -> str:
        with translation.override(language):
            return translation.ngettext("%(counter)s member", "%(counter)s members", n) % {"counter": n}

    assert {members("ru", n) for n in (1, 3, 5)} == {"1 член", "3 члена", "5 членов"}
    assert members("kk", 1) == "1 мүше" and members("kk", 5) == "5 мүше"
