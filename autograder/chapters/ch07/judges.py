"""Chapter 7's judges: pure functions from (found, expected) plain data to a Verdict. Each names
the usual slip it recognises (a transposed matrix, logits taken for probabilities, a dataset read
twice, min-max stretching) and says how to fix it."""
from __future__ import annotations

import re

import numpy as np

from ... import data
from ...core import Verdict
from ..common import describe, softmax
from ..earned import judge_accuracy

METRICS = ("accuracy", "loss")
DROPOUT_RANGE = (0.1, 0.5)   # the fraction of units a Dropout layer drops
RESULT_KEYS = ("labels", "predicted", "probabilities", "images")


def _close(a, b, atol: float = 1e-6) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, atol=atol))


def _find_line(lines: list[dict], values: list[float]) -> dict | None:
    return next((line for line in lines if _close(line["y"], values)), None)


def _judge_panel(axes: dict, metric: str, expected: dict) -> Verdict:
    values, epochs = expected["values"], expected["epochs"]
    where = f"the {metric} panel"
    train, validation = _find_line(axes["lines"], values[metric]), _find_line(axes["lines"], values[f"val_{metric}"])
    if train is None or validation is None:
        missing = f"history.history['{metric}']" if train is None else f"history.history['val_{metric}']"
        return Verdict(False, f"{where} has no line whose y values are {missing}.",
                       f"Plot history.history['{metric}'] and history.history['val_{metric}'] on the "
                       f"{'first' if metric == 'accuracy' else 'second'} axes, unchanged.")
    for line in (train, validation):
        if not _close(line["x"], epochs):
            hint = "Use the epoch numbers 1..E as x: plt.plot(epochs, values) with epochs = range(1, E + 1)."
            if _close(line["x"], [e - 1 for e in epochs]):
                hint = "plot(values) numbers the points from 0; people count epochs from 1: pass x = range(1, E + 1)."
            return Verdict(False, f"{where}: x values are {np.asarray(line['x']).tolist()}, expected {epochs}.", hint)
    if "val" in train["label"].lower() or "train" not in train["label"].lower():
        return Verdict(False, f"{where}: the training curve is labelled {train['label']!r}.",
                       "Label the training curve with a name containing 'Training' (label='Training accuracy').")
    if "val" not in validation["label"].lower():
        return Verdict(False, f"{where}: the validation curve is labelled {validation['label']!r}.",
                       "Label the validation curve with a name containing 'Validation'.")
    if not {train["label"], validation["label"]} <= set(axes["legend"]):
        return Verdict(False, f"{where} has legend entries {axes['legend']}.",
                       "Call ax.legend() after plotting with label=..., so the reader knows which curve is which.")
    if "epoch" not in axes["xlabel"].lower():
        return Verdict(False, f"{where}: the x axis is labelled {axes['xlabel']!r}.", "ax.set_xlabel('Epoch').")
    if metric not in axes["ylabel"].lower():
        return Verdict(False, f"{where}: the y axis is labelled {axes['ylabel']!r}.",
                       f"ax.set_ylabel('{metric.capitalize()}').")
    return Verdict(True, "")


def plot_history(found: dict, expected: dict) -> Verdict:
    panels = [axes for axes in found["axes"] if axes["lines"]]
    if len(panels) != 2:
        return Verdict(False, f"the figure has {len(panels)} axes with curves, expected 2 (accuracy, then loss).",
                       "fig, (accuracy_axes, loss_axes) = plt.subplots(1, 2): one panel per quantity, "
                       "other keys of history.history are not plotted.")
    if (_find_line(panels[0]["lines"], expected["values"]["loss"]) is not None
            and _find_line(panels[1]["lines"], expected["values"]["accuracy"]) is not None):
        return Verdict(False, "the loss is in the first panel and the accuracy in the second.",
                       "Put accuracy first (left) and loss second (right).")
    for axes, metric in zip(panels, METRICS):
        verdict = _judge_panel(axes, metric, expected)
        if not verdict.ok:
            return verdict
    return Verdict(True, f"accuracy and loss panels, training and validation curves over epochs 1-"
                   f"{expected['epochs'][-1]}, labelled axes and legends.")


def _divide(matrix: np.ndarray, axis: int | None) -> np.ndarray:
    totals = matrix.sum(axis=axis, keepdims=axis is not None).astype(np.float64)
    return matrix / np.where(totals == 0, 1, totals)


def compare_matrix(matrix: np.ndarray, counts: np.ndarray, normalized: bool) -> Verdict:
    """Compare a matrix with the grader's counts (or their row-normalised form), naming the usual slips."""
    rows = _divide(counts, 1)
    want = rows if normalized else counts
    if _close(matrix, want, 1e-4):
        return Verdict(True, "")
    if _close(matrix, want.T, 1e-4):
        return Verdict(False, "it is transposed: its rows are the predicted classes.",
                       "Rows are the TRUE classes and columns the PREDICTED ones: matrix[true, predicted]. "
                       "tf.math.confusion_matrix(labels, predictions) already has that layout.")
    if normalized and _close(matrix, counts, 1e-4):
        return Verdict(False, "it shows counts, but normalize=True asks for fractions.",
                       "Divide each row by its sum, so each row shows how the photos of one true class were predicted.")
    if not normalized and (_close(matrix, rows, 1e-4) or _close(matrix, rows.T, 1e-4)):
        return Verdict(False, "it shows fractions, but counts were asked for (normalize=False).",
                       "Normalise only when normalize is True; otherwise show how many photos fall in each cell.")
    if normalized and (_close(matrix, _divide(counts, 0), 1e-4) or _close(matrix, _divide(counts, None), 1e-4)):
        return Verdict(False, "it is normalised the wrong way: its rows do not each sum to 1.",
                       "Divide each row by its own sum (the number of photos of that true class): "
                       "matrix / matrix.sum(axis=1, keepdims=True).")
    difference = np.abs(np.asarray(matrix, dtype=np.float64) - want)
    row, column = np.unravel_index(int(difference.argmax()), difference.shape)
    return Verdict(False, f"cell [{row}, {column}] is {np.asarray(matrix)[row, column]:g}, expected "
                   f"{want[row, column]:g} (the grader's matrix from the same labels and predictions).",
                   "Count photos with true class i and predicted class j in cell [i, j].")


def plot_confusion_matrix(found: dict, expected: dict) -> Verdict:
    heatmaps = [(axes, mesh) for axes in found["axes"] for mesh in axes["meshes"]]
    if len(heatmaps) != 1:
        return Verdict(False, f"the figure holds {len(heatmaps)} heat maps, expected 1.",
                       "Draw the matrix once with sns.heatmap(matrix, ax=ax, ...).")
    axes, mesh = heatmaps[0]
    counts, names = expected["counts"], expected["class_names"]
    matrix = np.asarray(mesh, dtype=np.float64)
    if matrix.ndim == 1 and matrix.size == counts.size:
        matrix = matrix.reshape(counts.shape)
    if matrix.shape != counts.shape:
        return Verdict(False, f"the heat map is {matrix.shape}, expected {counts.shape}.",
                       "Show one row and one column per class name.")
    verdict = compare_matrix(matrix, counts, expected["normalize"])
    if not verdict.ok:
        return Verdict(False, f"the heat map's matrix: {verdict.message}", verdict.hint)
    for axis in ("x", "y"):
        ticks = [text.strip() for text in axes[f"{axis}ticklabels"]]
        if ticks != names:
            return Verdict(False, f"the {axis} tick labels are {ticks}, expected {names}.",
                           "Pass xticklabels=class_names and yticklabels=class_names to sns.heatmap.")
    xlabel, ylabel = axes["xlabel"].lower(), axes["ylabel"].lower()
    if "pred" in ylabel and "true" in xlabel:
        return Verdict(False, f"the axis labels are swapped (x: {axes['xlabel']!r}, y: {axes['ylabel']!r}).",
                       "Rows (the y axis) are the true classes, columns (the x axis) the predicted ones.")
    if "pred" not in xlabel or "true" not in ylabel:
        return Verdict(False, f"the axes are labelled x: {axes['xlabel']!r}, y: {axes['ylabel']!r}.",
                       "ax.set_xlabel('Predicted class') and ax.set_ylabel('True class').")
    kind = "fractions per true class" if expected["normalize"] else "counts"
    return Verdict(True, f"a heat map of the grader's {counts.shape[0]} x {counts.shape[0]} matrix ({kind}), "
                   "class names on both axes, axes labelled.")


def _title_parts(title: str) -> tuple[str | None, str | None, float | None]:
    true = re.search(r"true\W*([a-z]+)", title, re.IGNORECASE)
    predicted = re.search(r"pred\w*\W*([a-z]+)", title, re.IGNORECASE)
    confidence = re.search(r"conf\w*\W*(-?\d*\.?\d+)", title, re.IGNORECASE)
    return (true.group(1).lower() if true else None, predicted.group(1).lower() if predicted else None,
            float(confidence.group(1)) if confidence else None)


def _judge_shown_image(shown: np.ndarray, image: np.ndarray, position: int) -> Verdict:
    shown = np.asarray(shown)
    if shown.ndim != 3 or shown.shape[:2] != image.shape[:2]:
        return Verdict(False, f"subplot {position} shows an image of shape {shown.shape}, expected {image.shape}.",
                       "Show results['images'][index] for each index, in order.")
    scaled = shown[..., :3].astype(np.float64)
    if shown.dtype.kind == "f" and scaled.max() > 1.0 + 1e-6:
        return Verdict(False, f"subplot {position} shows a float image with values up to {scaled.max():.0f}.",
                       "imshow expects floats in [0, 1] and clips the rest, so the photo turns white: "
                       "show to_display(image).")
    if shown.dtype.kind in "ui":
        scaled = scaled / 255.0
    if np.abs(scaled - np.clip(image / 255.0, 0, 1)).mean() > 0.01:
        return Verdict(False, f"subplot {position} does not show image {position} divided by 255.",
                       "Show to_display(results['images'][index]): pixels / 255, without stretching.")
    return Verdict(True, "")


def plot_predictions(found: dict, expected: dict) -> Verdict:
    indices, names = expected["indices"], list(data.CLASS_NAMES)
    drawn = [axes for axes in found["axes"] if axes["images"]]
    if len(drawn) != len(indices):
        return Verdict(False, f"the figure shows {len(drawn)} images, expected {len(indices)} (one per index).",
                       "Draw one subplot per index; with a single index plt.subplots returns one Axes, not an "
                       "array (squeeze=False keeps it a grid).")
    for position, (axes, index) in enumerate(zip(drawn, indices)):
        verdict = _judge_shown_image(axes["images"][0], expected["images"][index], position)
        if not verdict.ok:
            return verdict
        true, predicted, confidence = _title_parts(axes["title"])
        want_true, want_predicted = names[expected["labels"][index]], names[expected["predicted"][index]]
        if true is None or predicted is None or confidence is None:
            return Verdict(False, f"subplot {position}'s title {axes['title']!r} lacks a true class, a predicted "
                           "class or a confidence.",
                           "Title each image 'True: <name>\\nPredicted: <name>\\nConfidence: <0.00>'.")
        if (true, predicted) != (want_true, want_predicted):
            return Verdict(False, f"subplot {position} says true {true!r}, predicted {predicted!r}; expected true "
                           f"{want_true!r}, predicted {want_predicted!r} (index {index}).",
                           "Look the names up with class_names[results['labels'][index]] and "
                           "class_names[results['predicted'][index]].")
        row = expected["probabilities"][index].astype(np.float64)
        if abs(confidence - row.max()) > 0.006:
            hint = "The confidence is the probability of the predicted class, the row's largest, with 2 decimals."
            if abs(confidence - row[expected["labels"][index]]) <= 0.006:
                hint = "That is the probability of the TRUE class; the confidence is that of the PREDICTED class."
            elif confidence > 1:
                hint = "Show a probability between 0 and 1 (2 decimals), not a percentage or a logit."
            return Verdict(False, f"subplot {position}'s confidence is {confidence:g}, expected {row.max():.2f}.", hint)
    return Verdict(True, f"{len(indices)} images shown for display, titled with true and predicted class and "
                   "the confidence.")


def build_improved_model(found: dict, expected: dict) -> Verdict:
    classes, rate = expected["num_classes"], expected["learning_rate"]
    shape = list(found["output_shape"])
    if shape != [None, classes]:
        return Verdict(False, f"the model's output shape is {tuple(shape)}, expected (None, {classes}).",
                       "End with Dense(num_classes): one output per class, and use the num_classes argument.")
    if not found["compiled"]:
        return Verdict(False, "the model is not compiled.",
                       "Call model.compile(optimizer=..., loss=..., metrics=['accuracy']) before returning it.")
    loss = found["loss"]
    if found["softmax_output"] and loss["from_logits"]:
        return Verdict(False, "the model ends in a softmax, yet its loss is compiled with from_logits=True.",
                       "The pair contradicts itself: from_logits=True says the outputs are raw scores, but a "
                       "softmax output is already probabilities. Keras 3 notices, warns and computes the loss from "
                       "the scores behind the softmax, so training goes on unharmed; the harm comes later, when "
                       "collect_predictions applies its softmax to outputs that are already probabilities and "
                       "squashes every confidence towards 1/C. This chapter's model outputs logits: keep the last "
                       "layer linear (Dense(num_classes) with no activation) and keep from_logits=True.")
    if found["softmax_output"]:
        return Verdict(False, "the model ends in a softmax; this chapter's model outputs logits.",
                       "Remove the softmax (Dense(num_classes) with no activation) and compile with "
                       "SparseCategoricalCrossentropy(from_logits=True); apply softmax only when you need probabilities.")
    if not loss["from_logits"]:
        return Verdict(False, f"the output is logits but the loss ({loss['name']}) has from_logits=False.",
                       "This is the harmful pair: without from_logits=True the loss reads raw scores (any real "
                       "numbers) as probabilities, so it measures the wrong thing and the model learns poorly. Use "
                       "keras.losses.SparseCategoricalCrossentropy(from_logits=True).")
    if "sparsecategoricalcrossentropy" not in loss["name"].replace("_", "").lower():
        return Verdict(False, f"the loss is {loss['name']}, expected SparseCategoricalCrossentropy.",
                       "Labels are class indices (0-4), which is what the sparse cross-entropy expects.")
    if str(found["optimizer"]).lower() != "adam":
        return Verdict(False, f"the optimizer is {found['optimizer']}, expected Adam.",
                       "Compile with keras.optimizers.Adam(learning_rate=learning_rate).")
    found_rate = found["learning_rate"]
    if found_rate is None or not np.isclose(found_rate, rate, rtol=1e-4, atol=0):
        return Verdict(False, f"the optimizer's learning rate is {found_rate}, expected {rate} (the argument).",
                       "Pass the learning_rate argument on: keras.optimizers.Adam(learning_rate=learning_rate).")
    metrics = [name.lower() for name in found["metrics"]]
    if not any("acc" in name for name in metrics):
        return Verdict(False, f"the model is compiled with metrics {found['metrics']}, expected accuracy among them.",
                       "Add metrics=['accuracy'] to compile, so the History records accuracy and val_accuracy.")
    if not any(np.isclose(scale, 1 / 255, rtol=1e-3) for scale in found["rescaling"]):
        return Verdict(False, f"no Rescaling(1/255) layer found (Rescaling scales: {found['rescaling']}).",
                       "Inputs arrive as pixels 0-255: start with layers.Rescaling(1/255) inside the model.")
    rates = found["dropout_rates"]
    if not rates:
        return Verdict(False, "the model has no Dropout layer.",
                       "Add layers.Dropout(rate) after Flatten and after the Dense(128) layer.")
    low, high = DROPOUT_RANGE
    outside = [r for r in rates if not low <= r <= high]
    if outside:
        return Verdict(False, f"Dropout rates {rates}: {outside} lie outside {low}-{high}.",
                       f"In Keras the rate is the fraction of units DROPPED, not kept: Dropout({outside[0]}) "
                       f"switches off {outside[0]:.0%} of the units at every step. Use a rate between {low} and {high}.")
    if not found["l2_factors"]:
        return Verdict(False, "no layer has an L2 kernel regularizer.",
                       "Pass kernel_regularizer=keras.regularizers.L2(factor) to the Conv2D and Dense(128) layers.")
    if found["foreign_layers"]:
        return Verdict(False, f"the model uses layers that are not standard Keras layers: {found['foreign_layers']}.",
                       "Use only keras.layers: the grader rebuilds your model from its configuration.")
    if found["parameters"] > expected["cap"]:
        return Verdict(False, f"the model has {found['parameters']:,} parameters, more than {expected['cap']:,}.",
                       "Keep the chapter 6 architecture: three Conv2D + MaxPooling2D blocks before Flatten.")
    return Verdict(True, f"logits output {tuple(shape)}, {loss['name']}(from_logits=True), Adam with learning rate "
                   f"{found_rate:g}, dropout {rates}, L2 on {len(found['l2_factors'])} layers, "
                   f"{found['parameters']:,} parameters.")


def make_early_stopping(found: dict, expected: dict) -> Verdict:
    if found["type"] != "EarlyStopping":
        return Verdict(False, f"returned a {found['type']}, expected keras.callbacks.EarlyStopping.",
                       "Return keras.callbacks.EarlyStopping(monitor=..., patience=..., restore_best_weights=True).")
    monitor, mode = found["monitor"], found["mode"]
    if monitor in ("loss", "accuracy"):
        return Verdict(False, f"it monitors {monitor!r}, a number measured on the training split.",
                       "The training loss keeps falling while the model overfits: watch the validation split, 'val_loss'.")
    if monitor not in ("val_loss", "val_accuracy"):
        return Verdict(False, f"it monitors {monitor!r}, expected 'val_loss' (or 'val_accuracy').",
                       "The names are those of the History: 'val_loss' and 'val_accuracy'.")
    if (monitor == "val_loss" and mode == "max") or (monitor == "val_accuracy" and mode == "min"):
        return Verdict(False, f"it monitors {monitor!r} with mode={mode!r}: it would keep the worst epoch.",
                       "A loss should go down (mode 'min'), an accuracy up (mode 'max').")
    if found["patience"] != expected["patience"]:
        return Verdict(False, f"patience is {found['patience']:g}, expected {expected['patience']} (the argument).",
                       "Pass the patience argument on instead of a fixed number.")
    if not found["restore_best_weights"]:
        return Verdict(False, "restore_best_weights is False: training ends with the weights of the last epoch.",
                       "With restore_best_weights=True the model goes back to its best epoch on the validation split.")
    return Verdict(True, f"EarlyStopping on {monitor}, patience {expected['patience']}, best weights restored.")


def _match_images(found_images: np.ndarray, source: np.ndarray) -> np.ndarray | None:
    """For each returned image, the index of the identical source image (None when one has no match)."""
    flat_found = found_images.reshape(len(found_images), -1).astype(np.float64)
    flat_source = source.reshape(len(source), -1).astype(np.float64)
    distances = np.abs(flat_found[:, None, :] - flat_source[None, :, :]).mean(axis=2)
    matches = distances.argmin(axis=1)
    if np.any(distances[np.arange(len(matches)), matches] > 0.5):
        return None
    return matches


def collect_predictions(found: dict, expected: dict) -> Verdict:
    source, source_labels, source_logits = expected["images"], expected["labels"], np.asarray(expected["logits"])
    count, classes = len(source), source_logits.shape[1]
    arrays = {key: np.asarray(found[key]) for key in RESULT_KEYS}
    lengths = {key: (len(array) if array.ndim else 0) for key, array in arrays.items()}
    if any(length != count for length in lengths.values()):
        return Verdict(False, f"returned {lengths}, expected {count} of each (the dataset holds {count} images).",
                       "Go over every batch of the dataset (the last one may be smaller) and concatenate.")
    if found["produced"] > count:
        return Verdict(False, f"your function read the dataset's {count} images {found['produced'] / count:.1f} times "
                       f"({found['produced']} elements).",
                       "Read the dataset once: take images, labels and predictions from the same pass. A shuffled "
                       "dataset gives another order on every pass, so labels from one pass do not belong to "
                       "predictions from another.")
    if found["predict_calls"] > 1:
        return Verdict(False, f"model.predict was called {found['predict_calls']} times.",
                       "Calling model.predict once per batch in a loop is slow and needless: call model(images, "
                       "training=False) per batch, or collect the images and call model.predict once.")
    probabilities = arrays["probabilities"].astype(np.float64)
    if probabilities.shape != (count, classes):
        hint = "Return the whole (N, C) array of probabilities, one row per image."
        if probabilities.ndim == 1:
            hint = ("Return every class's probability (N, C), not one number per image. A confidence is the "
                    "largest probability after a softmax, never np.max of the logits.")
        return Verdict(False, f"probabilities have {describe(probabilities)}, expected shape ({count}, {classes}).", hint)
    matches = _match_images(arrays["images"], source)
    if matches is None or sorted(matches.tolist()) != list(range(count)):
        return Verdict(False, "the returned images are not the dataset's images, each once.",
                       "Return the images exactly as the dataset gave them (pixels 0-255), in the same order "
                       "as labels and predictions.")
    want_labels = source_labels[matches]
    if not np.array_equal(arrays["labels"].astype(np.int64), want_labels):
        wrong = int(np.flatnonzero(arrays["labels"].astype(np.int64) != want_labels)[0])
        return Verdict(False, f"labels[{wrong}] is {arrays['labels'][wrong]}, but the image in row {wrong} has "
                       f"label {want_labels[wrong]}.",
                       "Append the labels of a batch together with its images and predictions, in the same pass.")
    logits = source_logits[matches]
    want = softmax(logits)
    if not np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-3) or probabilities.min() < -1e-6:
        looks_like = np.allclose(probabilities, logits, atol=1e-3)
        return Verdict(False, f"rows of probabilities sum to {probabilities.sum(axis=1)[:3].round(3).tolist()}..., "
                       f"not 1{' (they are the raw logits)' if looks_like else ''}.",
                       "The model outputs logits (it is compiled with from_logits=True): turn them into "
                       "probabilities with tf.nn.softmax(logits, axis=-1) before taking a confidence.")
    if not np.allclose(probabilities, want, atol=1e-4):
        wrong = int(np.flatnonzero(np.abs(probabilities - want).max(axis=1) > 1e-4)[0])
        return Verdict(False, f"the probabilities of row {wrong} are {probabilities[wrong].round(3).tolist()}, "
                       f"expected {want[wrong].round(3).tolist()} (softmax of the model's logits).",
                       "Run the model in inference mode (model.predict, or model(images, training=False)): "
                       "with training=True dropout stays on.")
    if not np.array_equal(arrays["predicted"].astype(np.int64), want.argmax(axis=1)):
        return Verdict(False, "predicted is not the class with the highest probability in each row.",
                       "predicted = np.argmax(probabilities, axis=1).")
    return Verdict(True, f"{count} images, labels, predictions and softmax probabilities from one pass.")


def confusion_matrix(found: dict, expected: dict) -> Verdict:
    matrix, want = np.asarray(found["matrix"]), expected["matrix"]
    if matrix.shape != want.shape:
        return Verdict(False, f"the matrix has {describe(matrix)}, expected shape {want.shape}.",
                       "Pass num_classes on (tf.math.confusion_matrix(..., num_classes=num_classes)): a class "
                       "that never occurs still gets its row and column.")
    verdict = compare_matrix(matrix.astype(np.float64), want, normalized=False)
    if not verdict.ok:
        return verdict
    if not np.issubdtype(matrix.dtype, np.integer):
        return Verdict(False, f"the matrix has dtype {matrix.dtype}, expected an integer type (counts).",
                       "Counts are whole numbers: .astype(int) or tf.math.confusion_matrix's default int32.")
    return Verdict(True, f"{want.shape[0]} x {want.shape[0]} counts, rows = true class, columns = predicted.")


def worst_k(found: dict, expected: dict) -> Verdict:
    indices = np.asarray(found["indices"]).reshape(-1)
    want = expected["indices"]
    probabilities, labels, target = expected["probabilities"], expected["labels"], expected["class_index"]
    if indices.size and not np.issubdtype(indices.dtype, np.integer):
        return Verdict(False, f"indices have dtype {indices.dtype}, expected integers.",
                       "Return positions into the arrays (np.flatnonzero / np.where give integers).")
    indices = indices.astype(np.int64)
    if np.any((indices < 0) | (indices >= len(labels))):
        return Verdict(False, f"indices {indices.tolist()} include positions outside 0..{len(labels) - 1}.",
                       "Return positions into probabilities and labels.")
    predicted = np.argmax(probabilities, axis=1)
    for index in indices:
        if labels[index] != target:
            return Verdict(False, f"index {index} is a photo of class {labels[index]}, not of class {target}.",
                           "Keep only photos whose TRUE label is class_index.")
        if predicted[index] == labels[index]:
            return Verdict(False, f"index {index} is a correct prediction, not a mistake.",
                           "Keep only photos whose predicted class (argmax of the probabilities) differs from the label.")
    if len(set(indices.tolist())) != len(indices):
        return Verdict(False, f"indices {indices.tolist()} repeat a photo.", "Each mistake appears once.")
    if len(indices) != len(want):
        mistakes = int(np.sum((labels == target) & (predicted != target)))
        return Verdict(False, f"returned {len(indices)} indices, expected {len(want)} "
                       f"(k={expected['k']}; class {target} has {mistakes} mistakes).",
                       "Return the k most confident mistakes, or all of them when there are fewer than k.")
    confidence = probabilities[indices].max(axis=1)
    if np.any(np.diff(confidence) > 0):
        return Verdict(False, f"the confidences of your indices, {[round(float(c), 3) for c in confidence]}, are not in "
                       "descending order.",
                       "Sort by the confidence, the largest probability of each row, most confident first "
                       "(np.argsort(-confidence)).")
    if not np.array_equal(indices, want):
        return Verdict(False, f"indices are {indices.tolist()}, expected {want.tolist()}.",
                       "Rank the mistakes by the probability of the PREDICTED class (the row's maximum), "
                       "not by the probability of the true class.")
    return Verdict(True, f"the {len(want)} most confident mistakes of class {target}, most confident first.")


def to_display(found: dict, expected: dict) -> Verdict:
    if len(found["outputs"]) != len(expected["outputs"]):
        return Verdict(False, "not every image came back.", "Return one image for each call.")
    for image, given, want in zip(found["outputs"], expected["inputs"], expected["outputs"]):
        image = np.asarray(image)
        if image.shape != want.shape:
            return Verdict(False, f"the result has {describe(image)}, expected shape {want.shape}.",
                           "Keep the image's shape: (H, W, 3).")
        if image.dtype.kind != "f":
            return Verdict(False, f"the result has dtype {image.dtype} (input {given.dtype}), expected float32.",
                           "Return floats in [0, 1]: image / 255.")
        stretched = (given - given.min()) / max(float(given.max() - given.min()), 1e-9)
        if not np.allclose(image, want, atol=2e-3):
            if np.allclose(image, stretched, atol=2e-3):
                return Verdict(False, "the image was stretched so that its darkest pixel is 0 and its brightest 1.",
                               "Min-max stretching changes how bright a photo looks (a dim photo turns bright). "
                               "Divide by 255 instead: the model's pixels are on the 0-255 scale.")
            if image.min() < 0 or image.max() > 1:
                return Verdict(False, f"values range from {image.min():.3f} to {image.max():.3f}, outside [0, 1].",
                               "After augmentation a pixel can fall a little outside 0-255: clip to [0, 1] "
                               "(np.clip) after dividing by 255.")
            return Verdict(False, f"values differ from image / 255 (largest difference "
                           f"{np.abs(image - want).max():.3f}).", "Return np.clip(image / 255, 0, 1) as float32.")
    if not found["unchanged"]:
        return Verdict(False, "the input image was modified in place.",
                       "Work on a copy (image / 255 makes a new array); the caller still needs the original pixels.")
    return Verdict(True, "pixels divided by 255 and clipped to [0, 1]; the input is untouched.")


def improved_accuracy(found: dict, expected: dict) -> Verdict:
    """Accuracy earned in the grader by the improved model: chapter 6's judge, shared."""
    return judge_accuracy(found, expected)
