"""Chapter 8's expected answers and the kit's own Grad-CAM. Trusted: never imports probes.

Two kinds of reference:

* ``gradcam_heatmap``'s is computed here in NumPy alone, from the tiny CNN's seeded weights
  (:class:`cases.TinyCNN`): the forward pass, the gradient of the class's probability with
  respect to the feature maps written out by hand, and Grad-CAM's four steps. It needs no model.
* The tf-explain checks explain the corner model. What needs that model (its argmax, the kit's
  tf-explain heat maps and overlays: :func:`predicted_classes`, :func:`reference_heatmaps`,
  :func:`reference_overlays`) is computed by the checks' trusted ``measure`` steps
  (:func:`measure_heatmaps`, :func:`measure_explain`), which the batch grader runs in the sandboxed
  evaluator (no student code there; started with the chapter's environment, so tf.keras is tf-keras)
  and nbgrader through ``nbcheck.measure_elsewhere``. They rebuild the corner model from its seeds
  (:func:`cases.corner_model`, on the CPU as in the worker), never from anything the student's
  process wrote, and add its answers to the plain data the probe returned. What is computed here
  from seeds alone (index contracts, the patches' corners, the plot's inputs) is the rest of the answer.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ... import data
from ..common import predicted_classes  # the model's argmax on the pixels given (0-255, as it was trained)
from . import cases

# --- Grad-CAM by hand, in NumPy (gradcam_heatmap) -------------------------------------------------


def _convolve_same(image: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """A 3 x 3 'same' convolution (Keras's cross-correlation, zero padding): (H, W, C) -> (H, W, K)."""
    height, width = image.shape[:2]
    padded = np.pad(image.astype(np.float64), ((1, 1), (1, 1), (0, 0)))
    patches = np.stack([padded[row:row + height, column:column + width]
                        for row in range(3) for column in range(3)], axis=2)      # (H, W, 9, C)
    return np.einsum("hwpc,pck->hwk", patches, kernel.reshape(9, *kernel.shape[2:]).astype(np.float64)) + bias


def _relu_scaled(cam: np.ndarray) -> np.ndarray:
    """ReLU, then divided by the maximum: values in [0, 1]; all zeros when nothing is positive."""
    cam = np.maximum(cam, 0.0)
    top = float(cam.max())
    return (cam / top if top > 0 else np.zeros_like(cam)).astype(np.float32)


def _min_max(cam: np.ndarray) -> np.ndarray:
    spread = float(cam.max() - cam.min())
    return ((cam - cam.min()) / spread if spread > 0 else np.zeros_like(cam)).astype(np.float32)


def features_and_gradients(case: cases.TinyCNN, class_index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step 1 and 2 for the tiny CNN: the feature maps A (h, w, K) of ``case.layer_name``, the
    gradient of the class's probability with respect to them (h, w, K), and the probabilities."""
    weights = case.weights()
    activations = case.image().astype(np.float64)
    for kernel, bias in zip(weights[:-2:2], weights[1:-2:2]):
        activations = np.maximum(_convolve_same(activations, kernel, bias), 0.0)
    dense, dense_bias = weights[-2].astype(np.float64), weights[-1].astype(np.float64)
    logits = activations.reshape(-1) @ dense + dense_bias
    probabilities = np.exp(logits - logits.max())
    probabilities /= probabilities.sum()
    # d p_c / d logits = p_c (e_c - p); back through the dense layer and Flatten (row-major, as Keras).
    d_logits = -probabilities[class_index] * probabilities
    d_logits[class_index] += probabilities[class_index]
    gradients = (dense @ d_logits).reshape(activations.shape)
    return activations, gradients, probabilities


def gradcam_by_hand(case: cases.TinyCNN, class_index: int) -> dict[str, np.ndarray]:
    """The kit's Grad-CAM of the tiny CNN's image for ``class_index``, and the maps that common
    slips give instead (each named after its slip), all (h, w) float32."""
    features, gradients, probabilities = features_and_gradients(case, class_index)
    channel_weights = gradients.mean(axis=(0, 1))                     # step 3: one weight per map
    cam = (features * channel_weights).sum(axis=-1)                   # step 4: weighted sum ...
    slips = {
        "no_relu": _min_max(cam),
        "per_column": _relu_scaled((features * gradients.mean(axis=0)[None]).sum(axis=-1)),
        "per_row": _relu_scaled((features * gradients.mean(axis=1)[:, None]).sum(axis=-1)),
        "not_averaged": _relu_scaled((features * gradients).sum(axis=-1)),
    }
    argmax = int(np.argmax(probabilities))
    if argmax != class_index:
        features, gradients, _ = features_and_gradients(case, argmax)
        slips["argmax"] = _relu_scaled((features * gradients.mean(axis=(0, 1))).sum(axis=-1))
    return {"heatmap": _relu_scaled(cam), **slips}                     # ... ReLU, scaled to [0, 1]


def gradcam_heatmap(case: cases.TinyCNN, inputs_dir: Path) -> dict:
    maps = [gradcam_by_hand(case, class_index) for class_index in case.class_indices]
    return {"class_indices": list(case.class_indices), "shape": [case.height, case.width],
            "heatmaps": [found["heatmap"] for found in maps],
            "slips": [{name: value for name, value in found.items() if name != "heatmap"} for found in maps]}


# --- the kit's tf-explain Grad-CAM (run by the measure steps, on the kit's own corner model) ---------

def _normalise(heatmap: np.ndarray) -> np.ndarray:
    low, high = float(heatmap.min()), float(heatmap.max())
    if not np.isfinite(high - low) or high - low <= 1e-12 * max(abs(high), 1e-30):
        return np.zeros_like(heatmap, dtype=np.float32)
    return ((heatmap - low) / (high - low)).astype(np.float32)


def reference_heatmaps(model, images: np.ndarray, class_indices, layer_name: str) -> np.ndarray:
    """The kit's Grad-CAM, computed as tf-explain's GradCAM does, then resized and scaled.

    For each image: the gradients of the class's output with respect to the layer's feature
    maps, kept only where both they and the feature map are positive (tf-explain's default
    ``use_guided_grads=True``), averaged per channel; the heat map is the channels' sum
    weighted by those averages, resized (bilinear) to the image and scaled to [0, 1].
    Returns float32 (N, H, W).
    """
    tf = cases.tensorflow_with_tf_keras()
    images = np.asarray(images, np.float32)
    height, width = images.shape[1:3]
    grad_model = tf.keras.Model(model.inputs, [model.get_layer(layer_name).output, model.output])
    heatmaps = []
    for image, class_index in zip(images, class_indices):
        with tf.GradientTape() as tape:
            features, predictions = grad_model(tf.constant(image[None]))
            score = predictions[:, int(class_index)]
        gradients = tape.gradient(score, features)[0].numpy()
        features = features[0].numpy()
        kept = gradients * (gradients > 0) * (features > 0)
        cam = (features * kept.mean(axis=(0, 1))).sum(axis=-1)
        resized = tf.image.resize(cam[..., None], (height, width), method="bilinear").numpy()[..., 0]
        heatmaps.append(_normalise(resized))
    return np.stack(heatmaps) if heatmaps else np.zeros((0, height, width), np.float32)


def reference_overlays(model, images: np.ndarray, class_indices, layer_name: str) -> np.ndarray:
    """tf-explain's own overlay (GradCAM.explain), one image at a time: uint8 (N, H, W, 3)."""
    from tf_explain.core.grad_cam import GradCAM

    cases.tensorflow_with_tf_keras()
    explainer = GradCAM()
    # uint8 in: tf-explain shows float images as if they were in [0, 1] (it multiplies by 255).
    return np.stack([explainer.explain((np.asarray(image, np.uint8)[None], None), model, int(class_index),
                                       layer_name=layer_name) for image, class_index in zip(images, class_indices)])


# --- the trusted measure steps: the kit's answers from the kit's own corner model --------------------

def measure_heatmaps(case: cases.Heatmaps):
    """``measure`` of a ``gradcam_heatmaps`` check: the model's argmax for the case's images (the classes
    the probe asked for) and the kit's heat maps for them, added to what the student's function returned."""
    def measure(found: dict, private_dir: Path) -> dict:
        tf = cases.tensorflow_with_tf_keras()
        with tf.device("/CPU:0"):
            model = cases.corner_model()
            images, _ = case.images()
            classes = predicted_classes(model, images)
            reference = reference_heatmaps(model, images, classes, cases.LAYER_NAME)
        return {**found, "classes": classes, "reference": reference}
    measure.elsewhere = True   # under nbgrader too: in the sandboxed evaluator, never in the student's kernel
    return measure


def measure_explain(case: cases.Explain):
    """``measure`` of an ``explain_examples`` check: on the images the student's function chose, the
    model's argmax, the kit's heat maps and overlays for it, the kit's heat maps for the classes the
    student named, and the model's answers on pixels divided by 255 (which tells that fault apart)."""
    def measure(found: dict, private_dir: Path) -> dict:
        tf = cases.tensorflow_with_tf_keras()
        indices = [int(index) for index in found["indices"]]
        named = [int(value) for value in found["classes"]]
        with tf.device("/CPU:0"):
            model = cases.corner_model()
            images = case.images()
            classes = predicted_classes(model, images)
            chosen = [index for index in indices if 0 <= index < case.count]
            reference = reference_heatmaps(model, images[chosen], classes[chosen], cases.LAYER_NAME)
            overlays = reference_overlays(model, images[chosen], classes[chosen], cases.LAYER_NAME) if chosen \
                else np.zeros((0, cases.IMAGE_SIDE, cases.IMAGE_SIDE, 3), np.uint8)
            named_ok = len(named) == len(chosen) and all(0 <= value < len(cases.CORNERS) for value in named)
            for_named = reference_heatmaps(model, images[chosen], named, cases.LAYER_NAME) if named_ok and chosen \
                else np.zeros((0, cases.IMAGE_SIDE, cases.IMAGE_SIDE), np.float32)
            scaled_classes = predicted_classes(model, images.astype(np.float32) / 255.0)
        return {**found, "model_classes": classes, "scaled_classes": scaled_classes, "reference_overlays": overlays,
                "reference": reference, "reference_for_named": for_named}
    measure.elsewhere = True
    return measure


# --- the expected answers, one per stub -----------------------------------------------------------

def choose_examples(case: cases.Choose, inputs_dir: Path) -> dict:
    return {"cases": [{"num_images": num, "n": n, "seed": seed} for num, n, seed in case.calls]}


def gradcam_heatmaps(case: cases.Heatmaps, inputs_dir: Path) -> dict:
    _, patch_corners = case.images()
    return {"shape": [case.count, cases.IMAGE_SIDE, cases.IMAGE_SIDE], "corners": patch_corners.tolist(),
            "corner": case.corner}


def explain_examples(case: cases.Explain, inputs_dir: Path) -> dict:
    return {"num_images": case.count, "n": case.n, "seed": case.seed, "other_seed": case.other_seed}


def plot_explanations(case: cases.Plot, inputs_dir: Path) -> dict:
    inputs = case.inputs()
    return {"overlays": inputs["overlays"], "titles": [data.CLASS_NAMES[c] for c in inputs["classes"]]}
