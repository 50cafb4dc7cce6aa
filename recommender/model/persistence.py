"""Saving and loading fitted models as plain data: arrays and JSON in one uncompressed
archive, a JSON manifest beside it, atomic writes, and checks before anything is read.

A model ``hunan.model`` is a ZIP archive (stored, not compressed) that holds

* ``model.json``: the estimator's class, its parameters and one entry per fitted
  attribute (every attribute whose name ends in ``_``) saying how it was stored;
* ``<attribute>.*.npy``: the arrays (numeric or fixed-width text, never ``object``), such
  as the data, indices and index pointers of the CSR matrices and the float32 idf weights;
* ``runtime.<table>.*.npy``: query tables the estimator saves besides its fitted attributes
  (the transposed matrices a query multiplies by), so that a query process maps them
  instead of computing them.

The manifest ``hunan.model.manifest.json`` beside it records the schema version, the
versions of the library, scikit-learn and jieba, the parameters, and the SHA-256 and size
of the archive and of every member in it. ``load_model`` checks the manifest and the size
of the archive, that it is an uncompressed archive with exactly the listed members, and
that no array has the ``object`` type. Every array is read from one read-only memory map
of the archive after its ``.npy`` header is checked (never with pickle): small arrays are
copied out, large ones stay read-only views (so that worker processes share the pages).
The archive's SHA-256 is computed over the same map in a thread while the arrays are read
(reading is safe on any bytes); the model is returned, or any other error reported, only
after the hash has matched.

Nothing on the load path unpickles: a model file is data and cannot run code, whoever
wrote it. The manifest checks catch accidents (a truncated copy, a flipped byte, a stale
or foreign file).

How an attribute is stored depends on its type (see :func:`encode_value`): arrays and
sparse matrices as arrays; a DataFrame column by column (numbers as arrays, text as one
UTF-16 string with offsets, text with few distinct values as those values and codes, other
plain values as JSON; text comes back as ``object`` columns, and a loaded model builds a
table attribute's DataFrame only when the attribute is first read: until then its rows are
read from the stored arrays, see :mod:`recommender.model.stored`); plain ``dict``/``list`` values
as JSON, a long list one JSON document per item, read on access (:class:`JsonRows`);
a list of equal-length tuples of arrays as concatenated arrays with offsets; the tokenizer
as its settings plus its prefix dictionary; the TF-IDF index as its vocabulary and idf
weights; the gazetteer and the taxonomy as a reference to the bundled tables (with their
checksum) or, when custom, as their tables. Any other type fails at save with a message
that names the attribute.
"""

from __future__ import annotations

import codecs
import gc
import hashlib
import io
import itertools
import json
import logging
import mmap
import os
import struct
import tempfile
import threading
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from recommender.exceptions import ModelError
from recommender.model.stored import (CodedColumn, DeferredAttributes, RaggedRows, StoredFrame, TextColumn,
                                     row_position)

logger = logging.getLogger(__name__)

__all__ = ["SCHEMA_VERSION", "save_model", "load_model", "manifest_path", "read_manifest",
           "encode_value", "code_fingerprint"]

#: Bump when the stored layout changes in a way older files cannot satisfy
#: (3: the index also holds the query tables, ``runtime``).
SCHEMA_VERSION = 3
_MAGIC = "recommender-model"
_INDEX = "model.json"
#: Prefix of the members that hold query tables saved with the model (not fitted attributes).
_RUNTIME = "runtime"
_ZIP_MAGIC = b"PK\x03\x04"
#: A manifest is a few hundred kilobytes at most; anything much larger is not one of ours.
MAX_MANIFEST_BYTES = 4 << 20
#: Lists of plain values at least this long are stored one JSON document per item, read on access.
JSON_ROWS_MIN = 1000
#: Lists of strings at least this long are decoded once when a model stores them twice.
_SHARED_STRINGS_MIN = 1000
#: Arrays at least this large are memory-mapped instead of read into memory.
MMAP_MIN_BYTES = 1 << 20
#: Array data starts on this boundary inside the archive (so that memory-mapped views are aligned).
_ALIGN = 64
#: An ``.npy`` header is at most this long (format 2.0 allows 4 GiB, but ours are short).
_MAX_NPY_HEADER = 1 << 16
_PAD_HEADER_ID = 0xD935
_TEXT_ENCODING = "utf-16-le"
_REFIT = "refit with 'recommender fit'"


def manifest_path(path) -> Path:
    """Return the manifest path that belongs to a model file.

    Examples
    --------
    >>> manifest_path("models/hunan.model").name
    'hunan.model.manifest.json'
    """
    path = Path(path)
    return path.with_name(path.name + ".manifest.json")


def _versions() -> dict[str, str]:
    """Versions of the libraries a model depends on (read from package metadata, so that
    checking a model does not import scikit-learn)."""
    from importlib import metadata

    import recommender

    out = {"recommender": recommender.__version__}
    for lib in ("scikit-learn", "jieba"):
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:  # pragma: no cover - depends on the environment
            out[lib] = "unknown"
    return out


def code_fingerprint() -> str:
    """SHA-256 over the package's source files and bundled data (what a fit depends on).

    Two installs with the same version but edited code or tables get different
    fingerprints, so a cached model can tell it is stale.
    """
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for f in sorted(root.rglob("*")):
        if f.is_file() and f.suffix in {".py", ".csv", ".txt", ".json"} and "__pycache__" not in f.parts:
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _tmp_path(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    os.close(fd)
    return Path(tmp)


def _plain_json(value) -> bool:
    """Whether ``value`` is JSON made of str/int/float/bool/None, lists, tuples and str-keyed dicts."""
    stack = [value]
    while stack:
        v = stack.pop()
        if v is None or isinstance(v, (str, bool, int, float)) and not isinstance(v, np.generic):
            continue
        if isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, dict):
            if not all(isinstance(k, str) for k in v):
                return False
            stack.extend(v.values())
        else:
            return False
    return True


# ---------------------------------------------------------------------------- encoding
class _Encoder:
    """Turns fitted attributes into JSON entries plus named arrays."""

    def __init__(self, sink=None):
        # arrays go to ``sink(name, array)`` as they are produced (a save streams them into
        # the archive, never holding all of them); without a sink they are collected
        self._sink = sink
        self.arrays: dict[str, np.ndarray] = {}
        self._names: set[str] = set()
        self._seen: dict[int, str] = {}
        self._alive: list = []  # keeps encoded objects alive so that their ids stay unique

    def array(self, key: str, arr) -> str:
        arr = arr if isinstance(arr, _EncodedText) else np.asarray(arr)
        if arr.dtype.hasobject:
            raise ModelError(f"cannot save {key}: an array of Python objects is not plain data")
        name = f"{key}.npy"
        if name in self._names or name == _INDEX:
            raise ModelError(f"cannot save {key}: two arrays would share the name {name}")
        self._names.add(name)
        if self._sink is None:
            self.arrays[name] = arr.to_array() if isinstance(arr, _EncodedText) else np.ascontiguousarray(arr)
        else:
            self._sink(name, arr if isinstance(arr, _EncodedText) else np.ascontiguousarray(arr))
        return name

    def strings(self, key: str, values) -> dict:
        values = [str(v) for v in values]
        lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
        offsets = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        # UTF-16 is a third smaller than UTF-8 for Chinese text and decodes faster; a save
        # writes it a block at a time (never the whole text joined and encoded at once)
        return {"kind": "strings", "encoding": _TEXT_ENCODING,
                "text": self.array(key + ".text", _EncodedText(values)),
                "offsets": self.array(key + ".offsets", offsets)}

    def encode(self, key: str, value) -> dict:
        """Return the JSON entry for ``value`` (its arrays go to the sink or ``self.arrays``)."""
        import scipy.sparse as sp

        if value is None or isinstance(value, (str, bool, int, float)) and not isinstance(value, np.generic):
            return {"kind": "json", "value": value}
        if isinstance(value, np.generic):
            if value.dtype.hasobject:
                raise _unsupported(key, value)
            return {"kind": "scalar", "dtype": value.dtype.str, "value": value.item()}
        seen = self._seen.get(id(value))
        if seen is not None:
            return {"kind": "ref", "to": seen}
        self._seen[id(value)] = key
        self._alive.append(value)
        handler = _handler_for(value)
        if handler is not None:
            return handler(self, key, value)
        if isinstance(value, np.ndarray):
            if value.dtype.hasobject:
                if all(isinstance(v, str) for v in value.ravel().tolist()) and value.ndim == 1:
                    return {**self.strings(key, value.tolist()), "as": "object_array"}
                raise _unsupported(key, value, "an object array that is not all text")
            return {"kind": "array", "array": self.array(key, value)}
        if sp.issparse(value):
            fmt = value.format if value.format in ("csr", "csc") else "csr"
            m = value.asformat(fmt)
            return {"kind": "sparse", "format": fmt, "container": "array" if isinstance(value, sp.sparray) else "matrix",
                    "shape": [int(s) for s in m.shape], "data": self.array(key + ".data", m.data),
                    "indices": self.array(key + ".indices", m.indices),
                    "indptr": self.array(key + ".indptr", m.indptr), "sorted": bool(m.has_sorted_indices)}
        if _is_dataframe(value):
            return self._frame(key, value)
        if isinstance(value, RaggedRows):  # rows of a loaded model, read on access
            value = list(value)
        if isinstance(value, (list, tuple)) and value and all(
                isinstance(v, tuple) and v and all(isinstance(a, np.ndarray) and a.ndim == 1 for a in v)
                for v in value) and len({len(v) for v in value}) == 1:
            return self._ragged(key, value)
        if isinstance(value, JsonRows):
            value = list(value)
        if isinstance(value, list) and len(value) >= JSON_ROWS_MIN and _plain_json(value):
            # one JSON document per item, read on access: a long per-passage list costs
            # nothing at load
            return {**self.strings(key, [json.dumps(v, ensure_ascii=False) for v in value]), "kind": "json_rows"}
        if isinstance(value, (list, tuple, dict)) and _plain_json(value):
            return {"kind": "json", "value": value, "tuple": isinstance(value, tuple)}
        raise _unsupported(key, value)

    def _ragged(self, key: str, value) -> dict:
        width = len(value[0])
        lengths = [len(v[0]) for v in value]
        if any(len(a) != n for v, n in zip(value, lengths) for a in v):
            raise _unsupported(key, value, "a list of array tuples whose arrays differ in length")
        offsets = np.zeros(len(value) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        parts = [self.array(f"{key}.{k}", np.concatenate([v[k] for v in value])) for k in range(width)]
        return {"kind": "ragged", "offsets": self.array(key + ".offsets", offsets), "parts": parts}

    def _frame(self, key: str, df) -> dict:
        import pandas as pd

        if not isinstance(df.index, pd.RangeIndex) or df.index.start != 0 or df.index.step != 1:
            raise _unsupported(key, df, "a DataFrame whose index is not 0..n-1 (reset_index it)")
        columns = []
        for col in df.columns:
            if not isinstance(col, str):
                raise _unsupported(key, df, f"a DataFrame with a non-text column name {col!r}")
            series = df[col]
            ckey = f"{key}.{col}"
            if series.dtype.kind in "biuf":
                columns.append({"name": col, "kind": "array", "array": self.array(ckey, series.to_numpy())})
                continue
            values = series.tolist()
            if series.dtype.kind not in "OT" and not pd.api.types.is_string_dtype(series.dtype):
                raise _unsupported(key, df, f"column {col!r} of type {series.dtype}")
            if all(isinstance(v, str) for v in values):
                categories = dict.fromkeys(values)
                if len(values) >= 1000 and len(categories) * 4 <= len(values):
                    # few distinct values (sources, titles, dates): store each once and codes
                    code_of = {v: i for i, v in enumerate(categories)}
                    codes = np.fromiter((code_of[v] for v in values), dtype=np.int32, count=len(values))
                    columns.append({"name": col, **self.strings(ckey, list(categories)), "kind": "categories",
                                    "codes": self.array(ckey + ".codes", codes)})
                else:
                    columns.append({"name": col, **self.strings(ckey, values)})
            elif _plain_json(values):
                columns.append({"name": col, "kind": "json", "value": values,
                                "tuples": bool(values) and all(isinstance(v, tuple) for v in values)})
            else:
                raise _unsupported(key, df, f"column {col!r} holds values that are not plain data")
        return {"kind": "frame", "rows": int(len(df)), "columns": columns}


class _EncodedText:
    """Strings laid end to end in ``_TEXT_ENCODING``, stored as a 1-d ``uint8`` array and
    encoded a block of strings at a time: the size is counted in a first pass, the bytes
    are produced as they are written.

    Examples
    --------
    >>> t = _EncodedText(["陶瓷", "产业"])
    >>> t.nbytes, t.to_array().tobytes().decode(_TEXT_ENCODING)
    (8, '陶瓷产业')
    """

    dtype = np.dtype(np.uint8)
    #: Strings encoded together (a few megabytes of passage text).
    BLOCK = 4096

    def __init__(self, values: list):
        self._values = values
        self.nbytes = sum(len(b) for b in self.blocks())

    def blocks(self):
        """The encoded bytes, a block of strings at a time."""
        values = self._values
        for i in range(0, len(values), self.BLOCK):
            yield "".join(values[i:i + self.BLOCK]).encode(_TEXT_ENCODING, "surrogatepass")

    def to_array(self) -> np.ndarray:
        """All the bytes as one array."""
        return np.frombuffer(b"".join(self.blocks()), dtype=np.uint8)


class JsonRows(Sequence):
    """A read-only list whose items are JSON documents decoded on access (as lists and dicts).

    What a long list of plain values (one item per passage, say) becomes when a model is
    loaded: nothing is parsed until an item is read.

    Examples
    --------
    >>> rows = JsonRows('[["ENV", "环保"]][]', [0, 15, 17])
    >>> len(rows), rows[0], rows[-1], rows == [[["ENV", "环保"]], []]
    (2, [['ENV', '环保']], [], True)
    """

    def __init__(self, text, offsets):
        # ``text`` is the documents laid end to end (with their ``offsets``), or a
        # TextColumn of them (offsets None): a saved model's, decoded one item at a time
        self._column = text if isinstance(text, TextColumn) else None
        self._text = text
        self._offsets = text.offsets() if self._column is not None else offsets

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = row_position(i, len(self), "JsonRows")
        if self._column is not None:
            return json.loads(self._column[i])
        return json.loads(self._text[self._offsets[i]:self._offsets[i + 1]])

    def __eq__(self, other) -> bool:
        if isinstance(other, (list, tuple, JsonRows)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"JsonRows({len(self)} items)"


def _is_dataframe(value) -> bool:
    import sys

    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(value, pd.DataFrame)


def _unsupported(key: str, value, what: str | None = None) -> ModelError:
    what = what or f"values of type {type(value).__module__}.{type(value).__qualname__}"
    return ModelError(f"cannot save the fitted attribute {key!r}: the model format does not store {what}; "
                      "give it a plain type (array, sparse matrix, DataFrame, JSON values) or add a handler "
                      "in recommender/model/persistence.py")


# --------------------------------------------------------------- handlers for our types
def _handler_for(value):
    """The encoder for one of the library's own classes (checked by exact type)."""
    from recommender.knowledge.gazetteer import Gazetteer
    from recommender.knowledge.tagging import IndustryTagger
    from recommender.knowledge.taxonomy import Taxonomy
    from recommender.model.tfidf import TfidfIndex
    from recommender.text.tokenizer import Tokenizer

    return {Tokenizer: _encode_tokenizer, TfidfIndex: _encode_tfidf, Gazetteer: _encode_gazetteer,
            Taxonomy: _encode_taxonomy, IndustryTagger: _encode_tagger}.get(type(value))


def _encode_tokenizer(enc: _Encoder, key: str, tok) -> dict:
    entry = {"kind": "tokenizer", "user_words": list(tok.user_words), "stopwords": sorted(tok.stopwords),
             "backend": tok.backend, "hmm": bool(tok.hmm)}
    if tok.backend == "jieba":
        words, freqs, total = tok.prefix_dictionary()
        entry["dictionary"] = {"words": enc.strings(key + ".dictionary", words),
                               "freq": enc.array(key + ".dictionary.freq", np.asarray(freqs, dtype=np.int64)),
                               "total": int(total)}
    return entry


def _encode_tfidf(enc: _Encoder, key: str, index) -> dict:
    return {"kind": "tfidf", "tokenizer": enc.encode(key + ".tokenizer", index.tokenizer),
            "feature_names": enc.strings(key + ".feature_names", list(index.feature_names)),
            "idf": enc.array(key + ".idf", index.idf_), "sublinear_tf": index.sublinear_tf, "norm": index.norm}


def _bundled_checksum(paths) -> str:
    h = hashlib.sha256()
    for p in paths:
        p = Path(p)
        h.update(p.name.encode())
        h.update(p.read_bytes() if p.exists() else b"")
    return h.hexdigest()


def _bundled_gazetteer_files():
    from recommender.knowledge.gazetteer import DATA_DIR

    return [DATA_DIR / "entities.csv", DATA_DIR / "ambiguous_surfaces.csv"]


def _bundled_taxonomy_files():
    from recommender.knowledge.taxonomy import data_path

    return [data_path("taxonomy.csv"), data_path("false_friends.csv"), data_path("catalogue_labels.csv")]


def _encode_gazetteer(enc: _Encoder, key: str, gaz) -> dict:
    if gaz.bundled:
        return {"kind": "gazetteer", "bundled": True, "sha256": _bundled_checksum(_bundled_gazetteer_files())}
    import pandas as pd

    amb = pd.DataFrame({"surface": list(gaz._preferred), "preferred": list(gaz._preferred.values())})
    return {"kind": "gazetteer", "bundled": False,
            "entities": enc.encode(key + ".entities", gaz.entities.reset_index(drop=True)),
            "ambiguous": enc.encode(key + ".ambiguous", amb)}


def _encode_taxonomy(enc: _Encoder, key: str, tax) -> dict:
    if tax.bundled:
        return {"kind": "taxonomy", "bundled": True, "sha256": _bundled_checksum(_bundled_taxonomy_files())}
    import pandas as pd

    tags = tax.tags.reset_index(drop=True).copy()
    for col in tags.columns:
        tags[col] = ["|".join(v) if isinstance(v, (list, tuple)) else v for v in tags[col]]
    ff = pd.DataFrame({"string": list(tax.false_friends),
                       "codes": ["|".join(c) for c in tax.false_friends.values()]})
    cat = pd.DataFrame({"label": list(tax._catalogue), "codes": ["|".join(c) for c in tax._catalogue.values()]})
    return {"kind": "taxonomy", "bundled": False, "tags": enc.encode(key + ".tags", tags),
            "false_friends": enc.encode(key + ".false_friends", ff), "catalogue": enc.encode(key + ".catalogue", cat)}


def _encode_tagger(enc: _Encoder, key: str, tagger) -> dict:
    return {"kind": "tagger", "taxonomy": enc.encode(key + ".taxonomy", tagger.taxonomy),
            "window": tagger.window, "governance_weight": tagger.governance_weight,
            "neutral_weight": tagger.neutral_weight, "parent_share": tagger.parent_share}


def encode_value(key: str, value) -> tuple[dict, dict[str, np.ndarray]]:
    """Return how ``value`` would be stored: its JSON entry and its arrays by member name.

    Raises
    ------
    ModelError
        When the value (or a part of it) has a type the model format does not store.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> entry, arrays = encode_value("X_", sp.csr_matrix(np.eye(2, dtype=np.float32)))
    >>> entry["kind"], sorted(arrays)
    ('sparse', ['X_.data.npy', 'X_.indices.npy', 'X_.indptr.npy'])
    >>> encode_value("f_", lambda x: x)
    Traceback (most recent call last):
    ...
    recommender.exceptions.ModelError: cannot save the fitted attribute 'f_': the model format does not store values of type builtins.function; give it a plain type (array, sparse matrix, DataFrame, JSON values) or add a handler in recommender/model/persistence.py
    """
    enc = _Encoder()
    entry = enc.encode(key, value)
    return entry, enc.arrays


def fitted_attributes(model) -> list[str]:
    """Names of the fitted attributes of ``model``: public names that end in ``_`` (with
    those a loaded model has not built yet, see :class:`~recommender.model.stored.DeferredAttributes`)."""
    names = [k for k in vars(model) if k.endswith("_") and not k.startswith("_")]
    return names + [k for k in (vars(model).get("_deferred_attributes") or ()) if k not in names]


# ----------------------------------------------------------------------------- writing
def _npy_parts(arr) -> tuple[Iterable, int]:
    """The ``.npy`` header and the raw data of a C-contiguous array (no copy of the data),
    or of an :class:`_EncodedText` (its blocks, produced as they are written); and their
    size in bytes."""
    if isinstance(arr, _EncodedText):
        d = {"descr": np.lib.format.dtype_to_descr(arr.dtype), "fortran_order": False, "shape": (arr.nbytes,)}
    else:
        d = np.lib.format.header_data_from_array_1_0(arr)
    head = io.BytesIO()
    try:
        np.lib.format.write_array_header_1_0(head, d)
    except ValueError:
        head = io.BytesIO()
        np.lib.format.write_array_header_2_0(head, d)
    header = head.getvalue()
    if isinstance(arr, _EncodedText):
        return itertools.chain([header], arr.blocks()), len(header) + arr.nbytes
    return [header, arr.reshape(-1).view(np.uint8)], len(header) + arr.nbytes


def _write_member(zf: zipfile.ZipFile, fh, name: str, data) -> dict:
    """Write a stored member (bytes, or an array as ``.npy``) whose data starts on an
    ``_ALIGN`` boundary in the file; return its size and SHA-256."""
    parts, size = _npy_parts(data) if isinstance(data, (np.ndarray, _EncodedText)) else ([data], len(data))
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    info.file_size = size
    raw_name = name.encode("utf-8")
    start = fh.tell() + 30 + len(raw_name)
    pad = (-(start + 4)) % _ALIGN
    info.extra = struct.pack("<HH", _PAD_HEADER_ID, pad) + b"\x00" * pad
    h = hashlib.sha256()
    written = 0
    with zf.open(info, "w") as dest:
        for part in parts:
            dest.write(part)
            h.update(part)
            written += len(part)
    if written != size:
        raise ModelError(f"cannot save {name}: {written} bytes written where {size} were announced")
    return {"sha256": h.hexdigest(), "bytes": size}


def save_model(model, path) -> Path:
    """Write ``model`` to ``path`` (an uncompressed archive of arrays and JSON) and its
    manifest beside it, atomically.

    Both files are first written completely under temporary names in the target
    directory (and synced); only then are they renamed over the old pair, model first.
    A crash or error while writing leaves the old model and manifest untouched; the
    only window is between the two renames, and there the old manifest refuses the new
    model by its hash (refit or save again), never a half-written file.

    Raises
    ------
    ModelError
        ``path`` is a directory, or a fitted attribute has a type the format does not store
        (the message names it).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from recommender import Recommender, load_sample_corpus
    >>> rec = Recommender().fit(load_sample_corpus())
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.model"
    >>> _ = save_model(rec, path)
    >>> sorted(p.name for p in path.parent.iterdir())
    ['m.model', 'm.model.manifest.json']
    """
    path = Path(path)
    if path.is_dir():
        raise ModelError(f"cannot save the model to {path}: it is a directory; give a file name such as "
                         f"{path / 'model.model'}")
    params = model.get_params(deep=False)
    if not _plain_json(params):
        bad = sorted(k for k, v in params.items() if not _plain_json(v))
        raise ModelError(f"cannot save the model: parameter(s) {', '.join(bad)} are not plain values")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_model = tmp_manifest = None
    contents: dict[str, dict] = {}
    try:
        tmp_model = _tmp_path(path)
        with open(tmp_model, "wb") as fh:
            with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
                def sink(name, arr):
                    contents[name] = _write_member(zf, fh, name, arr)

                enc = _Encoder(sink)
                attributes = {name: enc.encode(name, getattr(model, name)) for name in fitted_attributes(model)}
                index = {"format": _MAGIC, "schema_version": SCHEMA_VERSION, "class": type(model).__name__,
                         "params": params, "attributes": attributes, "runtime": _encode_runtime(model, sink)}
                data = json.dumps(index, ensure_ascii=False, sort_keys=False).encode("utf-8")
                contents[_INDEX] = _write_member(zf, fh, _INDEX, data)
            fh.flush()
            os.fsync(fh.fileno())
        manifest = {
            "format": _MAGIC,
            "schema_version": SCHEMA_VERSION,
            "class": type(model).__name__,
            "versions": _versions(),
            "code_fingerprint": code_fingerprint(),
            "params": params,
            "files": {path.name: {"sha256": _sha256(tmp_model), "bytes": tmp_model.stat().st_size}},
            "contents": contents,
            "summary": _summary(model),
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
        mpath = manifest_path(path)
        tmp_manifest = _tmp_path(mpath)
        with open(tmp_manifest, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_model, path)
        tmp_model = None
        os.replace(tmp_manifest, mpath)
        tmp_manifest = None
    finally:
        for tmp in (tmp_model, tmp_manifest):
            if tmp is not None:
                try:
                    tmp.unlink()
                except OSError:
                    pass
    logger.info("saved model to %s", path)
    return path


def _encode_runtime(model, sink) -> dict:
    """Entries for the query tables the model offers to save (``_saved_runtime_tables``),
    written one at a time so that only one is held at once."""
    tables = getattr(model, "_saved_runtime_tables", None)
    out = {}
    for name, value in (tables() if tables is not None else ()):
        out[name] = _Encoder(sink).encode(f"{_RUNTIME}.{name}", value)
        del value
    return out


def _summary(model) -> dict:
    out = {}
    for key, attr in (("passages", "passages_"), ("places", "entity_ids_")):
        if hasattr(model, attr):
            out[key] = int(len(getattr(model, attr)))
    if hasattr(model, "vocabulary_size_"):
        out["terms"] = int(model.vocabulary_size_)
    return out


# ----------------------------------------------------------------------------- reading
def read_manifest(path) -> dict:
    """Read and check the manifest of a model file (the model itself is not read).

    Raises
    ------
    ModelError
        Missing model or manifest, unreadable manifest, or a manifest of another format.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"no model file at {path}: run 'recommender fit' (or Recommender().fit(...).save(path)) first")
    mpath = manifest_path(path)
    if not mpath.is_file():
        raise ModelError(f"{path} has no manifest ({mpath.name}); it is not a model saved by recommender: {_REFIT}")
    try:
        if mpath.stat().st_size > MAX_MANIFEST_BYTES:
            raise ModelError(f"{mpath} is too large to be a model manifest; {_REFIT}")
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, ModelError):
            raise
        raise ModelError(f"the manifest {mpath} is unreadable ({exc.__class__.__name__}); {_REFIT}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != _MAGIC:
        raise ModelError(f"{mpath} is not a recommender model manifest; {_REFIT}")
    return manifest


def _check_manifest(path: Path, manifest: dict) -> dict:
    schema = manifest.get("schema_version")
    if type(schema) is not int or schema != SCHEMA_VERSION:
        raise ModelError(f"{path} uses model schema {schema!r}, this library reads schema {SCHEMA_VERSION}: {_REFIT}")
    ours = _versions()
    theirs = manifest.get("versions")
    if not isinstance(theirs, dict):
        raise ModelError(f"the manifest of {path} lists no library versions; {_REFIT}")
    for lib in ("recommender", "scikit-learn", "jieba"):
        if theirs.get(lib) != ours[lib]:
            raise ModelError(f"{path} was saved with {lib} {theirs.get(lib)}, this is {lib} {ours[lib]}: {_REFIT}")
    files = manifest.get("files")
    expected = files.get(path.name) if isinstance(files, dict) else None
    if not isinstance(expected, dict):
        raise ModelError(f"the manifest of {path} does not describe this file (renamed?); {_REFIT}")
    contents = manifest.get("contents")
    if not isinstance(contents, dict) or not all(isinstance(v, dict) for v in contents.values()):
        raise ModelError(f"the manifest of {path} does not list the archive's contents; {_REFIT}")
    return expected


def load_model(path, expected_class=None):
    """Load a model saved by :func:`save_model` after checking its manifest and hash.

    Nothing is unpickled: the archive's index is JSON and its arrays are read with
    ``allow_pickle=False`` (or memory-mapped after their headers are checked).

    Raises
    ------
    ModelError
        The file is missing, changed, truncated, from another schema or library version,
        not a model archive, or a model of another class.
    """
    path = Path(path)
    manifest = read_manifest(path)
    expected = _check_manifest(path, manifest)
    size = path.stat().st_size
    if size != expected.get("bytes"):
        raise ModelError(f"{path} has {size} bytes but its manifest says {expected.get('bytes')}: the file is "
                         f"truncated or changed; {_REFIT}")
    # one read-only map of the file serves the hash and the arrays. The hash is computed in a
    # thread, in one call over the whole map (hashlib releases the GIL for all of it, so the
    # thread never competes with the reading for the interpreter), while the arrays are read:
    # reading is safe on any bytes (no unpickling), and nothing is returned, nor any other
    # error reported, before the hash has been compared
    with open(path, "rb") as fh:
        try:
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (ValueError, OSError) as exc:
            raise ModelError(f"cannot read {path} ({exc}); {_REFIT}") from None
    if len(mapped) != size:
        raise ModelError(f"{path} changed while it was opened; load it again")
    hashed: dict[str, str] = {}
    hasher = threading.Thread(target=lambda: hashed.update(sha256=hashlib.sha256(mapped).hexdigest()), daemon=True)
    hasher.start()

    def check_hash():
        hasher.join()
        if hashed.get("sha256") != expected.get("sha256"):
            raise ModelError(f"{path} does not match the SHA-256 in its manifest: the file was changed or "
                             f"corrupted; {_REFIT}")

    # decoding makes many small objects (the index, lookups, tables) that live as long as the
    # model: collections during it would only traverse them again and again
    collecting = gc.isenabled()
    gc.disable()
    try:
        model = _read_archive(path, manifest, expected_class, mapped)
    except Exception:
        check_hash()
        raise
    finally:
        if collecting:
            gc.enable()
    check_hash()
    return model


def _read_archive(path: Path, manifest: dict, expected_class, mapped: mmap.mmap):
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head != _ZIP_MAGIC:
        raise ModelError(f"{path} is not a recommender model archive (it starts with {head!r}); {_REFIT}")
    reader = _ArchiveReader(path, manifest["contents"], mapped)
    try:
        index = reader.index()
        cls_name = index.get("class")
        if expected_class is not None and cls_name != expected_class.__name__:
            raise ModelError(f"{path} holds a {cls_name}, not a {expected_class.__name__}")
        if expected_class is None:
            raise ModelError("load_model needs the class to build (expected_class)")
        params = index.get("params")
        attributes = index.get("attributes")
        if not isinstance(params, dict) or not isinstance(attributes, dict):
            raise ModelError(f"{path} has no parameters or attributes in its index; {_REFIT}")
        try:
            model = expected_class(**params)
        except TypeError as exc:
            raise ModelError(f"{path} has parameters this {cls_name} does not take ({exc}); {_REFIT}") from None
        decoder = _Decoder(reader, path)
        deferred = {}
        for name, entry in attributes.items():
            if not (isinstance(name, str) and name.endswith("_") and not name.startswith("_")):
                raise ModelError(f"{path} lists {name!r}, which is not a fitted attribute; {_REFIT}")
            value = decoder.decode(name, entry)
            if isinstance(value, StoredFrame):
                # a table stays as stored until the attribute is read (see DeferredAttributes)
                if isinstance(model, DeferredAttributes):
                    deferred[name] = value
                    continue
                value = value.to_frame()
            setattr(model, name, value)
        if deferred:
            model.__dict__["_deferred_attributes"] = deferred
        runtime = index.get("runtime")
        if not isinstance(runtime, dict):
            raise ModelError(f"{path} has no query tables in its index; {_REFIT}")
        saved = {}
        for name, entry in runtime.items():
            if not (isinstance(name, str) and name.isidentifier()):
                raise ModelError(f"{path} lists a query table named {name!r}; {_REFIT}")
            saved[name] = decoder.decode(f"{_RUNTIME}.{name}", entry)
        if saved:
            model.__dict__["_saved_runtime"] = saved
        unused = sorted(set(reader._infos) - reader.used)
        if unused:
            raise ModelError(f"{path} holds members its index does not use ({', '.join(unused[:3])}); {_REFIT}")
    except ModelError:
        reader.close()
        raise
    except (KeyError, TypeError, ValueError, IndexError, zipfile.BadZipFile, OSError) as exc:
        reader.close()
        raise ModelError(f"cannot read {path} ({exc.__class__.__name__}: {exc}); {_REFIT}") from None
    reader.close()  # memory-mapped arrays keep their own mapping
    return model


class _ArchiveReader:
    """Reads members of a checked, uncompressed model archive (arrays without pickle)."""

    def __init__(self, path: Path, contents: dict, mapped: mmap.mmap):
        self.path = path
        self._fh = open(path, "rb")
        try:
            self._zip = zipfile.ZipFile(self._fh)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            self._fh.close()
            raise ModelError(f"{path} is not a readable model archive ({exc}); {_REFIT}") from None
        self._infos = {i.filename: i for i in self._zip.infolist()}
        if set(self._infos) != set(contents):
            self.close()
            raise ModelError(f"{path} does not hold the members its manifest lists; {_REFIT}")
        for info in self._infos.values():
            if info.compress_type != zipfile.ZIP_STORED:
                self.close()
                raise ModelError(f"{path}: member {info.filename} is compressed; model archives are stored; {_REFIT}")
        self._mmap = mapped
        self.used: set[str] = set()

    def close(self):
        self._zip.close()
        self._fh.close()

    def _info(self, name) -> zipfile.ZipInfo:
        if not isinstance(name, str) or name not in self._infos:
            raise ModelError(f"{self.path} lacks the member {name!r} its index names; {_REFIT}")
        self.used.add(name)
        return self._infos[name]

    def index(self) -> dict:
        data = self._zip.read(self._info(_INDEX))
        try:
            index = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ModelError(f"{self.path} has an unreadable index; {_REFIT}") from None
        if not isinstance(index, dict) or index.get("format") != _MAGIC or index.get("schema_version") != SCHEMA_VERSION:
            raise ModelError(f"{self.path} is not a recommender model archive of schema {SCHEMA_VERSION}; {_REFIT}")
        return index

    def _data_offset(self, info: zipfile.ZipInfo) -> int:
        self._fh.seek(info.header_offset)
        header = self._fh.read(30)
        if len(header) != 30 or header[:4] != _ZIP_MAGIC:
            raise ModelError(f"{self.path}: bad local header for {info.filename}; {_REFIT}")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        return info.header_offset + 30 + name_len + extra_len

    def array(self, name) -> np.ndarray:
        """The array stored as member ``name``: read from a memory map of the archive (its
        ``.npy`` header checked, never unpickled); small arrays are copied out of the map."""
        info = self._info(name)
        start = self._data_offset(info)
        if start + info.file_size > len(self._mmap):
            raise ModelError(f"{self.path}: {name} runs past the end of the archive; {_REFIT}")
        head = io.BytesIO(self._mmap[start:start + min(info.file_size, _MAX_NPY_HEADER)])
        try:
            version = np.lib.format.read_magic(head)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(head)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(head)
            else:
                raise ModelError(f"{self.path}: {name} is an array file of unknown version {version}; {_REFIT}")
        except ModelError:
            raise
        except (ValueError, EOFError, SyntaxError) as exc:
            raise ModelError(f"{self.path}: {name} has an unreadable array header ({exc}); {_REFIT}") from None
        header_len = head.tell()
        if dtype.hasobject:
            raise ModelError(f"{self.path}: {name} holds Python objects, which a model never does; {_REFIT}")
        count = int(np.prod(shape, dtype=np.int64))
        if header_len + count * dtype.itemsize != info.file_size:
            raise ModelError(f"{self.path}: {name} does not hold the array its header describes; {_REFIT}")
        arr = np.frombuffer(self._mmap, dtype=dtype, count=count, offset=start + header_len)
        arr = arr.reshape(shape, order="F" if fortran else "C")
        # large arrays stay read-only views of the map (worker processes share the pages)
        return arr if info.file_size >= MMAP_MIN_BYTES else arr.copy(order="K")


class _Decoder:
    def __init__(self, reader: _ArchiveReader, path: Path):
        self.reader = reader
        self.path = path
        self.done: dict[str, object] = {}
        self._decoded: list = []

    def decode(self, key: str, entry):
        value = self._decode(key, entry)
        if isinstance(entry, dict) and entry.get("kind") not in ("json", "scalar", "ref"):
            self.done[key] = value
        return value

    def frame(self, key: str, entry) -> StoredFrame:
        """Decode an entry that must hold a table (the gazetteer's and the taxonomy's tables
        are read from its columns, with no DataFrame built)."""
        value = self.decode(key, entry)
        if not isinstance(value, StoredFrame):
            raise ModelError(f"{self.path}: {key!r} is not stored as a table; {_REFIT}")
        return value

    def _raw_strings(self, entry) -> tuple[str, np.ndarray]:
        text = self.reader.array(entry["text"])
        offsets = np.asarray(self.reader.array(entry["offsets"]), dtype=np.int64)
        encoding = entry.get("encoding", "utf-8")
        if encoding not in ("utf-8", "utf-16-le"):
            raise ModelError(f"{self.path}: a text table has the unknown encoding {encoding!r}; {_REFIT}")
        s = codecs.decode(memoryview(text), encoding, "surrogatepass")
        if offsets.ndim != 1 or not len(offsets) or offsets[0] != 0 or offsets[-1] != len(s) or bool(
                np.any(offsets[1:] < offsets[:-1])):
            raise ModelError(f"{self.path}: a text table does not match its offsets; {_REFIT}")
        return s, offsets

    def _strings(self, entry) -> list[str]:
        # the same strings stored twice (the vocabulary of the model and of its TF-IDF index)
        # are decoded once: a later table equal byte for byte to an earlier one shares its list
        text, stored_offsets = self.reader.array(entry["text"]), self.reader.array(entry["offsets"])
        for (t, o, enc), values in self._decoded:
            if (enc == entry.get("encoding", "utf-8") and np.array_equal(t, text)
                    and np.array_equal(o, stored_offsets)):
                return list(values)
        s, offsets = self._raw_strings(entry)
        offsets = offsets.tolist()
        values = [s[a:b] for a, b in zip(offsets[:-1], offsets[1:])]
        if len(values) >= _SHARED_STRINGS_MIN:
            self._decoded.append(((text, stored_offsets, entry.get("encoding", "utf-8")), values))
        return values

    def _text_column(self, entry) -> TextColumn:
        encoding = entry.get("encoding", "utf-8")
        if encoding != _TEXT_ENCODING:
            s, offsets = self._raw_strings(entry)
            return TextColumn(None, offsets, s)
        try:
            return TextColumn.from_buffer(self.reader.array(entry["text"]), self.reader.array(entry["offsets"]))
        except ValueError:
            raise ModelError(f"{self.path}: a text table does not match its offsets; {_REFIT}") from None

    def _frame(self, key: str, entry) -> StoredFrame:
        """A table whose text is decoded row by row on access (a DataFrame when asked for)."""
        arr = self.reader.array
        rows = entry["rows"]
        columns = {}
        for col in entry["columns"]:
            ck = col.get("kind")
            if ck == "array":
                values = arr(col["array"])
            elif ck == "strings":
                values = self._text_column(col)
            elif ck == "categories":
                categories = self._strings(col)
                codes = arr(col["codes"])
                if len(codes) and (codes.min() < 0 or codes.max() >= len(categories)):
                    raise ModelError(f"{self.path}: column {col['name']!r} of {key!r} has codes out of "
                                     f"range; {_REFIT}")
                values = CodedColumn(categories, codes)
            elif ck == "json":
                values = col["value"]
                values = [tuple(v) for v in values] if col.get("tuples") else values
            else:
                raise ModelError(f"{self.path}: column {col.get('name')!r} of {key!r} has unknown kind {ck!r}; "
                                 f"{_REFIT}")
            if not isinstance(col["name"], str) or len(values) != rows:
                raise ModelError(f"{self.path}: the table {key!r} has a column of {len(values)} rows, its index "
                                 f"says {rows}; {_REFIT}")
            columns[col["name"]] = values
        if not columns and rows != 0:
            raise ModelError(f"{self.path}: the table {key!r} has no columns, its index says {rows} rows; {_REFIT}")
        return StoredFrame(columns, rows)

    def _decode(self, key: str, entry):
        if not isinstance(entry, dict):
            raise ModelError(f"{self.path}: the entry of {key!r} is malformed; {_REFIT}")
        kind = entry.get("kind")
        arr = self.reader.array
        if kind == "json":
            value = entry["value"]
            return tuple(value) if entry.get("tuple") else value
        if kind == "scalar":
            return np.dtype(entry["dtype"]).type(entry["value"])
        if kind == "ref":
            if entry["to"] not in self.done:
                raise ModelError(f"{self.path}: {key!r} refers to {entry['to']!r}, which comes later; {_REFIT}")
            return self.done[entry["to"]]
        if kind == "array":
            return arr(entry["array"])
        if kind == "json_rows":
            if entry.get("encoding", "utf-8") == _TEXT_ENCODING:
                return JsonRows(self._text_column(entry), None)  # each item decoded when read
            text, offsets = self._raw_strings(entry)
            return JsonRows(text, offsets)
        if kind == "strings":
            values = self._strings(entry)
            return np.asarray(values, dtype=object) if entry.get("as") == "object_array" else values
        if kind == "sparse":
            import scipy.sparse as sp

            fmt = entry["format"]
            container = {("csr", "matrix"): sp.csr_matrix, ("csc", "matrix"): sp.csc_matrix,
                         ("csr", "array"): sp.csr_array, ("csc", "array"): sp.csc_array}[(fmt, entry["container"])]
            m = container((arr(entry["data"]), arr(entry["indices"]), arr(entry["indptr"])),
                          shape=tuple(entry["shape"]), copy=False)
            if entry.get("sorted"):
                m.has_sorted_indices = True
            return m
        if kind == "ragged":
            offsets = arr(entry["offsets"])
            parts = [arr(p) for p in entry["parts"]]
            if (offsets.ndim != 1 or not len(offsets) or offsets[0] != 0 or bool(np.any(offsets[1:] < offsets[:-1]))
                    or any(p.ndim != 1 or len(p) != offsets[-1] for p in parts)):
                raise ModelError(f"{self.path}: the rows of {key!r} do not match their offsets; {_REFIT}")
            return RaggedRows(offsets, parts)
        if kind == "frame":
            return self._frame(key, entry)
        if kind == "tokenizer":
            from recommender.text.tokenizer import PrefixDictionary, Tokenizer

            dictionary = None
            if entry.get("dictionary"):
                d = entry["dictionary"]
                text, offsets = self._raw_strings(d["words"])
                dictionary = PrefixDictionary.from_text(text, offsets, arr(d["freq"]), d["total"])
            return Tokenizer(user_words=entry["user_words"], stopwords=entry["stopwords"], backend=entry["backend"],
                             hmm=entry["hmm"], dictionary=dictionary)
        if kind == "tfidf":
            from recommender.model.tfidf import TfidfIndex

            tokenizer = self.decode(key + ".tokenizer", entry["tokenizer"])
            names = np.asarray(self._strings(entry["feature_names"]), dtype=object)
            return TfidfIndex(tokenizer, names, arr(entry["idf"]), sublinear_tf=entry["sublinear_tf"],
                              norm=entry["norm"])
        if kind == "gazetteer":
            from recommender.knowledge.gazetteer import Gazetteer

            if entry.get("bundled"):
                self._check_bundled("gazetteer", entry, _bundled_gazetteer_files())
                return Gazetteer.default()
            return Gazetteer(self.frame(key + ".entities", entry["entities"]),
                             self.frame(key + ".ambiguous", entry["ambiguous"]))
        if kind == "taxonomy":
            from recommender.knowledge.taxonomy import Taxonomy

            if entry.get("bundled"):
                self._check_bundled("taxonomy", entry, _bundled_taxonomy_files())
                return Taxonomy.default()
            return Taxonomy(self.frame(key + ".tags", entry["tags"]),
                            self.frame(key + ".false_friends", entry["false_friends"]),
                            self.frame(key + ".catalogue", entry["catalogue"]))
        if kind == "tagger":
            from recommender.knowledge.tagging import IndustryTagger

            taxonomy = self.decode(key + ".taxonomy", entry["taxonomy"])
            return IndustryTagger(taxonomy, window=entry["window"], governance_weight=entry["governance_weight"],
                                  neutral_weight=entry["neutral_weight"], parent_share=entry["parent_share"])
        raise ModelError(f"{self.path}: {key!r} is stored as {kind!r}, which this library does not read; {_REFIT}")

    def _check_bundled(self, what: str, entry: dict, files) -> None:
        if entry.get("sha256") != _bundled_checksum(files):
            raise ModelError(f"{self.path} was fitted with another version of the bundled {what} tables; {_REFIT}")
