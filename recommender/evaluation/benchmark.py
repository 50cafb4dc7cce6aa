"""Reading a benchmark directory: ``profiles.csv``, ``judgements.csv``, ``checks.json``.

The format is the contract's "Benchmark format": ``profiles.csv`` holds the profile
fields (list fields ``;``-separated), ``judgements.csv`` the columns ``profile_id,
entity, grade`` (``entity`` a name or alias, ``grade`` 3, 2 or 1; unlisted entities
are 0). An optional ``checks.json`` adds ``evidence_keywords`` (profile id → strings),
``traps`` (profile id → ``{"not_in_top": N, "units": [...]}`` or ``{"only_under":
REGION}``) and ``city_members`` (region → member names).
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from recommender.exceptions import InputError, TableSchemaError

logger = logging.getLogger(__name__)

__all__ = ["Benchmark", "load_benchmark", "resolve_judgements"]

PROFILE_COLUMNS = ("profile_id", "sectors", "text", "regions", "levels", "exclude")
JUDGEMENT_COLUMNS = ("profile_id", "entity", "grade")
GRADES = (1, 2, 3)


@dataclass
class Benchmark:
    """A benchmark read from a directory.

    Attributes
    ----------
    name : str
        The directory's name.
    profiles : list of dict
        Profile records (contract fields, ``profile_id`` always set), in file order.
    judgements : pandas.DataFrame
        Columns ``profile_id, entity, grade`` (grade an int in 1..3).
    checks : dict
        The parsed ``checks.json`` (empty when absent).

    Examples
    --------
    >>> b = Benchmark("tiny", [{"profile_id": "p1", "text": "陶瓷"}],
    ...               pd.DataFrame({"profile_id": ["p1"], "entity": ["醴陵市"], "grade": [3]}))
    >>> b.profile_ids, b.evidence_keywords("p1")
    (['p1'], [])
    """

    name: str
    profiles: list[dict]
    judgements: pd.DataFrame
    checks: dict = field(default_factory=dict)

    @property
    def profile_ids(self) -> list[str]:
        """Profile ids in file order."""
        return [p["profile_id"] for p in self.profiles]

    def evidence_keywords(self, profile_id: str) -> list[str]:
        """The keywords a profile's top evidence passage should contain (may be empty)."""
        return [str(k) for k in (self.checks.get("evidence_keywords") or {}).get(profile_id, [])]

    def trap(self, profile_id: str) -> dict | None:
        """The profile's trap check, or ``None``."""
        return (self.checks.get("traps") or {}).get(profile_id)

    @property
    def members(self) -> dict[str, list[str]]:
        """Region name → names listed as inside it (``city_members``)."""
        return {str(k): [str(x) for x in v] for k, v in (self.checks.get("city_members") or {}).items()}


def _read_csv(path: Path) -> pd.DataFrame:
    from recommender.io import decode_text_file

    text = decode_text_file(path)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - any parser failure is bad input
        raise InputError(f"cannot read {path}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _read_profiles(path: Path) -> list[dict]:
    frame = _read_csv(path)
    if "sectors" not in frame.columns and "text" not in frame.columns:
        raise TableSchemaError(f"{path} has no 'sectors' or 'text' column (columns: {', '.join(frame.columns)})")
    if "profile_id" not in frame.columns:
        raise TableSchemaError(f"{path} has no 'profile_id' column: a benchmark needs ids to join judgements")
    unknown = [c for c in frame.columns if c not in PROFILE_COLUMNS]
    if unknown:
        raise TableSchemaError(f"{path}: unknown profile column(s) {', '.join(unknown)}; "
                               f"valid: {', '.join(PROFILE_COLUMNS)}")
    records = []
    for rec in frame.to_dict("records"):
        rec = {k: str(v).strip() for k, v in rec.items()}
        if not rec["profile_id"]:
            raise InputError(f"{path}: a profile has an empty profile_id")
        records.append(rec)
    ids = [r["profile_id"] for r in records]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(f"{path}: repeated profile_id {', '.join(dup)}")
    return records


def _read_judgements(path: Path) -> pd.DataFrame:
    frame = _read_csv(path)
    missing = [c for c in JUDGEMENT_COLUMNS if c not in frame.columns]
    if missing:
        raise TableSchemaError(f"{path} lacks column(s) {', '.join(missing)}; "
                               f"a judgements table has {', '.join(JUDGEMENT_COLUMNS)}")
    frame = frame[list(JUDGEMENT_COLUMNS)].copy()
    frame["profile_id"] = frame["profile_id"].str.strip()
    frame["entity"] = frame["entity"].str.strip()
    grades = []
    for i, g in enumerate(frame["grade"], start=2):
        try:
            value = int(float(str(g).strip()))
        except ValueError:
            value = None
        if value not in GRADES:
            raise InputError(f"{path} line {i}: grade must be 1, 2 or 3, got {g!r}")
        grades.append(value)
    frame["grade"] = pd.Series(grades, index=frame.index, dtype="int64")
    return frame[frame["entity"] != ""].reset_index(drop=True)


def load_benchmark(path) -> Benchmark:
    """Read a benchmark directory.

    Raises
    ------
    InputError
        When the directory or one of its two tables is missing or malformed, or
        ``checks.json`` is not valid JSON.
    TableSchemaError
        When a table lacks required columns.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "profiles.csv").write_text("profile_id,sectors,text\\np1,陶瓷;新材料,日用陶瓷\\n", encoding="utf-8")
    >>> _ = (d / "judgements.csv").write_text("profile_id,entity,grade\\np1,醴陵市,3\\n", encoding="utf-8")
    >>> b = load_benchmark(d)
    >>> b.profiles[0]["sectors"], int(b.judgements["grade"].iloc[0]), b.checks
    ('陶瓷;新材料', 3, {})
    """
    root = Path(path)
    if not root.is_dir():
        raise InputError(f"benchmark directory not found: {root}")
    for name in ("profiles.csv", "judgements.csv"):
        if not (root / name).is_file():
            raise InputError(f"benchmark {root} has no {name}")
    profiles = _read_profiles(root / "profiles.csv")
    judgements = _read_judgements(root / "judgements.csv")
    checks: dict = {}
    if (root / "checks.json").is_file():
        try:
            checks = json.loads((root / "checks.json").read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{root / 'checks.json'} is not valid JSON: {exc}") from None
        if not isinstance(checks, dict):
            raise InputError(f"{root / 'checks.json'} must hold a JSON object")
    return Benchmark(name=root.resolve().name, profiles=profiles, judgements=judgements, checks=checks)


def resolve_judgements(bench: Benchmark, gazetteer) -> tuple[dict[str, dict[str, int]], list[dict]]:
    """Resolve judged names to entity ids.

    Each name is looked up exactly (name or alias, the gazetteer's preferred entity
    first), then with :meth:`Gazetteer.resolve_region` (which also accepts adcodes and
    province/city prefixes). A name judged twice for a profile keeps its highest grade.

    Returns
    -------
    judged : dict
        Profile id → {entity id: grade} (every profile of the benchmark has a key).
    unresolved : list of dict
        ``{"profile_id", "entity", "grade"}`` for names that resolve to no entity
        (reported, not fatal).

    Examples
    --------
    >>> from recommender.knowledge.gazetteer import Gazetteer
    >>> b = Benchmark("t", [{"profile_id": "p1"}], pd.DataFrame(
    ...     {"profile_id": ["p1", "p1"], "entity": ["石峰区", "无此地"], "grade": [3, 1]}))
    >>> judged, bad = resolve_judgements(b, Gazetteer.default())
    >>> judged, [x["entity"] for x in bad]
    ({'p1': {'430204': 3}}, ['无此地'])
    """
    judged: dict[str, dict[str, int]] = {pid: {} for pid in bench.profile_ids}
    unresolved: list[dict] = []
    for pid, name, grade in zip(bench.judgements["profile_id"], bench.judgements["entity"],
                                bench.judgements["grade"]):
        eid = resolve_name(name, gazetteer)
        if eid is None:
            unresolved.append({"profile_id": pid, "entity": name, "grade": int(grade)})
            logger.warning("benchmark %s: judged entity %r of profile %s is not in the gazetteer",
                           bench.name, name, pid)
            continue
        slot = judged.setdefault(pid, {})
        slot[eid] = max(int(grade), slot.get(eid, 0))
    return judged, unresolved


def resolve_name(name: str, gazetteer) -> str | None:
    """An entity id for a judged name or alias, or ``None``.

    Examples
    --------
    >>> from recommender.knowledge.gazetteer import Gazetteer
    >>> resolve_name("株洲", Gazetteer.default()), resolve_name("无此地", Gazetteer.default())
    ('430200', None)
    """
    ids = gazetteer.lookup(name)
    if ids:
        return ids[0]
    try:
        return gazetteer.resolve_region(name)
    except (KeyError, ValueError):
        return None
