"""The nl and fr catalogues are complete, compiled and used by the pages."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


def _entries(lang: str) -> list[str]:
    text = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    return [e for e in text.split("\n\n")[1:] if "msgid" in e and not e.lstrip().startswith("#~")]


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_every_message_has_a_reviewed_translation(lang):
    entries = _entries(lang)
    assert len(entries) > 500
    bad = []
    for entry in entries:
        match = re.search(r'msgstr(?:\[0\])? ((?:".*"\n?)+)', entry)
        text = "".join(re.findall(r'"(.*)"', match.group(1))) if match else ""
        if "#, fuzzy" in entry or not text.strip():
            bad.append(entry.splitlines()[-2:])
    assert bad == []


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_the_compiled_catalogue_holds_every_message(lang):
    folder = LOCALE / lang / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    source = (folder / "django.po").read_text(encoding="utf-8")
    # Single-line, singular message ids (plural ones are keyed differently).
    msgids = re.findall(r'^msgid "(.+)"\n(?!msgid_plural)', source, flags=re.MULTILINE)
    missing = [m for m in msgids if "\\" not in m and m not in compiled._catalog]
    assert len(msgids) > 500
    assert missing == []


@pytest.mark.django_db
def test_pages_are_shown_in_the_users_language(client, intake, real_translations):
    client.force_login(intake)
    dutch = client.get("/clients/new/").content.decode()
    assert "Rijksregisternummer" in dutch and 'lang="nl"' in dutch
    intake.language = "fr"
    intake.save(update_fields=["language"])
    french = client.get("/clients/new/").content.decode()
    assert "Numéro de registre national" in french and 'lang="fr"' in french
