"""Checks of call parameters shared by the estimator and the batch layer."""

from __future__ import annotations

import numpy as np

from recommender.exceptions import InputError

__all__ = ["check_k"]


def check_k(value, name: str, low: int = 1) -> None:
    """Refuse a ``top_k``/``evidence_k`` that is not an integer between ``low`` and 10000.

    Examples
    --------
    >>> check_k(5, "top_k")
    >>> check_k(0, "top_k")
    Traceback (most recent call last):
    ...
    recommender.exceptions.InputError: top_k must be an integer between 1 and 10000, got 0
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= 10_000:
        raise InputError(f"{name} must be an integer between {low} and 10000, got {value!r}")
