"""Chapter 7's visible cases: each visible check's inputs, written once. Everything is made in memory
from a seed; probes and references both read it. Nothing here trains a model or reads a photo (the
accuracy rows train in the grader's evaluator, on its own photos). The hidden checks' cases are the
grader's (``hidden.py``)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import data
from ..common import softmax

CLASSES = len(data.CLASS_NAMES)
KIT_IMAGE_SHAPE = (8, 8, 3)   # images of the tiny kit models handed to collect_predictions
GRADER_LEARNING_RATE = 0.001  # passed to build_improved_model by the accuracy rows; the grader compiles its own


@dataclass(frozen=True)
class History:
    """Seeded curves of an overfitting run: training improves steadily, validation wanders."""
    epochs: int
    seed: int
    real: bool                  # a keras History with an extra learning_rate key, not a plain object

    def values(self) -> dict[str, list[float]]:
        rng = np.random.default_rng(self.seed)
        curves = {"accuracy": np.sort(rng.uniform(0.35, 0.95, self.epochs)),
                  "val_accuracy": rng.uniform(0.3, 0.7, self.epochs),
                  "loss": np.sort(rng.uniform(0.2, 1.5, self.epochs))[::-1],
                  "val_loss": rng.uniform(0.8, 1.4, self.epochs)}
        return {key: [round(float(value), 4) for value in values] for key, values in curves.items()}


@dataclass(frozen=True)
class Improved:
    num_classes: int
    input_shape: tuple[int, int, int]
    learning_rate: float


@dataclass(frozen=True)
class Accuracy:
    """Accuracy earned in the grader: the builder is called as (5, (48, 48, 3), GRADER_LEARNING_RATE)."""
    split: str                  # the held-out split scored: "val" or "test"


@dataclass(frozen=True)
class EarlyStopping:
    patience: int


@dataclass(frozen=True)
class Collect:
    """A tiny logits model (logits = x / 255 @ W + b) and a dataset of seeded images."""
    count: int
    classes: int
    batch: int
    seed: int
    shuffle: bool               # the dataset reshuffles on every pass
    dropout: bool               # the model has a Dropout layer (off in inference mode)

    def inputs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Images (float32 0-255), labels, and the kit model's weights and bias."""
        rng = np.random.default_rng(self.seed)
        images = rng.integers(0, 256, size=(self.count, *KIT_IMAGE_SHAPE)).astype(np.float32)
        labels = rng.integers(0, self.classes, size=self.count).astype(np.int32)
        weights = rng.normal(0.0, 0.25, size=(int(np.prod(KIT_IMAGE_SHAPE)), self.classes)).astype(np.float32)
        bias = rng.normal(0.0, 0.5, size=self.classes).astype(np.float32)
        return images, labels, weights, bias


@dataclass(frozen=True)
class Confusion:
    """Seeded labels and predictions, right about 60 % of the time; class ``unused`` never occurs."""
    count: int
    classes: int
    seed: int
    unused: int | None = None
    as_list: bool = False       # hand the labels and predictions over as Python lists

    def inputs(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        present = [c for c in range(self.classes) if c != self.unused]
        labels = rng.choice(present, size=self.count).astype(np.int32)
        predicted = np.where(rng.random(self.count) < 0.6, labels, rng.choice(present, size=self.count)).astype(np.int32)
        return labels, predicted


@dataclass(frozen=True)
class Heatmap:
    count: int
    seed: int
    class_names: tuple[str, ...]
    normalize: bool

    def inputs(self) -> tuple[np.ndarray, np.ndarray]:
        return Confusion(self.count, len(self.class_names), self.seed).inputs()


@dataclass(frozen=True)
class Worst:
    """Seeded probabilities and labels with exactly ``wrong`` mistakes among the photos of
    ``class_index``, plus distractors: mistakes of other classes, photos wrongly predicted AS
    ``class_index``, and correct predictions of it."""
    count: int
    classes: int
    seed: int
    class_index: int
    wrong: int
    k: int
    as_list: bool               # hand the labels over as a Python list

    def inputs(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        probabilities = softmax(rng.normal(0.0, 1.5, size=(self.count, self.classes)))
        predicted = np.argmax(probabilities, axis=1)
        labels = predicted.copy()                                       # start with every prediction right
        elsewhere = np.flatnonzero(predicted != self.class_index)
        chosen = rng.choice(elsewhere, size=self.wrong, replace=False)  # the mistakes of class_index
        labels[chosen] = self.class_index
        for row in np.setdiff1d(elsewhere, chosen)[: self.count // 4]:  # mistakes of other classes
            label = (predicted[row] + 1) % self.classes
            labels[row] = label if label != self.class_index else (label + 1) % self.classes
        for row in np.flatnonzero(predicted == self.class_index)[:2]:   # predicted as class_index, but not of it
            labels[row] = (self.class_index + 1) % self.classes
        return probabilities.astype(np.float32), labels.astype(np.int32)


@dataclass(frozen=True)
class Predictions:
    """Seeded results as collect_predictions returns them; every prediction is a mistake."""
    count: int
    seed: int
    indices: tuple[int, ...]

    def results(self) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        classes = len(data.CLASS_NAMES)
        logits = rng.normal(0.0, 1.5, size=(self.count, classes))
        probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        predicted = np.argmax(probabilities, axis=1)
        return {"labels": ((predicted + rng.integers(1, classes, size=self.count)) % classes).astype(np.int32),
                "predicted": predicted.astype(np.int64),
                "probabilities": probabilities.astype(np.float32),
                "images": rng.integers(20, 221, size=(self.count, 10, 12, 3)).astype(np.float32)}  # a dim 0-255 scale


@dataclass(frozen=True)
class Display:
    """A dim photo: values 30-200, so stretching min-max to 0-1 is visible. ``hidden`` marks the
    grader's variant, whose images the grader side makes."""
    seed: int
    hidden: bool

    def images(self) -> list[np.ndarray]:
        rng = np.random.default_rng(self.seed)
        return [rng.integers(30, 201, size=(6, 5, 3)).astype(np.float32)]


VISIBLE_HISTORY = History(6, 70, real=False)
VISIBLE_IMPROVED = Improved(5, (96, 96, 3), 5e-4)
VALIDATION_ACCURACY = Accuracy("val")
VISIBLE_EARLY_STOPPING = EarlyStopping(4)
VISIBLE_COLLECT = Collect(20, CLASSES, 8, 11, shuffle=False, dropout=False)
VISIBLE_CONFUSION = Confusion(60, CLASSES, 21)
VISIBLE_HEATMAP = Heatmap(60, 23, data.CLASS_NAMES, normalize=False)
VISIBLE_WORST = Worst(50, CLASSES, 31, class_index=2, wrong=6, k=4, as_list=False)
VISIBLE_PREDICTIONS = Predictions(12, 41, (3, 7, 1, 10))
VISIBLE_DISPLAY = Display(51, hidden=False)
