"""Headline sentences built from computed figures, never typed by hand."""

from __future__ import annotations


def change_words(now: float, before: float, noun: str = "") -> str:
    """'12 fewer', '3 more' or 'the same number', for counts (small changes are not suppressed:
    a change is not a count of children)."""
    diff = round(now - before)
    if diff == 0:
        return "the same number"
    word = "more" if diff > 0 else "fewer"
    return f"{abs(diff):,} {word}{(' ' + noun) if noun else ''}"
