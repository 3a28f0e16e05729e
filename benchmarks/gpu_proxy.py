"""The trusted trainer's work on a GPU machine that cannot install TensorFlow: a stand-in measurement.

Why a stand-in: the device machines this project is lent have no network, and at most 64 MiB travel
with a call, while TensorFlow 2.21 and its CUDA 12 libraries take about 3 GiB. What can travel is
Keras 3.15.1 itself (pure Python, 2.4 MB) and the photos, decoded at the grader's size (24 MB). Keras
then trains on the JAX backend the machine already has, with the GPU.

The script does, with Keras's own API only, what ``training.fit_budget`` and ``score_split`` do: the
same architectures (the answer keys of chapters 6 and 7, as their ``to_json``), the same seed, the same
budget (48 x 48, 8 epochs, batch 32, Adam 1e-3) on the same train split, scored on the same test split.
The figures it gives are the training part of one submission's grading on that device; TensorFlow's
own GPU path (the route the grader takes, ``training.configure_device``) is not what ran.

    python benchmarks/gpu_proxy.py prepare DIR        # here: the splits and the architectures
    KERAS_BACKEND=jax python benchmarks/gpu_proxy.py run DIR [--seeds 3]   # there (or here, any backend)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

BUDGET = {"epochs": 8, "batch_size": 32, "learning_rate": 1e-3, "seed": 20261124}


def prepare(folder: Path) -> None:
    """The kit's private splits at the grader's size, and the two answer keys' architectures."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from autograder import data, training
    from calibrate import BUILDER_ARGS, BUILDERS, answer_key

    folder.mkdir(parents=True, exist_ok=True)
    training.prepare_private(folder)
    architectures = {}
    for chapter, (assignment, name) in BUILDERS.items():
        builder = answer_key(assignment)[name]
        model = training.build_fresh(builder, len(data.CLASS_NAMES), training.INPUT_SHAPE, *BUILDER_ARGS[chapter])
        architectures[chapter] = model.to_json()
    (folder / "architectures.json").write_text(json.dumps(architectures))
    print(f"wrote the splits and {len(architectures)} architectures to {folder}")


def _split(folder: Path, name: str):
    import numpy as np

    with np.load(folder / f"{name}_split.npz", allow_pickle=False) as archive:
        return archive["images"], archive["labels"]


def run(folder: Path, seeds: int) -> dict:
    started = time.perf_counter()
    import keras
    import numpy as np

    imported = time.perf_counter() - started
    train_images, train_labels = _split(folder, "train")
    test_images, test_labels = _split(folder, "test")
    train_images, test_images = train_images.astype("float32"), test_images.astype("float32")
    architectures = json.loads((folder / "architectures.json").read_text())
    rows = []
    for chapter, architecture in architectures.items():
        for offset in range(seeds):
            seed = BUDGET["seed"] + offset
            keras.backend.clear_session()
            keras.utils.set_random_seed(seed)
            begin = time.perf_counter()
            model = keras.saving.deserialize_keras_object(json.loads(architecture), safe_mode=True)
            sample = model(train_images[:4], training=False)
            probabilities = bool(np.allclose(np.asarray(sample).sum(axis=-1), 1.0, atol=1e-3))
            model.compile(optimizer=keras.optimizers.Adam(BUDGET["learning_rate"]),
                          loss=keras.losses.SparseCategoricalCrossentropy(from_logits=not probabilities),
                          metrics=["accuracy"])
            built = time.perf_counter()
            history = model.fit(train_images, train_labels, epochs=BUDGET["epochs"], batch_size=BUDGET["batch_size"],
                                shuffle=True, verbose=0)
            fitted = time.perf_counter()
            predicted = model.predict(test_images, batch_size=64, verbose=0).argmax(axis=-1)
            scored = time.perf_counter()
            rows.append({"chapter": chapter, "seed": seed, "build_s": round(built - begin, 2),
                         "fit_s": round(fitted - built, 2), "score_s": round(scored - fitted, 2),
                         "images_per_s": round(len(train_labels) * BUDGET["epochs"] / (fitted - built)),
                         "train_accuracy": round(float(history.history["accuracy"][-1]), 3),
                         "test_accuracy": round(float(np.mean(predicted == test_labels)), 3)})
            print(json.dumps(rows[-1]), flush=True)
    return {"backend": keras.backend.backend(), "keras": keras.__version__, "device": _device(keras),
            "import_s": round(imported, 2), "photos": {"train": int(len(train_labels)), "test": int(len(test_labels))},
            "budget": BUDGET, "runs": rows}


def _device(keras) -> str:
    if keras.backend.backend() == "jax":
        import jax

        return ", ".join(str(device.device_kind) for device in jax.devices())
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return ", ".join(d.name for d in tf.config.list_physical_devices("GPU")) or f"CPU ({os.cpu_count()} cores)"
    return keras.backend.backend()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("prepare", "run"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.action == "prepare":
        prepare(args.folder)
        return 0
    result = run(args.folder, args.seeds)
    print(json.dumps({key: value for key, value in result.items() if key != "runs"}))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
