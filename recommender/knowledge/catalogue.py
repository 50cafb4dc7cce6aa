"""The development-zone catalogue as citable evidence.

The national catalogue (中国开发区审核公告目录, 2018 edition) is bundled verbatim as
``recommender/knowledge/data/china_devzones_2018.csv``. Each zone's row names its
leading industries (主导产业); :class:`DevZoneCatalogue` finds, for every zone, the
character span of that cell in the file's text, so that a citation is verbatim like any
passage::

    open(source, encoding="utf-8").read()[start:end] == text

A zone's row supports a query tag when one of its labels maps (``catalogue_labels.csv``)
to the tag or to one of its sub-tags. Such a citation is evidence of kind
``"catalogue"``; the model weighs it below what a report says (see the README,
"Evidence kinds").
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from recommender.exceptions import TableSchemaError

__all__ = ["DevZoneCatalogue", "CatalogueRow", "CATALOGUE_FILE"]

logger = logging.getLogger(__name__)

CATALOGUE_FILE = "china_devzones_2018.csv"
_CELL = "主导产业"


@dataclass(frozen=True)
class CatalogueRow:
    """One zone of the catalogue and the span of its 主导产业 cell.

    Attributes
    ----------
    entity_id : str
        The zone's gazetteer id.
    name : str
        开发区名称.
    row : int
        Data row of the zone in the file (0 = the first row after the header).
    start, end : int
        Character span of the 主导产业 cell in the file's text.
    text : str
        The cell, verbatim (``text == file_text[start:end]``).
    """

    entity_id: str
    name: str
    row: int
    start: int
    end: int
    text: str

    def labels(self) -> list[str]:
        """The cell's industry labels (its 、-separated items, trimmed).

        Examples
        --------
        >>> CatalogueRow("x", "园区", 0, 0, 9, "陶瓷、电子信息.").labels()
        ['陶瓷', '电子信息']
        """
        return [x.strip().rstrip(".") for x in self.text.split("、")]


class DevZoneCatalogue:
    """The bundled catalogue file, indexed by gazetteer id.

    Parameters
    ----------
    path : str or Path
        The catalogue CSV (UTF-8, comma-separated, no quoted cells).
    mapping : str or Path
        ``devzone_place_mapping.csv``: one row per catalogue row, in the same order,
        with the zone's ``entity_id`` (a code shared by two zones gets suffixed ids).

    Raises
    ------
    TableSchemaError
        When the file lacks the 主导产业 column, quotes a cell, or does not line up
        with the mapping table.

    Examples
    --------
    >>> cat = DevZoneCatalogue.default()
    >>> r = cat.get("S437016")
    >>> r.name, r.text
    ('湖南醴陵经济开发区', '陶瓷、交通装备、新材料')
    >>> open(cat.source, encoding="utf-8").read()[r.start:r.end] == r.text
    True
    """

    def __init__(self, path, mapping):
        self.source = str(Path(path).resolve())
        with open(self.source, encoding="utf-8") as fh:
            text = fh.read()
        lines = text.split("\n")
        header = lines[0].lstrip("\ufeff").split(",")
        if _CELL not in header:
            raise TableSchemaError(f"catalogue {self.source}: no column {_CELL!r}")
        col = header.index(_CELL)
        import csv

        with open(mapping, encoding="utf-8", newline="") as fh:
            ids = [(r["entity_id"], r["zone_name"]) for r in csv.DictReader(fh)]
        rows: dict[str, CatalogueRow] = {}
        offset = len(lines[0]) + 1
        data = [ln for ln in lines[1:]]
        k = 0
        for line in data:
            if not line.strip():
                offset += len(line) + 1
                continue
            if '"' in line:
                raise TableSchemaError(f"catalogue {self.source}: row {k + 2} quotes a cell; expected plain cells")
            cells = line.split(",")
            if len(cells) != len(header):
                raise TableSchemaError(f"catalogue {self.source}: row {k + 2} has {len(cells)} cells, "
                                       f"the header {len(header)}")
            if k >= len(ids) or ids[k][1] != cells[header.index("开发区名称")]:
                raise TableSchemaError(f"catalogue {self.source}: row {k + 2} does not match "
                                       "devzone_place_mapping.csv; rebuild the gazetteer tables")
            start = offset + sum(len(c) + 1 for c in cells[:col])
            cell = cells[col].rstrip("\r")
            rows[ids[k][0]] = CatalogueRow(ids[k][0], ids[k][1], k, start, start + len(cell), cell)
            offset += len(line) + 1
            k += 1
        if k != len(ids):
            raise TableSchemaError(f"catalogue {self.source}: {k} rows, devzone_place_mapping.csv {len(ids)}")
        self._rows = rows

    @classmethod
    def default(cls) -> "DevZoneCatalogue":
        """The bundled catalogue (loaded once, then cached).

        Examples
        --------
        >>> len(DevZoneCatalogue.default())
        2543
        """
        return _default()

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._rows

    def get(self, entity_id: str) -> CatalogueRow | None:
        """The zone's row, or None for an entity that is not a catalogue zone.

        Examples
        --------
        >>> DevZoneCatalogue.default().get("430204") is None
        True
        """
        return self._rows.get(entity_id)

    def support(self, entity_id: str, codes, taxonomy,
                literal=None) -> tuple[CatalogueRow | None, list[str], list[str]]:
        """Which query tags a zone's row supports.

        Parameters
        ----------
        entity_id : str
        codes : iterable of str
            The query's tag codes.
        taxonomy : Taxonomy
        literal : mapping of str to sequence of str, optional
            Codes that stand for a narrower sector the profile named (羊绒 for 纺织): such a
            code is supported only by a label that writes one of the strings out.

        Returns
        -------
        (CatalogueRow or None, supported codes, labels that support them)
            A label supports a code when it maps to the code or to a sub-tag of it.

        Examples
        --------
        >>> from recommender.knowledge.taxonomy import Taxonomy
        >>> row, codes, labels = DevZoneCatalogue.default().support("S437016", ["MAT.CERAMIC", "FOOD"],
        ...                                                          Taxonomy.default())
        >>> codes, labels
        (['MAT.CERAMIC'], ['陶瓷'])
        >>> DevZoneCatalogue.default().support("S437016", ["MAT.CERAMIC"], Taxonomy.default(),
        ...                                    literal={"MAT.CERAMIC": ["日用陶瓷"]})[1]
        []
        """
        row = self._rows.get(entity_id)
        if row is None:
            return None, [], []
        wanted = list(dict.fromkeys(codes))
        found: list[str] = []
        labels: list[str] = []
        for label in row.labels():
            label_codes = taxonomy.catalogue_codes(label) if label else []
            hit = [q for q in wanted for c in label_codes if (c == q or q in taxonomy.ancestors(c))
                   and (not literal or q not in literal or any(w in label for w in literal[q]))]
            if hit:
                labels.append(label)
                found.extend(q for q in hit if q not in found)
        return row, found, labels


@functools.lru_cache(maxsize=1)
def _default() -> DevZoneCatalogue:
    from recommender.knowledge.taxonomy import data_path

    return DevZoneCatalogue(data_path(CATALOGUE_FILE), data_path("devzone_place_mapping.csv"))
