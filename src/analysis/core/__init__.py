"""Shared vocabularies and helpers: the 903 code lists, metric definitions, errors, periods."""
