"""Make the embedded SQLite database compare letters the way PostgreSQL does.

SQLite's LIKE folds the case of ASCII letters only, so ``istartswith("андрей")`` would not find "Андрей";
the registry is in Kazakh and Russian. On each new SQLite connection, LIKE is replaced by a Python
function that folds case for every alphabet. PostgreSQL (production) needs nothing.
"""

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def _pattern(like: str, escape: str | None) -> re.Pattern:
    parts, i = [], 0
    while i < len(like):
        char = like[i]
        if escape and char == escape and i + 1 < len(like):
            parts.append(re.escape(like[i + 1]))
            i += 2
            continue
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        i += 1
    return re.compile("".join(parts), re.DOTALL | re.IGNORECASE)


def unicode_like(like, value, escape=None):
    if like is None or value is None:
        return None
    return _pattern(like, escape).fullmatch(str(value)) is not None


def install(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("like", 2, unicode_like, deterministic=True)
        connection.connection.create_function("like", 3, unicode_like, deterministic=True)
