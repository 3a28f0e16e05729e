"""Chapter 8's judges: pure functions from (found, expected) plain data to a Verdict."""
from __future__ import annotations

import numpy as np

from ... import data
from ...core import Verdict
from ..common import describe
from .cases import CORNERS, IMAGE_SIDE

CORNER_MARGIN = 0.05      # the patch's quarter must be this much hotter (mean) than any other
HEATMAP_TOLERANCE = 0.1   # mean absolute difference from the kit's tf-explain heat map (values in [0, 1])
OVERLAY_TOLERANCE = 8.0   # mean absolute difference from tf-explain's overlay, 0-255 scale
BY_HAND_TOLERANCE = 0.02  # largest absolute difference from the kit's Grad-CAM by hand (values in [0, 1])
# The student side has no kit Grad-CAM (only the grader's measure steps add it to what was found): there a
# tf-explain check judges what it can see, and its message ends with this.
WHEN_GRADED = "the comparison with the kit's Grad-CAM is made when your work is graded."

# --- choose_examples -------------------------------------------------------------------------------


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


def choose_examples(found: dict, expected: dict) -> Verdict:
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


# --- gradcam_heatmap (Grad-CAM by hand) ------------------------------------------------------------

SLIP_HINTS = {
    "no_relu": ("it matches the weighted sum scaled with (map - min) / (max - min), without the ReLU",
                "Step 4 keeps only evidence for the class: cam = tf.nn.relu(cam) before dividing by its maximum. "
                "Without the ReLU, cells that speak against the class are lifted above zero by the scaling."),
    "per_column": ("it matches channel weights averaged over the height only (one weight per column and channel)",
                   "Average the gradients over height and width together, one number per feature map: with a batch "
                   "axis in front, (1, h, w, K), that is tf.reduce_mean(gradients, axis=(0, 1, 2)) or axis=(1, 2) "
                   "then [0]; axis=(0, 1) averages over the batch and the height."),
    "per_row": ("it matches channel weights averaged over the width only (one weight per row and channel)",
                "Average the gradients over height and width together, one number per feature map "
                "(axis=(0, 1) for an (h, w, K) array)."),
    "not_averaged": ("it matches gradient times feature map summed over the channels, without averaging the "
                     "gradients first",
                     "Step 3: each feature map gets one weight, the mean of its gradients over height and width; "
                     "multiply the whole map by that number."),
    "argmax": ("it matches the map for the model's top class instead of class_index",
               "Take the score of the class asked for, predictions[:, class_index], not the argmax."),
}


def _by_hand_problem(heatmap: np.ndarray, shape: list[int], what: str) -> Verdict | None:
    height, width = shape
    if heatmap.shape != (height, width):
        hint = (f"Return the map on the layer's own grid, (h, w) = ({height}, {width}) here: drop the batch axis "
                "and sum over the channels; do not resize it.")
        if heatmap.shape == (width, height):
            hint = "Keep the feature maps' axes as they are, (h, w): the map came back transposed."
        return Verdict(False, f"{what} has {describe(heatmap)}, expected shape ({height}, {width}), the grid of "
                       "the layer explained.", hint)
    if not np.issubdtype(heatmap.dtype, np.floating):
        return Verdict(False, f"{what} has dtype {heatmap.dtype}, expected a float type.",
                       "Keep the map as floats in [0, 1].")
    if not np.all(np.isfinite(heatmap)):
        return Verdict(False, f"{what} contains NaN or infinite values.",
                       "When nothing is positive after the ReLU the maximum is 0: return zeros instead of dividing.")
    low, high = float(heatmap.min()), float(heatmap.max())
    if low < -1e-6 or high > 1 + 1e-6:
        hint = "Divide the map by its maximum after the ReLU, so values lie in [0, 1]."
        if low < -1e-6:
            hint = ("Negative values mean the ReLU is missing: cam = tf.nn.relu(cam), then divide by its maximum.")
        return Verdict(False, f"{what} ranges from {low:.3g} to {high:.3g}, expected values in [0, 1].", hint)
    return None


def gradcam_heatmap(found: dict, expected: dict) -> Verdict:
    heatmaps = found["heatmaps"]
    classes = expected["class_indices"]
    if len(heatmaps) != len(classes):
        return Verdict(False, f"{len(heatmaps)} heat map(s) came back for {len(classes)} call(s).",
                       "Return one map per call.")
    for heatmap, class_index, wanted, slips in zip(heatmaps, classes, expected["heatmaps"], expected["slips"]):
        heatmap = np.asarray(heatmap)
        what = f"the heat map for class {class_index}"
        problem = _by_hand_problem(heatmap, expected["shape"], what)
        if problem:
            return problem
        gap = float(np.abs(heatmap.astype(np.float64) - wanted).max())
        if gap <= BY_HAND_TOLERANCE:
            continue
        for name, slip in slips.items():
            if float(np.abs(heatmap.astype(np.float64) - slip).max()) <= BY_HAND_TOLERANCE:
                looks, hint = SLIP_HINTS[name]
                return Verdict(False, f"{what} differs from the kit's Grad-CAM by up to {gap:.2f}: {looks}.", hint)
        return Verdict(False, f"{what} differs from the kit's Grad-CAM by up to {gap:.2f} (at most "
                       f"{BY_HAND_TOLERANCE} allowed).",
                       "Follow the four steps at the layer named layer_name (model.get_layer(layer_name)): "
                       "features and predictions from one model with two outputs, inside tf.GradientTape; gradient "
                       "of predictions[:, class_index] with respect to the features; one weight per feature map "
                       "(mean over height and width); weighted sum, ReLU, divide by the maximum.")
    return Verdict(True, f"{len(classes)} heat map(s) of shape {tuple(expected['shape'])} in [0, 1] that match the "
                   "kit's Grad-CAM.")


# --- gradcam_heatmaps (tf-explain) -----------------------------------------------------------------

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


def _gaps(heatmaps, reference) -> np.ndarray:
    heatmaps, reference = np.asarray(heatmaps, np.float64), np.asarray(reference, np.float64)
    if heatmaps.shape != reference.shape:
        return np.full(len(reference), np.inf)
    return np.abs(heatmaps - reference).reshape(len(reference), -1).mean(axis=1) if len(reference) else np.zeros(0)


def _reference_problem(heatmaps, found: dict, classes, what: str, hint: str) -> Verdict | None:
    for index, gap in enumerate(_gaps(heatmaps, found["reference"])):
        if gap > HEATMAP_TOLERANCE:
            return Verdict(False, f"the {what} {index} (class {int(classes[index])}) differs from the kit's "
                           f"Grad-CAM by {gap:.2f} on average (at most {HEATMAP_TOLERANCE} allowed).", hint)
    return None


def judge_heatmaps(found: dict, expected: dict) -> Verdict:
    heatmaps = np.asarray(found["heatmaps"])
    problem = _heatmap_problem(heatmaps, expected["shape"])
    if problem:
        return problem
    if "reference" not in found:  # the student side: no kit Grad-CAM to compare with
        return Verdict(True, f"{len(heatmaps)} heat maps of shape {heatmaps.shape[1:]} in [0, 1]; {WHEN_GRADED}")
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


def gradcam_heatmaps(found: dict, expected: dict) -> Verdict:
    """A ``corner`` case is judged by where each map is strongest; else the maps are compared with the
    kit's tf-explain maps."""
    return judge_corner(found, expected) if expected.get("corner") else judge_heatmaps(found, expected)


# --- explain_examples ------------------------------------------------------------------------------

def _wrong_classes(found: dict, indices: list[int], classes: list[int], model_classes: list[int]) -> Verdict:
    message = f"the classes explained are {classes}, but the model's argmax for images {indices} is {model_classes}."
    # Heat maps of the images as given (0-255) for the classes named: the pixels were right, the class was not.
    pixels_as_given = bool(len(found["reference_for_named"])) and \
        bool(np.all(_gaps(found["heatmaps"], found["reference_for_named"]) <= HEATMAP_TOLERANCE))
    scaled = [int(value) for value in np.asarray(found["scaled_classes"])[indices]]
    if len(set(classes)) == 1 and len(set(model_classes)) > 1 and (pixels_as_given or classes != scaled):
        also = (" If you did predict, look at the pixels you predicted on: divided by 255 they are nearly black to "
                "this model (it rescales them itself), and it answers the same class for all of them."
                if classes == scaled else "")
        return Verdict(False, f"the classes explained are {classes}, class {classes[0]} for every image, but the "
                       f"model's argmax for images {indices} is {model_classes}.",
                       "Explain each image for the model's own answer: classes = np.argmax(model.predict(chosen), "
                       "axis=1), one class per image, then pass classes[i] to Grad-CAM. A fixed class_index (0, or "
                       "one copied from an example) explains a class the model did not choose." + also)
    if classes == scaled and not pixels_as_given:
        return Verdict(False, message,
                       "Predict on the images exactly as given (0-255): the model starts with Rescaling(1/255), "
                       "so dividing by 255 yourself gives it nearly black images. Scale only for display.")
    return Verdict(False, message,
                   "classes[i] is the model's prediction for images[indices[i]]: np.argmax(model.predict(chosen), "
                   "axis=1) on the 0-255 pixels, whether or not it is the true label.")


def explain_examples(found: dict, expected: dict) -> Verdict:
    count, n = expected["num_images"], expected["n"]
    indices = [int(index) for index in found["indices"]]
    problem = judge_indices(indices, count, n)
    if problem:
        return problem
    if [int(index) for index in found["again"]] != indices:
        return Verdict(False, f"two calls with seed={expected['seed']} explained different images.",
                       "Draw the indices from np.random.default_rng(seed) (choose_examples), not the global np.random.")
    if n < count and [int(index) for index in found["other"]] == indices:
        first = " (the first n)" if indices == list(range(n)) else ""
        return Verdict(False, f"seed={expected['seed']} and seed={expected['other_seed']} explained the same images "
                       f"{indices}{first}: the seed is ignored.",
                       "Choose the images with choose_examples(len(images), n, seed), so that the seed decides which "
                       "ones are explained; images[:n] always explains the same ones.")
    if "model_classes" not in found:  # the student side: neither the model's answers nor the kit's Grad-CAM
        return _explain_preview(found, n)
    model_classes = [int(value) for value in np.asarray(found["model_classes"])[indices]]
    classes = [int(value) for value in found["classes"]]
    if classes != model_classes:
        return _wrong_classes(found, indices, classes, model_classes)
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


def _explain_preview(found: dict, n: int) -> Verdict:
    """What the student side can judge of explain_examples: one class of the model per example, and the
    heat maps' and overlays' form. The classes' agreement with the model's own predictions, and the heat
    maps and overlays themselves, are judged when the work is graded."""
    classes = [int(value) for value in found["classes"]]
    if len(classes) != n:
        return Verdict(False, f"{len(classes)} classes came back for {n} examples.",
                       "classes[i] is the model's prediction for images[indices[i]]: one class per example.")
    outside = [value for value in classes if not 0 <= value < len(CORNERS)]
    if outside:
        return Verdict(False, f"the classes {outside[:5]} are not classes of this model (0..{len(CORNERS) - 1}).",
                       "classes[i] is the model's prediction for images[indices[i]]: np.argmax(model.predict(chosen), "
                       "axis=1) on the 0-255 pixels.")
    heatmaps = np.asarray(found["heatmaps"])
    problem = _heatmap_problem(heatmaps, [n, IMAGE_SIDE, IMAGE_SIDE])
    if problem:
        return problem
    overlays, shape = np.asarray(found["overlays"]), (n, IMAGE_SIDE, IMAGE_SIDE, 3)
    if overlays.shape != shape or overlays.dtype != np.uint8:
        return Verdict(False, f"the overlays have {describe(overlays)}, expected shape {shape} and dtype uint8.",
                       "GradCAM().explain((image[None], None), model, class_index, layer_name) gives one RGB "
                       "uint8 overlay per image; stack them.")
    return Verdict(True, f"{n} distinct images, one class each, heat maps in [0, 1] and uint8 overlays of the "
                   f"right shape; whether each class is the model's own prediction is checked, and {WHEN_GRADED}")


# --- plot_explanations -----------------------------------------------------------------------------

def plot_explanations(found: dict, expected: dict) -> Verdict:
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
