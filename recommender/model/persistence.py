"""Saving and loading fitted models: joblib plus a JSON manifest, atomic writes, checks
before anything is unpickled.

A model ``hunan.joblib`` is written with a manifest ``hunan.joblib.manifest.json`` beside
it. The manifest records the schema version, the versions of the library, scikit-learn
and jieba, the model's parameters and the SHA-256 and size of the model file. ``load``
reads the manifest first and refuses, before unpickling, a file whose hash, size, schema
or library versions do not match, or a file that is not a model at all.

.. warning:: A model file is code: unpickling runs whatever it contains. Load only model
   files you built yourself or received from a source you trust. The manifest checks
   catch accidents (a truncated copy, a flipped byte, a stale or foreign file) before
   anything is unpickled; they are no defence against someone who can write both the
   model file and its manifest.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from recommender.exceptions import ModelError

logger = logging.getLogger(__name__)

__all__ = ["SCHEMA_VERSION", "save_model", "load_model", "manifest_path", "read_manifest"]

#: Bump when the fitted attributes change in a way older files cannot satisfy.
SCHEMA_VERSION = 1
_MAGIC = "recommender-model"
#: A manifest is a few kilobytes; anything much larger is not one of ours.
MAX_MANIFEST_BYTES = 1 << 20
#: Leading bytes of the streams joblib writes (``compress=3`` gives zlib).
_PAYLOAD_MAGIC = {
    "zlib": (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda"),
    "pickle": (b"\x80",),
    "gzip": (b"\x1f\x8b",),
    "bz2": (b"BZh",),
    "xz": (b"\xfd7zXZ\x00",),
    "lz4": (b"\x04\x22\x4d\x18",),
}


def manifest_path(path) -> Path:
    """Return the manifest path that belongs to a model file.

    Examples
    --------
    >>> manifest_path("models/hunan.joblib").name
    'hunan.joblib.manifest.json'
    """
    path = Path(path)
    return path.with_name(path.name + ".manifest.json")


def _versions() -> dict[str, str]:
    import jieba
    import sklearn

    import recommender

    return {"recommender": recommender.__version__, "scikit-learn": sklearn.__version__,
            "jieba": getattr(jieba, "__version__", "unknown")}


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
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _tmp_path(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    os.close(fd)
    return Path(tmp)


def save_model(model, path) -> Path:
    """Write ``model`` to ``path`` and its manifest beside it, atomically.

    Both files are first written completely under temporary names in the target
    directory (and synced); only then are they renamed over the old pair, model first.
    A crash or error while writing leaves the old model and manifest untouched; the
    only window is between the two renames, and there the old manifest refuses the new
    model by its hash (refit or save again), never a half-written file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from recommender import Recommender, load_sample_corpus
    >>> rec = Recommender().fit(load_sample_corpus())
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.joblib"
    >>> _ = save_model(rec, path)
    >>> sorted(p.name for p in path.parent.iterdir())
    ['m.joblib', 'm.joblib.manifest.json']
    """
    import joblib

    path = Path(path)
    if path.is_dir():
        raise ModelError(f"cannot save the model to {path}: it is a directory; give a file name such as "
                         f"{path / 'model.joblib'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_model = tmp_manifest = None
    try:
        tmp_model = _tmp_path(path)
        with open(tmp_model, "wb") as fh:
            joblib.dump(model, fh, compress=3)
            fh.flush()
            os.fsync(fh.fileno())
        params = {k: (v if isinstance(v, (int, float, str, bool)) or v is None else repr(v))
                  for k, v in model.get_params().items()}
        manifest = {
            "format": _MAGIC,
            "schema_version": SCHEMA_VERSION,
            "class": type(model).__name__,
            "versions": _versions(),
            "code_fingerprint": code_fingerprint(),
            "params": params,
            "files": {path.name: {"sha256": _sha256(tmp_model), "bytes": tmp_model.stat().st_size}},
            "summary": {"passages": int(len(model.passages_)), "places": int(len(model.entity_ids_)),
                        "terms": int(model.vocabulary_size_)},
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


def read_manifest(path) -> dict:
    """Read and check the manifest of a model file (no unpickling).

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
        raise ModelError(f"{path} has no manifest ({mpath.name}); it is not a model saved by recommender: refit with 'recommender fit'")
    try:
        if mpath.stat().st_size > MAX_MANIFEST_BYTES:
            raise ModelError(f"{mpath} is too large to be a model manifest; refit with 'recommender fit'")
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, ModelError):
            raise
        raise ModelError(f"the manifest {mpath} is unreadable ({exc.__class__.__name__}); refit with 'recommender fit'") from None
    if not isinstance(manifest, dict) or manifest.get("format") != _MAGIC:
        raise ModelError(f"{mpath} is not a recommender model manifest; refit with 'recommender fit'")
    return manifest


def load_model(path, expected_class=None):
    """Load a model saved by :func:`save_model` after checking its manifest and hash.

    Raises
    ------
    ModelError
        The file is missing, changed, truncated, from another schema or library version,
        or not a model.
    """
    import joblib

    path = Path(path)
    manifest = read_manifest(path)
    schema = manifest.get("schema_version")
    if type(schema) is not int or schema != SCHEMA_VERSION:
        raise ModelError(f"{path} uses model schema {schema!r}, this library reads "
                         f"schema {SCHEMA_VERSION}: refit with 'recommender fit'")
    ours = _versions()
    theirs = manifest.get("versions")
    if not isinstance(theirs, dict):
        raise ModelError(f"the manifest of {path} lists no library versions; refit with 'recommender fit'")
    for lib in ("recommender", "scikit-learn", "jieba"):
        if theirs.get(lib) != ours[lib]:
            raise ModelError(f"{path} was saved with {lib} {theirs.get(lib)}, this is {lib} {ours[lib]}: "
                             "refit with 'recommender fit'")
    files = manifest.get("files")
    expected = files.get(path.name) if isinstance(files, dict) else None
    if not isinstance(expected, dict):
        raise ModelError(f"the manifest of {path} does not describe this file (renamed?); refit with 'recommender fit'")
    size = path.stat().st_size
    if size != expected.get("bytes"):
        raise ModelError(f"{path} has {size} bytes but its manifest says {expected.get('bytes')}: the file is "
                         "truncated or changed; refit with 'recommender fit'")
    if _sha256(path) != expected.get("sha256"):
        raise ModelError(f"{path} does not match the SHA-256 in its manifest: the file was changed or corrupted; "
                         "refit with 'recommender fit'")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not any(head.startswith(m) for magics in _PAYLOAD_MAGIC.values() for m in magics):
        raise ModelError(f"{path} is not a joblib model file (it starts with {head[:4]!r}); "
                         "refit with 'recommender fit'")
    try:
        model = joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means a bad artifact
        raise ModelError(f"cannot load {path} ({exc.__class__.__name__}); refit with 'recommender fit'") from None
    if expected_class is not None and not isinstance(model, expected_class):
        raise ModelError(f"{path} holds a {type(model).__name__}, not a {expected_class.__name__}")
    return model
