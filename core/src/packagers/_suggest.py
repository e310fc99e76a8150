"""The one "did you mean" of every error about a misspelt name, so they all read alike."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["close_names", "did_you_mean", "suggestion"]


def close_names(
    word: str, known: Iterable[str], *, limit: int = 1, cutoff: float = 0.6
) -> list[str]:
    """The known names closest to ``word``, best first (difflib, imported only on error paths)."""
    import difflib

    return difflib.get_close_matches(word, list(known), n=limit, cutoff=cutoff)


def did_you_mean(word: str, known: Iterable[str], *, limit: int = 1, cutoff: float = 0.6) -> str:
    """``"; did you mean 'clean'?"`` (or ``'a' or 'b'``) to end an error message, or ``""``."""
    return suggestion(close_names(word, known, limit=limit, cutoff=cutoff))


def suggestion(names: Iterable[str]) -> str:
    """``"; did you mean 'a' or 'b'?"`` for names found some other way, or ``""`` for none."""
    quoted = [repr(name) for name in names]
    return f"; did you mean {' or '.join(quoted)}?" if quoted else ""
