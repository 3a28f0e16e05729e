"""Turn a matplotlib Figure into plain data that checks can read.

Plot checks never look at pixels: they read what each ``Axes`` holds (image
arrays, line data, titles, axis labels, tick labels, legend entries). This
module runs wherever the figure was drawn (the student's kernel or the
sandboxed worker) and returns only lists, strings and numpy arrays.
"""
from __future__ import annotations

import numpy as np


def _texts(labels) -> list[str]:
    return [label.get_text() for label in labels]


def axes_data(axes) -> dict:
    """Plain data for one ``Axes``: shapes are those of the arrays drawn."""
    legend = axes.get_legend()
    return {
        "title": axes.get_title(),
        "xlabel": axes.get_xlabel(),
        "ylabel": axes.get_ylabel(),
        # An image as it was handed to imshow: (H, W, 3|4) colour or (H, W) scalar data.
        "images": [np.asarray(image.get_array()) for image in axes.get_images()],
        "lines": [
            {
                "x": np.asarray(line.get_xdata(), dtype=float),
                "y": np.asarray(line.get_ydata(), dtype=float),
                "label": str(line.get_label()),
            }
            for line in axes.get_lines()
        ],
        # A seaborn heat map is a QuadMesh; its array is the matrix shown.
        "meshes": [np.asarray(mesh.get_array()) for mesh in axes.collections
                   if type(mesh).__name__ == "QuadMesh"],
        "bars": [float(patch.get_height()) for patch in axes.patches
                 if type(patch).__name__ == "Rectangle"],
        "xticklabels": _texts(axes.get_xticklabels()),
        "yticklabels": _texts(axes.get_yticklabels()),
        "legend": _texts(legend.get_texts()) if legend is not None else [],
        "axis_on": bool(axes.axison),
    }


def figure_data(figure) -> dict:
    """Plain data for every ``Axes`` of a figure, in the order they were added.

    Raises TypeError when ``figure`` is not a matplotlib Figure, so the caller
    can say what was returned instead.
    """
    from matplotlib.figure import Figure

    if not isinstance(figure, Figure):
        raise TypeError(f"expected a matplotlib Figure, got {type(figure).__name__}")
    # Colour bars are Axes too; keep only the axes a student drew into.
    drawn = [axes for axes in figure.get_axes() if not getattr(axes, "_colorbar", None)]
    return {"axes": [axes_data(axes) for axes in drawn]}
