"""Chapter 8 on the grader side: the hidden checks, their cases, the table's order, and the measure
steps that give the visible tf-explain checks the kit's Grad-CAM. Never shipped to students. Nothing
to write for the hidden checks: every input is made from a seed where it is used."""
from __future__ import annotations

from ...core import Chapter, Rooms
from ..full import full_chapter
from . import cases, judges, probes, reference
from .cases import Choose, Explain, Heatmaps, Plot, TinyCNN

HIDDEN_CHOOSE = Choose(((1000, 12, 3), (9, 9, 5), (2500, 40, 0)), repeat=True)
HIDDEN_TINY = TinyCNN(seed=6, height=9, width=14, channels=5, classes=4, class_indices=(0, 1, 2, 3),
                      first_channels=4, layer_name="target_conv")
HIDDEN_CORNER = Heatmaps(8, 22, (0, 1, 2, 3, 3, 2, 1, 0), corner=True)
HIDDEN_EXPLAIN = Explain(8, 32, 8, 4, other_seed=5)
HIDDEN_PLOT = Plot(1, 42)


_check = Rooms(probes, reference, judges).check


def extend(visible: Chapter) -> Chapter:
    return full_chapter(visible, reference, (
        "check_choose_examples",
        _check("hidden_choose_examples", "choose_examples", 1, False,
               "choose_examples on a large split, with n equal to the split size, called twice per seed",
               HIDDEN_CHOOSE),
        "check_gradcam_heatmap",
        _check("hidden_gradcam_heatmap", "gradcam_heatmap", 1, False,
               "gradcam_heatmap on another tiny CNN with two convolutions, for every class", HIDDEN_TINY),
        "check_gradcam_heatmaps",
        _check("hidden_gradcam_corner", "gradcam_heatmaps", 2, False,
               "gradcam_heatmaps where the class is decided by a bright patch in one corner", HIDDEN_CORNER),
        "check_explain_examples",
        _check("hidden_explain_examples", "explain_examples", 1, False,
               "explain_examples with n equal to the number of images", HIDDEN_EXPLAIN,
               reference.measure_explain(HIDDEN_EXPLAIN)),
        "check_plot_explanations",
        _check("hidden_plot_explanations", "plot_explanations", 1, False, "plot_explanations with a single example",
               HIDDEN_PLOT),
    ), measures={"check_gradcam_heatmaps": reference.measure_heatmaps(cases.VISIBLE_HEATMAPS),
                 "check_explain_examples": reference.measure_explain(cases.VISIBLE_EXPLAIN)})
