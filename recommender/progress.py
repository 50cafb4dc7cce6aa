"""A progress bar on a terminal: tqdm on stderr when stderr is a TTY and tqdm is installed."""

from __future__ import annotations

import sys

__all__ = ["terminal_progress"]


def terminal_progress(total: int | None, *, unit: str, desc: str | None = None):
    """Return a tqdm bar on stderr, or None when stderr is not a terminal or tqdm is missing
    (extra ``recommender[progress]``).

    Examples
    --------
    >>> terminal_progress(10, unit="passage") is None   # doctest output is not a terminal
    True
    """
    try:
        if not sys.stderr.isatty():
            return None
        from tqdm import tqdm
    except (ImportError, AttributeError, ValueError):
        return None
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True, leave=False)
