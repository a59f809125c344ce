"""nn in a fresh Jupyter kernel: figures show as pictures, the progress bar is a widget.

A notebook is built in memory and executed with nbclient (as nbmake does), with no
``%matplotlib inline`` and no setup, the way a learner's first cell runs.
"""

import nbformat
import pytest
from nbclient import NotebookClient

PLOT_HISTORY = """\
from nn import History
from nn.plot import plot_history
plot_history(History(loss=[1.0, 0.5], accuracy=[0.5, 0.75], lr=[0.1, 0.1], epoch=[0, 1]))
"""

PLOT_BOUNDARY = """\
import random
from nn import MLP, SGD, train
from nn.plot import plot_decision_boundary
model = MLP(2, [4, 1], rng=random.Random(0))
plot_decision_boundary(model, [[0.0, 0.0], [1.0, 1.0]], [-1, 1], resolution=5)
"""

TRAIN = """\
history = train(model, [[0.0, 1.0], [1.0, 0.0]], [1, -1],
                optimizer=SGD(model.parameters(), lr=0.1), epochs=3)
len(history)
"""


def _run_in_a_fresh_kernel(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return [cell.outputs for cell in nb.cells]


def _mimetypes(outputs):
    return {mime for output in outputs for mime in output.get("data", {})}


@pytest.mark.slow
def test_figures_show_inline_and_the_progress_bar_is_a_widget():
    history_cell, boundary_cell, train_cell = _run_in_a_fresh_kernel(
        PLOT_HISTORY, PLOT_BOUNDARY, TRAIN
    )
    for outputs in (history_cell, boundary_cell):
        png = [o for o in outputs if "image/png" in o.get("data", {})]
        assert len(png) == 1, outputs  # one picture, not just "<Figure size ...>"
    # tqdm.auto: a notebook widget (tqdm's disable=None shows it in Jupyter), not text
    assert "application/vnd.jupyter.widget-view+json" in _mimetypes(train_cell), train_cell
    assert not [o for o in train_cell if o["output_type"] == "error"]
