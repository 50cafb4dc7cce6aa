"""Tables of a loaded model, read on access.

A saved model's tables (the passages with their text, the places) are columns of arrays
in the archive. A query process reads a handful of their rows: the cited passages, the
ranked places. These classes hand out rows straight from the stored arrays, so that
loading a model decodes no text and builds no DataFrame:

* :class:`TextColumn`: strings laid end to end in one UTF-16 buffer, decoded one at a time;
* :class:`CodedColumn`: few distinct strings (sources, titles, dates) and one code per row;
* :class:`StoredFrame`: a table of such columns; :meth:`StoredFrame.to_frame` builds the
  DataFrame the estimator's attribute holds, when someone asks for it
  (:class:`DeferredAttributes`).

Nothing here imports pandas until a DataFrame is built.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence

import numpy as np

__all__ = ["row_position", "TextColumn", "CodedColumn", "RaggedRows", "StoredFrame", "DeferredAttributes", "stored_table", "column_list"]

_ENCODING = "utf-16-le"
#: Items a :class:`TextColumn` decodes one by one before it decodes its whole text instead.
READS_BEFORE_DECODING = 20_000


def row_position(i, n: int, what: str) -> int:
    """Index ``i`` of a sequence of ``n`` rows as a position (negative counts from the end).

    Examples
    --------
    >>> row_position(-1, 3, "rows"), row_position(2, 3, "rows")
    (2, 2)
    >>> row_position(3, 3, "rows")
    Traceback (most recent call last):
    ...
    IndexError: rows index out of range
    """
    i = int(i)
    if i < 0:
        i += n
    if not 0 <= i < n:
        raise IndexError(f"{what} index out of range")
    return i


class TextColumn(Sequence):
    """Strings stored end to end as UTF-16 code units, with their offsets in characters.

    Item ``i`` is decoded on access from its code units. A character outside the Basic
    Multilingual Plane takes two units (a surrogate pair): :meth:`from_buffer` finds the
    pairs once (with numpy) and maps character offsets to unit offsets, so no text is
    decoded before it is read. :meth:`contains` searches the buffer itself.

    Examples
    --------
    >>> data = np.frombuffer("陶瓷醴陵".encode("utf-16-le"), dtype=np.uint8)
    >>> col = TextColumn.from_buffer(data, np.array([0, 2, 4]))
    >>> len(col), col[1], col[-2], col.tolist()
    (2, '醴陵', '陶瓷', ['陶瓷', '醴陵'])
    >>> col.contains("瓷醴"), col.contains("醴陵")    # a match across two items does not count
    (False, True)
    >>> wide = "𠀀x陶瓷".encode("utf-16-le")          # 𠀀: one character, two code units
    >>> col = TextColumn.from_buffer(np.frombuffer(wide, dtype=np.uint8), np.array([0, 2, 4]))
    >>> col.tolist(), col[1], col.contains("陶瓷"), col.contains("x陶")
    (['𠀀x', '陶瓷'], '陶瓷', True, False)
    """

    __slots__ = ("_data", "_offsets", "_units", "_text", "_n", "_reads")

    def __init__(self, data, offsets, text: str | None = None, *, units=None):
        self._data = data
        self._offsets = offsets
        self._units = offsets if units is None else units
        self._text = text
        self._n = len(offsets) - 1
        self._reads = 0

    @classmethod
    def from_buffer(cls, data: np.ndarray, offsets: np.ndarray) -> "TextColumn":
        """Wrap a UTF-16-LE buffer (as decoded with ``surrogatepass``) and its character offsets.

        Raises
        ------
        ValueError
            When the offsets do not start at 0, decrease, or do not end at the buffer's
            number of characters.
        """
        offsets = np.asarray(offsets, dtype=np.int64)
        if offsets.ndim != 1 or not len(offsets) or offsets[0] != 0 or bool(np.any(offsets[1:] < offsets[:-1])):
            raise ValueError("a text table does not match its offsets")
        if len(data) % 2:
            raise ValueError("a UTF-16 text table has an odd number of bytes")
        n_units = len(data) // 2
        if n_units == int(offsets[-1]):
            return cls(data, offsets)
        # a high surrogate followed by a low one decodes to one character (pairs cannot overlap)
        u = np.frombuffer(data, dtype="<u2")
        surrogates = np.flatnonzero((u & 0xF800) == 0xD800)             # few: scan them only
        high = surrogates[(u[surrogates] < 0xDC00) & (surrogates + 1 < len(u))]
        pairs = high[(u[high + 1] & 0xFC00) == 0xDC00]
        if n_units - len(pairs) != int(offsets[-1]):
            raise ValueError("a text table does not match its offsets")
        # character c starts at unit c + (pairs that start before character c)
        pair_chars = pairs - np.arange(len(pairs))
        units = offsets + np.searchsorted(pair_chars, offsets, side="left")
        return cls(data, offsets, units=units)

    @classmethod
    def from_strings(cls, values) -> "TextColumn":
        """A column over Python strings (their text joined once).

        Examples
        --------
        >>> TextColumn.from_strings(["陶瓷", "", "醴陵"])[2]
        '醴陵'
        """
        values = list(values)
        offsets = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum([len(v) for v in values], out=offsets[1:])
        return cls(None, offsets, "".join(values))

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        i = row_position(i, self._n, "TextColumn")
        if self._text is None:
            self._reads += 1
            if self._reads > READS_BEFORE_DECODING:
                self.text()         # heavy use (a batch citing many passages): decode all once
        if self._text is not None:
            return self._text[int(self._offsets[i]):int(self._offsets[i + 1])]
        a, b = int(self._units[i]), int(self._units[i + 1])
        return codecs.decode(self._data[2 * a:2 * b].tobytes(), _ENCODING, "surrogatepass")

    def __iter__(self):
        return iter(self.tolist())

    def text(self) -> str:
        """All items laid end to end (decoded once, then kept)."""
        if self._text is None:
            self._text = codecs.decode(memoryview(self._data), _ENCODING, "surrogatepass")
        return self._text

    def code_units(self) -> np.ndarray:
        """All items laid end to end as UTF-16 code units (the stored buffer itself when
        there is one: nothing is decoded or copied).

        Examples
        --------
        >>> TextColumn.from_strings(["陶瓷", "𠀀"]).code_units().tolist()
        [38518, 29943, 55360, 56320]
        """
        if self._data is not None:
            return np.frombuffer(self._data, dtype="<u2")
        return np.frombuffer(self._text.encode(_ENCODING, "surrogatepass"), dtype="<u2")

    def offsets(self) -> np.ndarray:
        """Where each item starts in :meth:`text` (and, last, where the text ends)."""
        return self._offsets

    def tolist(self) -> list[str]:
        """Every item, decoded at once."""
        s = self.text()
        o = self._offsets.tolist()
        return [s[a:b] for a, b in zip(o[:-1], o[1:])]

    def holding(self, word: str, rows) -> list[bool]:
        """Whether each of ``rows`` holds ``word``. Once the text is decoded, each row is
        searched in place (``str.find`` within its bounds, no slice copied).

        Examples
        --------
        >>> TextColumn.from_strings(["陶瓷产业", "醴陵", "日用陶瓷"]).holding("陶瓷", [2, 1, 0])
        [True, False, True]
        """
        if self._text is None:
            return [word in self[r] for r in rows]
        text, bounds = self._text, self._offsets
        return [text.find(word, int(bounds[r]), int(bounds[r + 1])) >= 0 for r in rows]

    def contains(self, word: str) -> bool:
        """Whether some item holds ``word`` (a match across the border of two items laid end
        to end does not count). The UTF-16 buffer is searched as it is stored, without
        decoding or copying it; the search is a regular expression's literal scan, a few
        times faster than ``str.find`` on CJK text."""
        if self._data is None or self._text is not None:
            haystack, needle, bounds, width = self.text(), word, self._offsets, 1
        else:
            haystack, needle, bounds, width = memoryview(self._data), word.encode(_ENCODING, "surrogatepass"), \
                self._units, 2
        pattern = re.compile(re.escape(needle))
        length = len(needle) // width
        found = pattern.search(haystack)
        while found is not None:
            i = found.start()
            if i % width == 0:                              # on a code unit, not inside one
                start = i // width
                k = int(np.searchsorted(bounds, start, side="right"))     # bounds[k - 1] <= start < bounds[k]
                if k < len(bounds) and start + length <= bounds[k]:
                    return True
            found = pattern.search(haystack, i + 1)
        return False

    def __repr__(self) -> str:
        return f"TextColumn({self._n} items)"


class CodedColumn(Sequence):
    """A column of few distinct values: the values once, and one code per row.

    Examples
    --------
    >>> col = CodedColumn(["a.txt", "b.txt"], np.array([0, 0, 1]))
    >>> len(col), col[2], col.tolist()
    (3, 'b.txt', ['a.txt', 'a.txt', 'b.txt'])
    """

    __slots__ = ("_values", "_codes")

    def __init__(self, values: list, codes: np.ndarray):
        self._values = values
        self._codes = codes

    def __len__(self) -> int:
        return len(self._codes)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self._values[int(self._codes[i])]

    def __iter__(self):
        return iter(self.tolist())

    def tolist(self) -> list:
        """Every row's value."""
        values = self._values
        return [values[c] for c in self._codes.tolist()]

    def __repr__(self) -> str:
        return f"CodedColumn({len(self)} rows, {len(self._values)} values)"


class RaggedRows(Sequence):
    """Rows of equal-length tuples of arrays (a place's passages and their weights), stored
    as concatenated arrays with row offsets; row ``i`` is a tuple of views, made on access.

    Examples
    --------
    >>> rows = RaggedRows(np.array([0, 2, 2, 3]), [np.array([5, 7, 9]), np.array([1.0, 0.5, 0.2])])
    >>> len(rows), rows[0][0].tolist(), rows[1][0].size, rows[-1][1].tolist()
    (3, [5, 7], 0, [0.2])
    >>> [idx.tolist() for idx, _ in rows]
    [[5, 7], [], [9]]
    """

    __slots__ = ("_offsets", "_parts")

    def __init__(self, offsets: np.ndarray, parts: list):
        self._offsets = np.asarray(offsets, dtype=np.int64)
        self._parts = list(parts)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = row_position(i, len(self), "RaggedRows")
        a, b = int(self._offsets[i]), int(self._offsets[i + 1])
        return tuple(p[a:b] for p in self._parts)

    def __repr__(self) -> str:
        return f"RaggedRows({len(self)} rows)"


class StoredFrame:
    """A table read from a model archive: named columns, each an array, a
    :class:`TextColumn`, a :class:`CodedColumn` or a list.

    Examples
    --------
    >>> t = StoredFrame({"name": ["醴陵市", "株洲市"], "n": np.array([3, 5])}, rows=2)
    >>> len(t), t.columns, t["name"][1]
    (2, ['name', 'n'], '株洲市')
    >>> t.to_frame()["n"].tolist()
    [3, 5]
    """

    def __init__(self, columns: dict, rows: int):
        self._columns = dict(columns)
        self._rows = int(rows)
        self._frame = None

    def __len__(self) -> int:
        return self._rows

    @property
    def columns(self) -> list[str]:
        """The column names, in order."""
        return list(self._columns)

    def __getitem__(self, name: str):
        return self._columns[name]

    def __contains__(self, name) -> bool:
        return name in self._columns

    def to_frame(self):
        """The table as a DataFrame (text as ``object`` columns); built once, then kept."""
        if self._frame is None:
            import pandas as pd

            data = {}
            for name, col in self._columns.items():
                if isinstance(col, (TextColumn, CodedColumn)):
                    # object columns: building pandas' Arrow-backed strings costs ~10x more
                    data[name] = pd.Series(col.tolist(), dtype=object)
                else:
                    data[name] = col
            self._frame = pd.DataFrame(data)
        return self._frame

    def __repr__(self) -> str:
        return f"StoredFrame({self._rows} rows: {', '.join(self._columns)})"


def column_list(table, name: str) -> Sequence:
    """A column of a :class:`StoredFrame` (as stored) or of a DataFrame (as a list).

    Examples
    --------
    >>> import pandas as pd
    >>> column_list(pd.DataFrame({"a": [1, 2]}), "a"), column_list(StoredFrame({"a": [1, 2]}, 2), "a")
    ([1, 2], [1, 2])
    """
    if isinstance(table, StoredFrame):
        return table[name]
    return table[name].tolist()


class DeferredAttributes:
    """Fitted attributes that a loaded estimator builds when first read.

    :func:`recommender.model.persistence.load_model` leaves a table attribute (such as
    ``passages_``) in its stored form; reading the attribute builds the DataFrame once and
    keeps it. Query code that needs only a few rows reads the stored form through
    :func:`stored_table`.
    """

    def __getattr__(self, name: str):
        deferred = self.__dict__.get("_deferred_attributes")
        if deferred and name in deferred:
            value = deferred[name].to_frame()
            self.__dict__[name] = value
            del deferred[name]
            return value
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def deferred_attributes(self) -> list[str]:
        """Names of the fitted attributes not built yet."""
        return list(self.__dict__.get("_deferred_attributes") or ())

    def resolve_deferred(self) -> None:
        """Build every deferred attribute (before pickling, say)."""
        for name in self.deferred_attributes():
            getattr(self, name)


def stored_table(model, name: str):
    """A model's table attribute, as stored when it was not built yet, else the DataFrame.

    Examples
    --------
    >>> class M(DeferredAttributes):
    ...     pass
    >>> m = M(); m._deferred_attributes = {"t_": StoredFrame({"a": [1]}, 1)}
    >>> type(stored_table(m, "t_")).__name__, m.deferred_attributes()
    ('StoredFrame', ['t_'])
    >>> m.t_["a"].tolist(), m.deferred_attributes()
    ([1], [])
    """
    deferred = model.__dict__.get("_deferred_attributes")
    if deferred and name in deferred:
        return deferred[name]
    return getattr(model, name)
