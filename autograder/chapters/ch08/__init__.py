"""Chapter 8, explainability with Grad-CAM and tf-explain: the table of checks.

Stubs the student completes (see ``source/ch08_explainability``):

* ``choose_examples(num_images, n, seed)`` -> n distinct indices into the whole split
* ``gradcam_heatmap(model, image, class_index, layer_name)`` -> (h, w) Grad-CAM in [0, 1], by hand
  with ``tf.GradientTape``
* ``gradcam_heatmaps(model, images, class_indices, layer_name)`` -> (N, H, W) heat maps in [0, 1]
  with tf-explain
* ``explain_examples(model, images, n, seed, layer_name)`` -> dict of indices, classes, heat maps, overlays
* ``plot_explanations(explanation, class_names)`` -> matplotlib Figure, one overlay per axes

Two models are explained, both made by the kit (:mod:`.cases`): a tiny untrained CNN with seeded
NumPy weights for ``gradcam_heatmap`` (its reference is computed in NumPy, in the grader's own
process), and, for the tf-explain stubs, a small Sequential CNN (``Rescaling(1/255)`` first) trained
from fixed seeds on generated 32 x 32 images whose class is the corner holding a bright patch (about
two seconds, once per process). The probes hand that model to the student's functions and return
only what they returned; the kit's answers that need it (its argmax, the kit's heat maps and
overlays) are computed on the grader side by the checks' ``measure`` steps from the kit's own copy, in
the sandboxed evaluator, where no student code runs. The student side has no kit Grad-CAM: there the
tf-explain checks judge what can be judged without it (indices, classes, shapes, ranges) and say that
the comparison is made when the work is graded. tf-explain needs tf.keras to be tf-keras
(``TF_USE_LEGACY_KERAS=1`` before TensorFlow is imported): the notebook's first cell sets it, and
the chapter asks the batch grader's worker and its evaluator for it.

The rooms: ``cases`` (inputs, written once), ``probes`` (the only code that calls student functions),
``judges`` (pure), and on the grader side only ``reference`` (the kit's answers, its Grad-CAM and the
measure steps) and ``hidden`` (the hidden checks).
"""
from __future__ import annotations

from ...answers import Shipped
from ...core import Chapter, Rooms
from .. import extend
from . import cases, judges, probes


# One row per visible check: its probe and judge share the step's name; its answer is shipped data.
_check = Rooms(probes, Shipped("ch08"), judges).check


VISIBLE = Chapter(
    key="ch08",
    assignment="ch08_explainability",
    title="Explainability with Grad-CAM",
    prepare=cases.prepare,
    per_check_seconds=60,
    environment=(("TF_USE_LEGACY_KERAS", "1"),),
    checks=(
        _check("check_choose_examples", "choose_examples", 1, True, "choose_examples(100, 6, seed=7)",
               cases.VISIBLE_CHOOSE),
        _check("check_gradcam_heatmap", "gradcam_heatmap", 2, True,
               "gradcam_heatmap on a tiny seeded CNN (12 x 10 image, layer \"features\"), class 1",
               cases.VISIBLE_TINY),
        # No measure here: the kit's Grad-CAM is the grader's (hidden.extend puts its measure steps back).
        _check("check_gradcam_heatmaps", "gradcam_heatmaps", 2, True,
               "gradcam_heatmaps on 6 generated 32 x 32 images and a small trained CNN", cases.VISIBLE_HEATMAPS),
        _check("check_explain_examples", "explain_examples", 2, True, "explain_examples(model, 40 images, n=5, seed=2)",
               cases.VISIBLE_EXPLAIN),
        _check("check_plot_explanations", "plot_explanations", 2, True, "plot_explanations with 4 examples",
               cases.VISIBLE_PLOT),
    ),
)
CHAPTER = extend(VISIBLE)
