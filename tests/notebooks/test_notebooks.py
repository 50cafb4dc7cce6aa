"""Every notebook in ``notebooks/`` runs top to bottom in a fresh kernel without error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ should hold at least the exploration notebook"


def _execute(path: Path, monkeypatch):
    # the kernel imports the package from this checkout even when it is not installed
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    return nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path, monkeypatch):
    nb = _execute(path, monkeypatch)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    if path.name == "explore.ipynb":
        _check_explore(nb)


def _check_explore(nb):
    """The exploration notebook shows its charts and cites verbatim evidence."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        if "plots." in cell.source and "= plots." in cell.source:
            assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source
    html = "".join(o.get("data", {}).get("text/plain", "") for c in code for o in c.outputs)
    assert "轨道交通装备" in html
    assert "all passages verbatim: True" in "".join(
        o.get("text", "") for c in code for o in c.outputs if o.get("output_type") == "stream")
    # no stack traces or warnings printed to stderr
    stderr = [o.get("text", "") for c in code for o in c.outputs
              if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert not stderr, stderr


def test_committed_notebook_has_outputs():
    """The committed exploration notebook is saved with its outputs (readable on GitHub)."""
    path = REPO / "notebooks" / "explore.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code)
    assert any("image/png" in o.get("data", {}) for c in code for o in c.outputs)
