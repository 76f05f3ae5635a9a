"""examples/tutorial.ipynb runs top to bottom without an error (executed by nbclient in a fresh kernel)."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "tutorial.ipynb"


def test_the_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs and cell.execution_count is None for cell in code)


def test_the_tutorial_runs_top_to_bottom():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # raises CellExecutionError, with the failing cell and its traceback, on any error
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    outputs = [output for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    shown = [kind for output in outputs for kind in output.get("data", {})]
    assert "image/png" in shown  # the figures
    text = "".join(output.get("text", "") for output in outputs)
    assert "z_6 by hand: 0.631862, by the engine: 0.631862" in text
    assert "best test accuracy" in text
