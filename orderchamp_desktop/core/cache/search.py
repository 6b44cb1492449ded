"""Full-text search helpers: safe FTS5 queries from any user text, extra terms for numbers.

The query builder mirrors SQLite's ``unicode61`` tokenizer (letters, digits, marks and
private-use characters are token characters; everything else separates), so what the user
types is cut into the same tokens the index holds. Each whitespace-separated word becomes a
quoted phrase with a prefix star, and the words are ANDed: FTS5 operators, quotes, stars,
column filters and emoji in the input are never interpreted as syntax.
"""

from __future__ import annotations

import re
import unicodedata

MAX_QUERY_CHARS = 200
MAX_WORDS = 12
_DIGIT_RUN = re.compile(r"\d+")


def _is_token_char(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LNM" or category == "Co"


def _tokens(word: str) -> list[str]:
    tokens: list[str] = []
    current: list[str] = []
    for char in word:
        if _is_token_char(char):
            current.append(char)
        elif current:
            tokens.append("".join(current))
            current = []
    if current:
        tokens.append("".join(current))
    return tokens


def match_query(text: str | None) -> str | None:
    """An FTS5 MATCH expression for ``text``, or None when it holds nothing searchable."""
    if not text:
        return None
    phrases: list[str] = []
    for word in text[:MAX_QUERY_CHARS].split():
        tokens = _tokens(word)
        if tokens:
            phrases.append('"' + " ".join(tokens) + '"*')
        if len(phrases) == MAX_WORDS:
            break
    return " AND ".join(phrases) or None


def index_terms(value: object) -> str | None:
    """Text to index for an order number or reference: the value plus its bare numbers.

    "#ORD001234" is indexed as "#ORD001234 001234 1234" so typing 1234 finds it.
    """
    if value is None:
        return None
    text = str(value)
    extra: list[str] = []
    for run in _DIGIT_RUN.findall(text):
        extra.append(run)
        stripped = run.lstrip("0")
        if stripped and stripped != run:
            extra.append(stripped)
    return " ".join([text, *extra]) if extra else text
