"""Small synthetic photo folders for tests, in the same layout as tf_flowers.

Only PIL and NumPy are used (no TensorFlow), so building a folder is fast.
Each class has its own look: a class-specific background colour and a
class-specific dark shape, plus seeded noise and a seeded shape position and
size.  A tiny CNN learns the classes in a few epochs, and a wrong label or a
shuffled class order is easy to detect.
"""
from __future__ import annotations

import pathlib
import zlib

import numpy as np
from PIL import Image, ImageDraw

#: Background colours (RGB) of the five course classes, in course order.
_COLOURS = {
    "daisy": (235, 235, 225),       # near white
    "dandelion": (245, 215, 30),    # yellow
    "roses": (200, 25, 45),         # red
    "sunflowers": (40, 150, 60),    # green
    "tulips": (120, 60, 200),       # purple
}
#: Shapes drawn on top, one per class: circle, square, horizontal bar,
#: vertical bar, triangle.
_SHAPES = ("circle", "square", "hbar", "vbar", "triangle")
_SHAPE_OF = {name: _SHAPES[i] for i, name in enumerate(_COLOURS)}


def _look(class_name: str) -> tuple[tuple[int, int, int], str]:
    """(background colour, shape) of a class; other names get a stable made-up look."""
    if class_name in _COLOURS:
        return _COLOURS[class_name], _SHAPE_OF[class_name]
    code = zlib.crc32(class_name.encode("utf-8"))
    colour = (code & 0xFF, (code >> 8) & 0xFF, (code >> 16) & 0xFF)
    return colour, _SHAPES[(code >> 24) % len(_SHAPES)]


def make_image(class_name: str, index: int, image_size=(48, 64), seed: int = 0) -> np.ndarray:
    """One synthetic photo as a uint8 array of shape (height, width, 3), RGB.

    Deterministic in (class_name, index, image_size, seed).
    """
    height, width = int(image_size[0]), int(image_size[1])
    rng = np.random.default_rng([seed, zlib.crc32(class_name.encode("utf-8")), index])
    colour, shape = _look(class_name)
    pixels = np.asarray(colour, dtype=np.float32) + rng.normal(0.0, 18.0, size=(height, width, 3))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    ink = tuple(int(c * 0.25) for c in colour)            # a dark shade of the background
    size = min(height, width) * rng.uniform(0.35, 0.6)    # shape size in pixels
    cx = rng.uniform(size / 2, width - size / 2)
    cy = rng.uniform(size / 2, height - size / 2)
    half = size / 2
    if shape == "circle":
        draw.ellipse([cx - half, cy - half, cx + half, cy + half], fill=ink)
    elif shape == "square":
        draw.rectangle([cx - half, cy - half, cx + half, cy + half], fill=ink)
    elif shape == "hbar":
        draw.rectangle([0, cy - half / 3, width, cy + half / 3], fill=ink)
    elif shape == "vbar":
        draw.rectangle([cx - half / 3, 0, cx + half / 3, height], fill=ink)
    else:
        draw.polygon([(cx, cy - half), (cx - half, cy + half), (cx + half, cy + half)], fill=ink)
    return np.asarray(image, dtype=np.uint8)


def make_photo_folder(root, counts: dict[str, int], image_size=(48, 64), seed: int = 0,
                      prefix: str = "syn") -> pathlib.Path:
    """Write a folder of small JPEG photos, one sub-folder per class, and return ``root``.

    ``counts`` maps a class name to the number of photos to write into
    ``root/<class>/`` (0 creates an empty folder).  ``image_size`` is
    (height, width).  Files are named ``f"{prefix}{seed}_{class}_{i:04d}.jpg"``
    and saved as JPEG at quality 95; the same arguments give byte-identical
    files.
    """
    root = pathlib.Path(root)
    for class_name, count in counts.items():
        folder = root / class_name
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(int(count)):
            pixels = make_image(class_name, i, image_size, seed)
            Image.fromarray(pixels, "RGB").save(
                folder / f"{prefix}{seed}_{class_name}_{i:04d}.jpg", format="JPEG", quality=95)
    return root
