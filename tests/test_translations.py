"""Every Vietnamese string in the code and templates has its English translation, and
the compiled catalogue the app loads matches the one people edit."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "registry" / "translations" / "en" / "LC_MESSAGES"
METHODS = [("registry/**.py", "python"), ("registry/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}


def _source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_an_english_translation():
    with open(CATALOGUE / "messages.po", "rb") as fh:
        po = read_po(fh)
    translated = {_key(m.id) for m in po
                  if m.id and not m.fuzzy and m.string and all(_as_tuple(m.string))}
    missing = sorted(_source_messages() - translated)
    assert not missing, ("untranslated (run pybabel extract/update, translate, compile): "
                         f"{missing}")


def _key(msgid) -> str:
    """The singular form names a message (plural entries have a tuple of ids)."""
    return msgid[0] if isinstance(msgid, (tuple, list)) else msgid


def _as_tuple(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def test_compiled_catalogue_matches_the_po_file():
    with open(CATALOGUE / "messages.po", "rb") as fh:
        po = {_key(m.id): _as_tuple(m.string) for m in read_po(fh) if m.id and not m.fuzzy}
    with open(CATALOGUE / "messages.mo", "rb") as fh:
        mo = {_key(m.id): _as_tuple(m.string) for m in read_mo(fh) if m.id}
    assert po == mo, "run: pybabel compile -d registry/translations"
