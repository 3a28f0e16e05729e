"""Chapter 5's inputs and how outputs are recognised (pure numpy, except the kit's resize).

Inputs are seeded uint8 images of varying sizes, made in memory: smooth random colour fields,
so that other resize methods agree within a tolerance while an image and its mirror are far
apart. An output is matched against the kit's own resized image, its mirror, the image upside
down and (for the augmentation hook) their inverses 255 - x.
"""
from __future__ import annotations

import math

import numpy as np

from ..core import Verdict

CLASS_COUNT = 5
# An output "is" an expected image when the mean absolute difference is at most this
# (0-255 scale): bilinear, bicubic or area resizing all stay well inside it; a mirror does not.
PIXEL_TOLERANCE = 6.0


def make_examples(count: int, seed: int) -> list[tuple[np.ndarray, int]]:
    """Seeded (uint8 image, label) pairs of varying size, like tfds's tf_flowers."""
    rng = np.random.default_rng(seed)
    examples = []
    for _ in range(count):
        height, width = (int(side) for side in rng.integers(18, 41, size=2))
        coarse = rng.uniform(0, 255, size=(4, 5, 3))
        rows = np.linspace(0, 3, height)[:, None]
        columns = np.linspace(0, 4, width)[None, :]
        top, left = np.minimum(rows.astype(int), 2), np.minimum(columns.astype(int), 3)
        dy, dx = (rows - top)[..., None], (columns - left)[..., None]
        image = ((1 - dy) * (1 - dx) * coarse[top, left] + (1 - dy) * dx * coarse[top, left + 1]
                 + dy * (1 - dx) * coarse[top + 1, left] + dy * dx * coarse[top + 1, left + 1])
        examples.append((np.round(image).astype(np.uint8), int(rng.integers(0, CLASS_COUNT))))
    return examples


def resized(examples, image_size) -> np.ndarray:
    """The kit's answer: every image resized (bilinear) to image_size, float32, 0-255."""
    import tensorflow as tf

    return np.stack([tf.image.resize(image, image_size).numpy() for image, _ in examples]).astype(np.float32)


def tfds_style_dataset(examples, produced: list):
    """A generator-backed dataset (uint8 images of varying size, int64 labels) that counts
    the elements it hands out in ``produced[0]``: read twice without a cache, it counts twice."""
    import tensorflow as tf

    def generate():
        for image, label in examples:
            produced[0] += 1
            yield image, label

    return tf.data.Dataset.from_generator(generate, output_signature=(
        tf.TensorSpec(shape=(None, None, 3), dtype=tf.uint8), tf.TensorSpec(shape=(), dtype=tf.int64)))


# --- matching outputs to inputs (pure numpy, used by the judges) ------------------------------

def variants(expected: np.ndarray, inverted: bool = False) -> dict[str, np.ndarray]:
    """The forms an output image may take: as resized, mirrored, upside down (inverted: 255 - x)."""
    forms = {"plain": expected, "mirrored": expected[:, ::-1], "upside down": expected[::-1]}
    if inverted:
        forms.update({f"inverted {name}": 255.0 - image for name, image in list(forms.items())})
    return forms


def match(image, expected_images, inverted: bool = False) -> tuple[int, str] | None:
    """(index of the input, form) of the expected image the output is, or None."""
    image = np.asarray(image, dtype=np.float64)
    best = None
    for index, expected in enumerate(expected_images):
        if image.shape != expected.shape:
            return None
        for form, candidate in variants(expected, inverted).items():
            distance = float(np.abs(image - candidate).mean())
            if distance <= PIXEL_TOLERANCE and (best is None or distance < best[0]):
                best = (distance, index, form)
    return None if best is None else (best[1], best[2])


def shape_problem(images: np.ndarray, height: int, width: int, what: str) -> Verdict | None:
    """Shape, dtype and value range of a stack of images (N, H, W, 3); None when all is right."""
    if images.ndim != 4 or images.shape[1:] != (height, width, 3):
        shape = images.shape[1:] if images.ndim == 4 else images.shape
        hint = "Resize with tf.image.resize(image, image_size): image_size is (height, width)."
        if tuple(shape[:2]) == (width, height):
            hint = "image_size is (height, width): the first number is the number of rows."
        elif tuple(shape[:2]) in ((128, 128), (96, 96)):
            hint = ("Use the image_size argument, never a size written into the function: the size is set once, "
                    "in IMAGE_SIZE, and passed down (the tutorial resized twice to two sizes).")
        return Verdict(False, f"{what} have shape {tuple(shape)}, expected ({height}, {width}, 3).", hint)
    if images.dtype != np.float32:
        return Verdict(False, f"{what} have dtype {images.dtype}, expected float32.",
                       "tf.image.resize already returns float32: do not cast back to uint8 (tf.cast(image, tf.float32) "
                       "if you start from uint8).")
    if images.size and (images.min() < -0.5 or images.max() > 255.5):
        return Verdict(False, f"{what} have values from {images.min():.1f} to {images.max():.1f}, expected 0-255.",
                       "Keep the pixels on the 0-255 scale.")
    if images.size and images.max() <= 1.0:
        return Verdict(False, f"{what} have values from {images.min():.2f} to {images.max():.2f}, expected 0-255.",
                       "Do not divide by 255 here: the chapter 6 model starts with Rescaling(1/255), so scaling "
                       "twice would squash every photo to almost black.")
    return None




def fair_coin(fraction: float, draws: int) -> bool:
    """Whether a share of heads is within 5 standard deviations of a fair coin's (false alarm < 1e-6)."""
    return abs(fraction - 0.5) <= 5 * 0.5 / math.sqrt(max(draws, 1))
