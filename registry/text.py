"""Search that ignores case and Vietnamese diacritics ("buoi nam roi" finds "Bưởi Năm Roi")."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def search_key(text: str) -> str:
    """Lower-case, diacritics removed (đ → d), single spaces."""
    text = unicodedata.normalize("NFD", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", text.lower()).strip()
