"""Chapter 7's model checks: the improved model's architecture, the early-stopping callback,
and one pass of predictions over a dataset.

Nothing here trains. ``build_improved_model`` is built and inspected (its compile settings, its
layers, one forward pass on two random images); ``collect_predictions`` gets a tiny kit model
with fixed weights and a dataset that counts how often it is read, and its answer is checked
against NumPy's own softmax of the same weights.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core import Verdict
from .common import as_array, describe

PARAMETER_CAP = 5_000_000
DROPOUT_RANGE = (0.1, 0.5)   # the fraction of units a Dropout layer drops
KIT_IMAGE_SHAPE = (8, 8, 3)  # images of the kit models handed to collect_predictions


# --- build_improved_model -------------------------------------------------------------------

def _loss_summary(loss) -> dict:
    if isinstance(loss, str):
        return {"name": loss, "from_logits": False}
    if isinstance(loss, dict):
        config = loss.get("config") if isinstance(loss.get("config"), dict) else {}
        name = str(loss.get("class_name") or config.get("name") or "unknown")
        return {"name": name, "from_logits": bool(config.get("from_logits", False))}
    return {"name": type(loss).__name__ if loss is not None else "none", "from_logits": False}


def _metric_names(metrics) -> list[str]:
    names = []
    for metric in metrics or []:
        if isinstance(metric, dict):
            names.append(str(metric.get("class_name") or (metric.get("config") or {}).get("name")))
        else:
            names.append(str(metric))
    return names


def probe_improved(num_classes: int, input_shape: tuple[int, int, int], learning_rate: float):
    def probe(build_improved_model, inputs_dir: Path) -> dict:
        import keras

        model = build_improved_model(num_classes, input_shape, learning_rate=learning_rate)
        if not isinstance(model, keras.Model):
            raise TypeError(f"build_improved_model must return a keras Model, got {type(model).__name__}")
        pixels = np.random.default_rng(7).uniform(0, 255, size=(2, *input_shape)).astype(np.float32)
        outputs = np.asarray(model(pixels, training=False), dtype=np.float64)
        compile_config = model.get_compile_config() if getattr(model, "compiled", False) else None
        found = {"output_shape": [None if size is None else int(size) for size in model.output_shape],
                 "softmax_output": bool(outputs.ndim == 2 and outputs.min() >= 0
                                        and np.allclose(outputs.sum(axis=1), 1.0, atol=1e-4)),
                 "compiled": compile_config is not None,
                 "parameters": int(model.count_params()),
                 "dropout_rates": [], "l2_factors": [], "rescaling": [], "foreign_layers": []}
        flatten = getattr(model, "_flatten_layers", None)  # nested models' layers too, where Keras offers it
        every_layer = list(flatten(include_self=False, recursive=True)) if flatten else list(model.layers)
        for layer in every_layer:
            kind = type(layer)
            if not kind.__module__.startswith("keras"):
                found["foreign_layers"].append(kind.__name__)
            if isinstance(layer, keras.layers.Dropout):
                found["dropout_rates"].append(float(layer.rate))
            if isinstance(layer, keras.layers.Rescaling):
                found["rescaling"].append(float(np.asarray(layer.scale).mean()))
            regularizer = getattr(layer, "kernel_regularizer", None)
            factor = float(getattr(regularizer, "l2", 0.0) or 0.0) if regularizer is not None else 0.0
            if factor > 0:
                found["l2_factors"].append(factor)
        if compile_config is not None:
            optimizer = compile_config.get("optimizer") or {}
            rate = (optimizer.get("config") or {}).get("learning_rate") if isinstance(optimizer, dict) else None
            found["loss"] = _loss_summary(compile_config.get("loss"))
            found["optimizer"] = str(optimizer.get("class_name") if isinstance(optimizer, dict) else optimizer)
            found["learning_rate"] = float(rate) if isinstance(rate, (int, float)) else None
            found["metrics"] = _metric_names(compile_config.get("metrics"))
        return found
    return probe


def expected_improved(num_classes: int, input_shape: tuple[int, int, int], learning_rate: float):
    def expected(inputs_dir: Path) -> dict:
        return {"num_classes": num_classes, "input_shape": list(input_shape), "learning_rate": learning_rate}
    return expected


def judge_improved(found: dict, expected: dict) -> Verdict:
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
                       "from_logits=True tells the loss that the outputs are raw scores and applies a softmax "
                       "itself: a softmax output then goes through softmax twice. Keep the last layer linear "
                       "(Dense(num_classes) with no activation) and keep from_logits=True.")
    if found["softmax_output"]:
        return Verdict(False, "the model ends in a softmax; this chapter's model outputs logits.",
                       "Remove the softmax (Dense(num_classes) with no activation) and compile with "
                       "SparseCategoricalCrossentropy(from_logits=True); apply softmax only when you need probabilities.")
    if not loss["from_logits"]:
        return Verdict(False, f"the output is logits but the loss ({loss['name']}) has from_logits=False.",
                       "Without from_logits=True the loss reads raw scores as probabilities: use "
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
    if found["parameters"] > PARAMETER_CAP:
        return Verdict(False, f"the model has {found['parameters']:,} parameters, more than {PARAMETER_CAP:,}.",
                       "Keep the chapter 6 architecture: three Conv2D + MaxPooling2D blocks before Flatten.")
    return Verdict(True, f"logits output {tuple(shape)}, {loss['name']}(from_logits=True), Adam with learning rate "
                   f"{found_rate:g}, dropout {rates}, L2 on {len(found['l2_factors'])} layers, "
                   f"{found['parameters']:,} parameters.")


# --- make_early_stopping ---------------------------------------------------------------------

def probe_early_stopping(patience: int):
    def probe(make_early_stopping, inputs_dir: Path) -> dict:
        import keras

        callback = make_early_stopping(patience)
        if not isinstance(callback, keras.callbacks.EarlyStopping):
            return {"type": type(callback).__name__}
        return {"type": "EarlyStopping", "monitor": str(callback.monitor), "mode": str(callback.mode),
                "patience": float(callback.patience), "restore_best_weights": bool(callback.restore_best_weights)}
    return probe


def expected_early_stopping(patience: int):
    def expected(inputs_dir: Path) -> dict:
        return {"patience": patience}
    return expected


def judge_early_stopping(found: dict, expected: dict) -> Verdict:
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


# --- collect_predictions ---------------------------------------------------------------------

def _prediction_case(count: int, classes: int, seed: int):
    """Seeded images (float32 0-255), labels and the weights of a kit model: logits = x/255 @ W + b."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(count, *KIT_IMAGE_SHAPE)).astype(np.float32)
    labels = rng.integers(0, classes, size=count).astype(np.int32)
    weights = rng.normal(0.0, 0.25, size=(int(np.prod(KIT_IMAGE_SHAPE)), classes)).astype(np.float32)
    bias = rng.normal(0.0, 0.5, size=classes).astype(np.float32)
    return images, labels, weights, bias


def kit_logits(images: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    flat = np.asarray(images, dtype=np.float64).reshape(len(images), -1) / 255.0
    return flat @ weights.astype(np.float64) + bias.astype(np.float64)


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _kit_model(weights: np.ndarray, bias: np.ndarray, dropout: bool):
    """A tiny logits model (Rescaling, Flatten, [Dropout], Dense) with fixed weights."""
    import keras

    stack = [keras.Input(shape=KIT_IMAGE_SHAPE), keras.layers.Rescaling(1 / 255), keras.layers.Flatten()]
    if dropout:  # off in inference mode; scrambles the outputs of a model called with training=True
        stack.append(keras.layers.Dropout(0.5, seed=3))
    stack.append(keras.layers.Dense(weights.shape[1]))
    model = keras.Sequential(stack)
    model.layers[-1].set_weights([weights, bias])
    return model


RESULT_KEYS = ("labels", "predicted", "probabilities", "images")


def probe_collect(count: int, classes: int, batch: int, seed: int, shuffle: bool, dropout: bool):
    """A generator-backed dataset that counts the elements it hands out (one pass = count), and a
    kit model whose predict counts its calls. Shuffled, it gives another order on every pass."""

    def probe(collect_predictions, inputs_dir: Path) -> dict:
        import tensorflow as tf

        images, labels, weights, bias = _prediction_case(count, classes, seed)
        produced, calls = [0], [0]

        def generate():
            for image, label in zip(images, labels):
                produced[0] += 1
                yield image, label

        dataset = tf.data.Dataset.from_generator(generate, output_signature=(
            tf.TensorSpec(shape=KIT_IMAGE_SHAPE, dtype=tf.float32), tf.TensorSpec(shape=(), dtype=tf.int32)))
        if shuffle:
            dataset = dataset.shuffle(count, seed=seed, reshuffle_each_iteration=True)
        dataset = dataset.batch(batch)
        model = _kit_model(weights, bias, dropout)
        predict = model.predict

        def counting_predict(*args, **kwargs):
            calls[0] += 1
            return predict(*args, **kwargs)

        model.predict = counting_predict
        result = collect_predictions(model, dataset)
        if not isinstance(result, dict) or any(key not in result for key in RESULT_KEYS):
            have = sorted(map(str, result)) if isinstance(result, dict) else type(result).__name__
            raise TypeError(f"collect_predictions must return a dict with keys {list(RESULT_KEYS)}, got {have}")
        found = {key: as_array(result[key], key) for key in RESULT_KEYS}
        return {**found, "produced": produced[0], "predict_calls": calls[0]}
    return probe


def expected_collect(count: int, classes: int, seed: int):
    def expected(inputs_dir: Path) -> dict:
        images, labels, weights, bias = _prediction_case(count, classes, seed)
        return {"images": images, "labels": labels, "weights": weights, "bias": bias}
    return expected


def _match_images(found_images: np.ndarray, source: np.ndarray) -> np.ndarray | None:
    """For each returned image, the index of the identical source image (None when one has no match)."""
    flat_found = found_images.reshape(len(found_images), -1).astype(np.float64)
    flat_source = source.reshape(len(source), -1).astype(np.float64)
    distances = np.abs(flat_found[:, None, :] - flat_source[None, :, :]).mean(axis=2)
    matches = distances.argmin(axis=1)
    if np.any(distances[np.arange(len(matches)), matches] > 0.5):
        return None
    return matches


def judge_collect(found: dict, expected: dict) -> Verdict:
    source, source_labels = expected["images"], expected["labels"]
    count, classes = len(source), expected["weights"].shape[1]
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
    logits = kit_logits(source[matches], expected["weights"], expected["bias"])
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
