"""Calibrate the accuracy thresholds of chapters 6 and 7 (see CALIBRATION.md).

    python benchmarks/calibrate.py [--seeds 6] [--chapter ch06 ch07] [--baselines]

For each chapter, the answer key's builder (read from solutions/, so no model is written
twice) describes its architecture, which is vetted, initialised, trained and scored exactly as
the grader's evaluator does it (``autograder.training.earn``: same budget, same pipeline), once
per seed; the grader's own seed comes first. With --baselines, the models that must fail are
scored too: the majority class, the untrained reference, a model that ignores its input
(Rescaling(1 // 255)), one that drops 90 % of its units (Dropout(0.9)) and an improved model
whose L2 factor crushes its weights. Prints a Markdown table.
Needs the photos (FLOWERS_DIR).
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from autograder.quiet import quiet_environment  # noqa: E402

quiet_environment()

from autograder import data, training  # noqa: E402
from autograder.notebook import read_submission  # noqa: E402

BUILDERS = {"ch06": ("ch06_training", "build_model"), "ch07": ("ch07_evaluation", "build_improved_model")}
# Wrong submissions that must fail: (chapter, fixture), each the answer key with one function replaced.
BASELINE_FIXTURES = {"ignores its input (Rescaling(1 // 255))": ("ch06", "wrong_check_val_accuracy"),
                     "drops 90 % of its units (Dropout(0.9))": ("ch06", "wrong_hidden_test_accuracy"),
                     "improved, ignores its input (Rescaling(1 // 255))": ("ch07", "wrong_check_improved_val_accuracy"),
                     "improved, L2 factor 1.0 (crushes the weights)": ("ch07", "wrong_hidden_improved_accuracy")}


def run_cells(path: Path, namespace: dict) -> dict:
    for cell in read_submission(path):
        exec(compile(cell.source, str(path), "exec"), namespace)
    return namespace


def answer_key(assignment: str) -> dict:
    return run_cells(REPO / "solutions" / assignment / f"{assignment}.ipynb", {"__name__": "__calibration__"})


def fixture(chapter: str, name: str) -> dict:
    """The answer key with the fixture's definitions run over it (tests/conftest.py: wrong_submission)."""
    return run_cells(REPO / "tests" / "fixtures" / chapter / f"{name}.py", answer_key(BUILDERS[chapter][0]))


def earned(builder, chapter: str, private: Path, budget: training.Budget) -> dict:
    """What the grader's evaluator reports for this builder's architecture under ``budget``."""
    found = training.describe_architecture(builder, len(data.CLASS_NAMES), (*budget.image_size, 3),
                                           *BUILDER_ARGS[chapter])
    return training.earn(found, private, budget)


BUILDER_ARGS = {"ch06": (), "ch07": (0.001,)}  # chapter 7's builder also takes a learning rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--chapter", nargs="*", default=["ch06"])
    parser.add_argument("--baselines", action="store_true")
    args = parser.parse_args()
    seeds = [training.BUDGET.seed] + list(range(1, args.seeds))
    print(f"device: {training.configure_device()}")
    with tempfile.TemporaryDirectory() as work:
        private = Path(work)
        training.prepare_private(private)
        print(f"budget: {training.BUDGET}")
        print("| model | seed | val | test | train s |\n|---|---|---|---|---|", flush=True)
        for chapter in args.chapter:
            assignment, name = BUILDERS[chapter]
            builder = answer_key(assignment)[name]
            for seed in seeds:
                found = earned(builder, chapter, private, dataclasses.replace(training.BUDGET, seed=seed))
                val, test = (found["scores"][split]["accuracy"] for split in ("val", "test"))
                print(f"| {chapter} reference | {seed} | {val:.3f} | {test:.3f} | {found['train_seconds']} |", flush=True)
        if args.baselines:
            with np.load(private / training.SPLIT_FILES["train"]) as archive:
                majority = int(np.bincount(archive["labels"]).argmax())
            accuracies = []
            for split in ("val", "test"):
                with np.load(private / training.SPLIT_FILES[split]) as archive:
                    accuracies.append(float(np.mean(archive["labels"] == majority)))
            print(f"| majority class ({data.CLASS_NAMES[majority]}) | - | {accuracies[0]:.3f} | {accuracies[1]:.3f} | 0 |")
            reference = answer_key("ch06_training")["build_model"]
            model = training.build_fresh(reference, len(data.CLASS_NAMES), (*training.BUDGET.image_size, 3))
            untrained = training.rebuild(model.to_json(), seed=training.BUDGET.seed)
            val, test = (training.score_split(untrained, private, split)["accuracy"] for split in ("val", "test"))
            print(f"| untrained reference | {training.BUDGET.seed} | {val:.3f} | {test:.3f} | 0 |", flush=True)
            for label, (chapter, name) in BASELINE_FIXTURES.items():
                if chapter not in args.chapter:
                    continue
                start = time.perf_counter()
                found = earned(fixture(chapter, name)[BUILDERS[chapter][1]], chapter, private, training.BUDGET)
                val, test = (found["scores"][split]["accuracy"] for split in ("val", "test"))
                print(f"| {label} | {training.BUDGET.seed} | {val:.3f} | {test:.3f} | "
                      f"{time.perf_counter() - start:.1f} |", flush=True)


if __name__ == "__main__":
    main()
