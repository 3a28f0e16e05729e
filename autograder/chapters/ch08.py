"""Chapter 8, explainability with Grad-CAM and tf-explain: the checks.

Stubs the student completes (see ``source/ch08_explainability``):

* ``choose_examples(num_images, n, seed)`` -> n distinct indices into the whole split
* ``gradcam_heatmaps(model, images, class_indices, layer_name)`` -> (N, H, W) heat maps in [0, 1]
* ``explain_examples(model, images, n, seed, layer_name)`` -> dict of indices, classes, heat maps, overlays
* ``plot_explanations(explanation, class_names)`` -> matplotlib Figure, one overlay per axes

The model every Grad-CAM probe uses is a small Sequential CNN (``Rescaling(1/255)`` first, like
chapter 6's) trained inside the probe's process on generated 32 x 32 images whose class is the
corner holding a bright patch. It is trained once per process (about two seconds) and kept in
:data:`ch08_gradcam._MODELS`. tf-explain needs tf.keras to be tf-keras (``TF_USE_LEGACY_KERAS=1`` before
TensorFlow is imported): the notebook's first cell sets it, and :data:`CHAPTER` asks the batch
grader's worker for it.

Where the answer comes from: index checks and the bright patch's corner are computed here from
seeds alone (trusted). The model's own argmax and the reference heat maps need the model, so the
probe computes them with the kit's code next to the student's answer, before calling it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import data
from ..core import Chapter, Check, Verdict
from .ch08_gradcam import (CORNERS, IMAGE_SIDE, LAYER_NAME, corner_images, corner_model,
                           predicted_classes, reference_heatmaps, reference_overlays)
from .common import as_array, describe


def prepare(inputs_dir: Path) -> None:
    """Nothing to write: every input is generated from a seed where it is used."""


# --- choose_examples ---------------------------------------------------------------------------

def _indices(value, what: str) -> list[int]:
    array = as_array(value, what)
    if array.ndim != 1:
        raise TypeError(f"{what} must be a 1-D sequence of ints, got {describe(array)}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        if not np.all(np.equal(np.mod(array, 1), 0)):
            raise TypeError(f"{what} must hold whole numbers, got dtype {array.dtype}")
    return [int(item) for item in array]


def _numeric(value, what: str) -> np.ndarray:
    array = as_array(value, what)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{what} must be numbers, got dtype {array.dtype}")
    return array


def _probe_choose(cases: tuple[tuple[int, int, int], ...], repeat: bool):
    def probe(choose_examples, inputs_dir: Path) -> dict:
        found = []
        for num_images, n, seed in cases:
            first = _indices(choose_examples(num_images, n, seed), "choose_examples' result")
            again = _indices(choose_examples(num_images, n, seed), "choose_examples' result") if repeat else first
            found.append({"indices": first, "again": again})
        return {"cases": found}
    return probe


def _expected_choose(cases: tuple[tuple[int, int, int], ...]):
    def expected(inputs_dir: Path) -> dict:
        return {"cases": [{"num_images": num, "n": n, "seed": seed} for num, n, seed in cases]}
    return expected


def judge_indices(indices: list[int], num_images: int, n: int, what: str = "indices") -> Verdict | None:
    """None when ``indices`` are n distinct positions in 0..num_images-1, else the failing Verdict."""
    call = f"num_images={num_images}, n={n}"
    if len(indices) != n:
        return Verdict(False, f"with {call} got {len(indices)} {what}, expected {n}.",
                       "Return exactly n indices, one per image to explain.")
    outside = [index for index in indices if not 0 <= index < num_images]
    if outside:
        return Verdict(False, f"with {call} the {what} {outside[:5]} are outside 0..{num_images - 1}.",
                       "An index points into the whole split: 0 <= index < num_images.")
    if len(set(indices)) != n:
        repeated = sorted({index for index in indices if indices.count(index) > 1})
        return Verdict(False, f"with {call} the {what} repeat ({repeated[:5]}): only {len(set(indices))} "
                       f"distinct among {n}.",
                       "Draw without replacement over the images, not the batches: "
                       "np.random.default_rng(seed).choice(num_images, size=n, replace=False). "
                       "np.random.choice(len(batched_dataset), 3) counts batches and may repeat.")
    if num_images >= 320 and n >= 8 and max(indices) < 32:
        return Verdict(False, f"with {call} every {what[:-1] if what.endswith('s') else what} is below 32: "
                       f"{sorted(indices)}.",
                       "These look like batch numbers; draw from all num_images images of the split.")
    return None


def judge_choose(found: dict, expected: dict) -> Verdict:
    for got, case in zip(found["cases"], expected["cases"]):
        indices = [int(index) for index in got["indices"]]
        problem = judge_indices(indices, case["num_images"], case["n"])
        if problem:
            return problem
        if [int(index) for index in got["again"]] != indices:
            return Verdict(False, f"two calls with seed={case['seed']} gave different picks.",
                           "Make every random choice from np.random.default_rng(seed), never from the "
                           "unseeded global np.random.")
    if len(found["cases"]) != len(expected["cases"]):
        return Verdict(False, "not every case came back.", "Return a result for every call.")
    return Verdict(True, f"{len(expected['cases'])} call(s): distinct indices over the whole split, "
                   "the same for the same seed.")


# --- gradcam_heatmaps --------------------------------------------------------------------------

CORNER_MARGIN = 0.05     # the patch's quarter must be this much hotter (mean) than any other
HEATMAP_TOLERANCE = 0.1   # mean absolute difference from the kit's heat map (values in [0, 1])


def _probe_heatmaps(count: int, seed: int, labels=None):
    def probe(gradcam_heatmaps, inputs_dir: Path) -> dict:
        model = corner_model()
        images, _ = corner_images(count, seed, labels)
        classes = predicted_classes(model, images)
        reference = reference_heatmaps(model, images, classes, LAYER_NAME)
        heatmaps = _numeric(gradcam_heatmaps(model, images.copy(), classes.copy(), LAYER_NAME), "the heat maps")
        return {"heatmaps": heatmaps, "classes": classes, "reference": reference}
    return probe


def _expected_heatmaps(count: int, seed: int, labels=None):
    def expected(inputs_dir: Path) -> dict:
        images, patch_corners = corner_images(count, seed, labels)
        return {"shape": [count, IMAGE_SIDE, IMAGE_SIDE], "corners": patch_corners.tolist()}
    return expected


def _heatmap_problem(heatmaps: np.ndarray, shape: list[int], what: str = "heat maps") -> Verdict | None:
    if list(heatmaps.shape) != list(shape):
        hint = "Return one 2-D map per image, resized from the conv layer's grid to the image's height and width."
        if heatmaps.ndim == 4:
            hint = ("Return the raw heat maps, one 2-D array per image; GradCAM.explain gives an RGB picture "
                    "with the heat map already blended in, not the values.")
        return Verdict(False, f"the {what} have {describe(heatmaps)}, expected shape {tuple(shape)}.", hint)
    if not np.issubdtype(heatmaps.dtype, np.floating):
        return Verdict(False, f"the {what} have dtype {heatmaps.dtype}, expected a float type.",
                       "Keep the heat maps as floats in [0, 1]; uint8 is for pictures.")
    if not np.all(np.isfinite(heatmaps)):
        return Verdict(False, f"the {what} contain NaN or infinite values.",
                       "A map that is constant has max - min = 0: return zeros instead of dividing by 0.")
    low, high = float(heatmaps.min()), float(heatmaps.max())
    if low < -1e-6 or high > 1 + 1e-6:
        return Verdict(False, f"the {what} range from {low:.3g} to {high:.3g}, expected values in [0, 1].",
                       "Scale each map on its own: (cam - cam.min()) / (cam.max() - cam.min()).")
    return None


def _reference_problem(heatmaps, found: dict, classes, what: str, hint: str) -> Verdict | None:
    reference = np.asarray(found["reference"], dtype=np.float64)
    for index, (heatmap, wanted) in enumerate(zip(heatmaps, reference)):
        gap = float(np.abs(heatmap - wanted).mean())
        if gap > HEATMAP_TOLERANCE:
            return Verdict(False, f"the {what} {index} (class {int(classes[index])}) differs from the kit's "
                           f"Grad-CAM by {gap:.2f} on average (at most {HEATMAP_TOLERANCE} allowed).", hint)
    return None


def judge_heatmaps(found: dict, expected: dict) -> Verdict:
    heatmaps = np.asarray(found["heatmaps"])
    problem = _heatmap_problem(heatmaps, expected["shape"])
    if problem:
        return problem
    problem = _reference_problem(heatmaps, found, found["classes"], "heat map",
                                 "Explain image i for class_indices[i], at the layer named layer_name, on the "
                                 "pixels as given (0-255): the model rescales them itself.")
    if problem:
        return problem
    return Verdict(True, f"{len(heatmaps)} heat maps of shape {heatmaps.shape[1:]} in [0, 1] that match the "
                   "kit's Grad-CAM.")


def judge_corner(found: dict, expected: dict) -> Verdict:
    heatmaps = np.asarray(found["heatmaps"])
    problem = _heatmap_problem(heatmaps, expected["shape"])
    if problem:
        return problem
    half = IMAGE_SIDE // 2
    for index, (heatmap, corner) in enumerate(zip(heatmaps, expected["corners"])):
        quadrants = [heatmap[:half, :half], heatmap[:half, half:], heatmap[half:, :half], heatmap[half:, half:]]
        means = np.array([quadrant.mean() for quadrant in quadrants])
        strongest = int(np.argmax(means))
        others = np.delete(means, corner)
        if means[corner] < others.max() + CORNER_MARGIN:
            where = (f"is strongest in the {CORNERS[strongest]} quarter" if strongest != corner else
                     f"is barely stronger there than elsewhere (quarter means {np.round(means, 2).tolist()})")
            return Verdict(False, f"image {index} has its bright patch in the {CORNERS[corner]} corner, the only "
                           f"thing that decides its class, but its heat map {where}.",
                           "Explain each image for its own class (class_indices[i]) on the 0-255 pixels as given, "
                           "and keep rows as rows "
                           "when resizing: cv2.resize takes (width, height), tf.image.resize (height, width).")
    return Verdict(True, f"each of the {len(heatmaps)} heat maps is strongest in the corner with the bright patch.")


# --- explain_examples --------------------------------------------------------------------------

def _probe_explain(count: int, image_seed: int, n: int, seed: int):
    def probe(explain_examples, inputs_dir: Path) -> dict:
        model = corner_model()
        images, _ = corner_images(count, image_seed)
        classes = predicted_classes(model, images)
        result = explain_examples(model, images.copy(), n, seed, LAYER_NAME)
        again = explain_examples(model, images.copy(), n, seed, LAYER_NAME)
        if not isinstance(result, dict) or not isinstance(again, dict):
            raise TypeError(f"explain_examples must return a dict, got {type(result).__name__}")
        missing = [key for key in ("indices", "classes", "heatmaps", "overlays") if key not in result]
        if missing:
            raise KeyError(f"the dict explain_examples returns has no key(s) {missing}")
        indices = _indices(result["indices"], "indices")
        chosen = [index for index in indices if 0 <= index < count]
        reference = reference_heatmaps(model, images[chosen], classes[chosen], LAYER_NAME)
        overlays = reference_overlays(model, images[chosen], classes[chosen], LAYER_NAME) if chosen else \
            np.zeros((0, IMAGE_SIDE, IMAGE_SIDE, 3), np.uint8)
        return {"indices": indices, "again": _indices(again.get("indices", []), "indices"),
                "classes": _indices(result["classes"], "classes"),
                "heatmaps": _numeric(result["heatmaps"], "the heat maps"),
                "overlays": _numeric(result["overlays"], "the overlays"),
                "model_classes": classes, "reference_overlays": overlays, "reference": reference}
    return probe


def _expected_explain(count: int, n: int, seed: int):
    def expected(inputs_dir: Path) -> dict:
        return {"num_images": count, "n": n, "seed": seed}
    return expected


OVERLAY_TOLERANCE = 8.0   # mean absolute difference from tf-explain's overlay, 0-255 scale


def judge_explain(found: dict, expected: dict) -> Verdict:
    count, n = expected["num_images"], expected["n"]
    indices = [int(index) for index in found["indices"]]
    problem = judge_indices(indices, count, n)
    if problem:
        return problem
    if [int(index) for index in found["again"]] != indices:
        return Verdict(False, f"two calls with seed={expected['seed']} explained different images.",
                       "Draw the indices from np.random.default_rng(seed) (choose_examples), not the global np.random.")
    model_classes = np.asarray(found["model_classes"])[indices]
    classes = [int(value) for value in found["classes"]]
    if classes != model_classes.tolist():
        return Verdict(False, f"the classes explained are {classes}, but the model's argmax for images "
                       f"{indices} is {model_classes.tolist()}.",
                       "Predict on the images exactly as given (0-255): the model starts with Rescaling(1/255), "
                       "so dividing by 255 yourself gives it nearly black images. Scale only for display.")
    heatmaps = np.asarray(found["heatmaps"])
    problem = _heatmap_problem(heatmaps, [n, IMAGE_SIDE, IMAGE_SIDE])
    if problem:
        return problem
    problem = _reference_problem(heatmaps, found, classes, "heat map of example",
                                 "Example i's heat map is Grad-CAM of images[indices[i]] for classes[i], on 0-255 pixels.")
    if problem:
        return problem
    overlays, wanted = np.asarray(found["overlays"]), np.asarray(found["reference_overlays"])
    if overlays.shape != wanted.shape or overlays.dtype != np.uint8:
        return Verdict(False, f"the overlays have {describe(overlays)}, expected shape {wanted.shape} and dtype uint8.",
                       "GradCAM().explain((image[None], None), model, class_index, layer_name) gives one RGB "
                       "uint8 overlay per image; stack them.")
    gaps = np.abs(overlays.astype(np.float64) - wanted).mean(axis=(1, 2, 3))
    if len(gaps) and gaps.max() > OVERLAY_TOLERANCE:
        worst = int(np.argmax(gaps))
        return Verdict(False, f"overlay {worst} differs from tf-explain's overlay of that image and class by "
                       f"{gaps[worst]:.1f} on average (0-255 scale).",
                       "Make overlay i with GradCAM().explain on the uint8 image images[indices[i]] and classes[i]: "
                       "tf-explain multiplies float images by 255 for display, so a float 0-255 image comes out garbled.")
    return Verdict(True, f"{n} distinct images, each explained for the model's own prediction, heat maps in [0, 1] "
                   "matching the kit's.")


# --- plot_explanations -------------------------------------------------------------------------

def _plot_inputs(n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {"indices": rng.choice(200, size=n, replace=False).astype(np.int64),
            "classes": rng.integers(0, len(data.CLASS_NAMES), size=n).astype(np.int64),
            "heatmaps": rng.uniform(0, 1, size=(n, 20, 24)).astype(np.float32),
            "overlays": rng.integers(0, 256, size=(n, 20, 24, 3), dtype=np.uint8)}


def _probe_plot(n: int, seed: int):
    def probe(plot_explanations, inputs_dir: Path) -> dict:
        import matplotlib.pyplot as plt

        from ..plotdata import figure_data

        explanation = {key: value.copy() for key, value in _plot_inputs(n, seed).items()}
        figure = plot_explanations(explanation, list(data.CLASS_NAMES))
        try:
            found = figure_data(figure)
            found["colorbars"] = sum(1 for axes in figure.get_axes() if getattr(axes, "_colorbar", None))
            return found
        finally:
            plt.close("all")
    return probe


def _expected_plot(n: int, seed: int):
    def expected(inputs_dir: Path) -> dict:
        inputs = _plot_inputs(n, seed)
        return {"overlays": inputs["overlays"], "titles": [data.CLASS_NAMES[c] for c in inputs["classes"]]}
    return expected


def judge_plot(found: dict, expected: dict) -> Verdict:
    drawn = [axes for axes in found["axes"] if len(axes["images"])]
    want = len(expected["titles"])
    if len(drawn) != want:
        return Verdict(False, f"the figure has {len(drawn)} axes with an image, expected {want} (one per example).",
                       "Draw each example's overlay in its own subplot, and nothing else as an image.")
    if int(found.get("colorbars", 0)):
        return Verdict(False, "the figure has a colour bar, but the overlays are RGB pictures: a colour bar "
                       "(with vmin/vmax) reads no values from them.",
                       "GradCAM.explain returns a uint8 RGB image with the heat map already blended in: show it "
                       "with imshow alone, no vmin, vmax or colorbar.")
    for index, (axes, overlay, title) in enumerate(zip(drawn, expected["overlays"], expected["titles"])):
        image = np.asarray(axes["images"][0], dtype=np.float64)
        if image.size and image.max() <= 1.0:
            image = image * 255.0
        if image.shape[:2] != overlay.shape[:2] or image.ndim != 3 or \
                np.abs(image[..., :3] - overlay).mean() > 1.0:
            return Verdict(False, f"subplot {index} does not show example {index}'s overlay unchanged "
                           f"(found an image of shape {image.shape}).",
                           "imshow(explanation['overlays'][i]) in subplot i, the RGB picture as it is.")
        names = [name for name in data.CLASS_NAMES if name in axes["title"]]
        if names != [title]:
            return Verdict(False, f"subplot {index} is titled {axes['title']!r}, expected the predicted class "
                           f"{title!r}.",
                           "Title subplot i with class_names[explanation['classes'][i]].")
    return Verdict(True, f"{want} overlay(s), one per subplot, each titled with its predicted class.")


VISIBLE_CHOOSE = ((100, 6, 7),)
HIDDEN_CHOOSE = ((1000, 12, 3), (9, 9, 5), (2500, 40, 0))
CORNER_LABELS = (0, 1, 2, 3, 3, 2, 1, 0)

CHAPTER = Chapter(
    key="ch08",
    assignment="ch08_explainability",
    title="Explainability with Grad-CAM",
    prepare=prepare,
    per_check_seconds=60,
    environment=(("TF_USE_LEGACY_KERAS", "1"),),
    checks=(
        Check("check_choose_examples", "choose_examples", 1, True, "choose_examples(100, 6, seed=7)",
              _probe_choose(VISIBLE_CHOOSE, repeat=False), _expected_choose(VISIBLE_CHOOSE), judge_choose),
        Check("hidden_choose_examples", "choose_examples", 1, False,
              "choose_examples on a large split, with n equal to the split size, called twice per seed",
              _probe_choose(HIDDEN_CHOOSE, repeat=True), _expected_choose(HIDDEN_CHOOSE), judge_choose),
        Check("check_gradcam_heatmaps", "gradcam_heatmaps", 2, True,
              "gradcam_heatmaps on 6 generated 32 x 32 images and a small trained CNN",
              _probe_heatmaps(6, 21), _expected_heatmaps(6, 21), judge_heatmaps),
        Check("hidden_gradcam_corner", "gradcam_heatmaps", 2, False,
              "gradcam_heatmaps where the class is decided by a bright patch in one corner",
              _probe_heatmaps(len(CORNER_LABELS), 22, CORNER_LABELS),
              _expected_heatmaps(len(CORNER_LABELS), 22, CORNER_LABELS), judge_corner),
        Check("check_explain_examples", "explain_examples", 2, True,
              "explain_examples(model, 40 images, n=5, seed=2)",
              _probe_explain(40, 31, 5, 2), _expected_explain(40, 5, 2), judge_explain),
        Check("hidden_explain_examples", "explain_examples", 1, False,
              "explain_examples with n equal to the number of images",
              _probe_explain(8, 32, 8, 4), _expected_explain(8, 8, 4), judge_explain),
        Check("check_plot_explanations", "plot_explanations", 2, True, "plot_explanations with 4 examples",
              _probe_plot(4, 41), _expected_plot(4, 41), judge_plot),
        Check("hidden_plot_explanations", "plot_explanations", 1, False, "plot_explanations with a single example",
              _probe_plot(1, 42), _expected_plot(1, 42), judge_plot),
    ),
)
