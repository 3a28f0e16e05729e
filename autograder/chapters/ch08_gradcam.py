"""Chapter 8's trusted kit code: the generated corner-patch images (NumPy only), the small
Sequential CNN the Grad-CAM probes explain, and the kit's own Grad-CAM.

The model is trained inside the probe's process (tf-keras mode, about two seconds) and kept in
:data:`_MODELS`, so it is trained once per kernel or worker.
"""
from __future__ import annotations

import numpy as np

# --- the generated corner-patch images ---------------------------------------------------------

IMAGE_SIDE = 32        # generated images are IMAGE_SIDE x IMAGE_SIDE x 3
PATCH_SIDE = 8         # the bright square that decides the class
CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")  # class i = patch in CORNERS[i]
LAYER_NAME = "last_conv"  # the probe model's last convolution (a 16 x 16 grid)
TRAIN_SEED, TRAIN_COUNT = 11, 320


def corner_images(count: int, seed: int, labels=None) -> tuple[np.ndarray, np.ndarray]:
    """Seeded uint8 images (count, 32, 32, 3), 0-255, with a bright 8 x 8 patch near one corner.

    The label is the corner's index in CORNERS; the background is grey noise. ``labels``
    fixes the classes (else they are drawn with the seed). NumPy only: the trusted side can
    make the same images.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(CORNERS), size=count) if labels is None else np.asarray(labels)
    images = rng.normal(95.0, 25.0, size=(count, IMAGE_SIDE, IMAGE_SIDE, 3))
    far = IMAGE_SIDE - PATCH_SIDE
    for index, label in enumerate(labels):
        row_shift, column_shift = rng.integers(0, 4, size=2)
        row = int(row_shift) if label in (0, 1) else far - int(row_shift)
        column = int(column_shift) if label in (0, 2) else far - int(column_shift)
        images[index, row:row + PATCH_SIDE, column:column + PATCH_SIDE] = rng.normal(
            235.0, 10.0, size=(PATCH_SIDE, PATCH_SIDE, 3))
    return np.clip(images, 0, 255).astype(np.uint8), labels.astype(np.int32)


_MODELS: dict = {}


def _tensorflow():
    import tensorflow as tf

    if not tf.keras.Sequential.__module__.startswith("tf_keras"):
        raise RuntimeError(
            "tf.keras is Keras 3 here, and tf-explain's GradCAM needs tf-keras: set "
            "os.environ['TF_USE_LEGACY_KERAS'] = '1' before TensorFlow is imported "
            "(restart the kernel and run the first cell first)")
    return tf


def corner_model():
    """The probe model: a chapter-6 style Sequential CNN trained on corner images (cached)."""
    if "corner" in _MODELS:
        return _MODELS["corner"]
    tf = _tensorflow()
    layers = tf.keras.layers

    def init(seed):
        return tf.keras.initializers.GlorotUniform(seed=seed)

    model = tf.keras.Sequential([
        layers.Input((IMAGE_SIDE, IMAGE_SIDE, 3)),
        layers.Rescaling(1.0 / 255),
        layers.Conv2D(8, 3, padding="same", activation="relu", kernel_initializer=init(1)),
        layers.MaxPooling2D(),
        layers.Conv2D(16, 3, padding="same", activation="relu", kernel_initializer=init(2), name=LAYER_NAME),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(len(CORNERS), activation="softmax", kernel_initializer=init(3)),
    ], name="corner_cnn")
    model.compile(optimizer=tf.keras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy")
    images, labels = corner_images(TRAIN_COUNT, TRAIN_SEED)
    model.fit(images, labels, epochs=5, batch_size=32, shuffle=False, verbose=0)
    _MODELS["corner"] = model
    return model


def predicted_classes(model, images: np.ndarray) -> np.ndarray:
    """The model's argmax on 0-255 pixels, the range it was trained on."""
    return np.argmax(model.predict(np.asarray(images, np.float32), verbose=0), axis=1).astype(np.int64)


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
    tf = _tensorflow()
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

    _tensorflow()
    explainer = GradCAM()
    # uint8 in: tf-explain shows float images as if they were in [0, 1] (it multiplies by 255).
    return np.stack([explainer.explain((np.asarray(image, np.uint8)[None], None), model, int(class_index),
                                       layer_name=layer_name) for image, class_index in zip(images, class_indices)])
