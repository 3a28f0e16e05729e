"""Trusted training (autograder.training): the student's process sends back only ``model.to_json()``
and a claimed parameter count; the grader vets it, rebuilds it with the kit's seed, trains it with a
budget and scores it. Every standard way to write a Keras model is accepted and rebuilds to the same
shapes; refusals name what they found, before any training; weights planted by any route earn exactly
what the bare architecture earns, or are refused; functional and nested twins earn what the Sequential
earns; on a GPU the trainer says so. Photo tests use a tiny budget (16 x 16 px, one epoch): seconds."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import numpy as np
import pytest

from autograder import nbcheck, training
from autograder.chapters import earned

from .conftest import REPO, namespace_of, photos_or_skip

SOLUTION = REPO / "solutions" / "ch06_training" / "ch06_training.ipynb"
TINY = training.Budget(image_size=(16, 16), epochs=1, batch_size=64, seed=123)
SHAPE = (*TINY.image_size, 3)


def _keras():
    import keras

    return keras, keras.layers


def _plain(shape=SHAPE, conv_init="glorot_uniform", dense_init="glorot_uniform"):
    """The small architecture every planted route starts from."""
    keras, layers = _keras()
    return keras.Sequential([keras.Input(shape), layers.Rescaling(1 / 255),
                             layers.Conv2D(8, 3, activation="relu", kernel_initializer=conv_init), layers.MaxPooling2D(),
                             layers.Flatten(), layers.Dense(5, activation="softmax", kernel_initializer=dense_init)])


def _model(name: str):
    """One way of writing a Keras model; the first four are _plain's layers, in other forms."""
    keras, layers = _keras()
    inputs = keras.Input(SHAPE)
    features = layers.MaxPooling2D()(layers.Conv2D(8, 3, activation="relu")(layers.Rescaling(1 / 255)(inputs)))
    if name == "sequential":
        return _plain()
    if name == "functional":
        return keras.Model(inputs, layers.Dense(5, activation="softmax")(layers.Flatten()(features)))
    if name == "sequential_in_functional":
        block = keras.Sequential([layers.Rescaling(1 / 255), layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D()])
        return keras.Model(inputs, layers.Dense(5, activation="softmax")(layers.Flatten()(block(inputs))))
    if name == "functional_in_sequential":
        return keras.Sequential([keras.Input(SHAPE), keras.Model(inputs, features), layers.Flatten(),
                                 layers.Dense(5, activation="softmax")])
    if name == "dropout_batchnorm_l2_augmentation":
        return keras.Sequential([keras.Input(SHAPE), layers.RandomFlip("horizontal"), layers.RandomRotation(0.1),
                                 layers.Rescaling(1 / 255), layers.Conv2D(8, 3, kernel_regularizer=keras.regularizers.L2(1e-4)),
                                 layers.BatchNormalization(), layers.Activation("relu"), layers.GlobalAveragePooling2D(),
                                 layers.Dropout(0.3), layers.Dense(5)])
    if name in ("ops_add", "layers_add"):
        added = layers.Add()([features, features]) if name == "layers_add" else keras.ops.add(features, features)
        return keras.Model(inputs, layers.Dense(5)(layers.GlobalAveragePooling2D()(added)))
    assert name == "mobilenet_v2", name
    return keras.applications.MobileNetV2(weights=None, input_shape=(48, 48, 3), classes=5)


ACCEPTED = ["sequential", "functional", "sequential_in_functional", "functional_in_sequential",
            "dropout_batchnorm_l2_augmentation", "ops_add", "layers_add", "mobilenet_v2"]


@pytest.mark.parametrize("name", ACCEPTED)
def test_every_standard_way_to_write_a_model_is_accepted(name):
    model = _model(name)
    training.vet(model.to_json())
    rebuilt = training.rebuild(model.to_json(), seed=1)
    images = np.random.default_rng(0).uniform(0, 255, size=(2, *model.input_shape[1:])).astype("float32")
    assert rebuilt.output_shape == model.output_shape
    assert tuple(rebuilt(images).shape) == tuple(model(images).shape) == (2, 5)
    measured = training.measure_architecture(training.describe_model(model))
    assert "refused" not in measured, measured
    assert measured["parameters"] == model.count_params() > (2_000_000 if name == "mobilenet_v2" else 0)


def test_trained_or_frozen_weights_do_not_travel_in_the_architecture():
    model = _plain()
    before = training.vet(model.to_json())
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(np.random.default_rng(0).uniform(0, 255, (64, *SHAPE)), np.arange(64) % 5, epochs=1, verbose=0)
    for layer in model.layers:
        layer.trainable = False
    assert training.vet(model.to_json()) == before


# --- refusals -------------------------------------------------------------------------------------------

def _refused(name: str):
    keras, layers = _keras()

    class MyModel(keras.Model):
        def call(self, x):
            return x

    @keras.saving.register_keras_serializable(package="student")
    class Doubler(layers.Layer):
        def call(self, x):
            return x * 2

    inputs = keras.Input((8, 8, 3))
    if name == "subclassed":
        model = MyModel()
        model.build((None, 8, 8, 3))
        return model
    if name == "ops_constant":
        return keras.Model(inputs, layers.Dense(5)(layers.Flatten()(keras.ops.add(inputs, np.ones((8, 8, 3))))))
    if name == "normalization_array":
        return keras.Sequential([keras.Input((100,)), layers.Normalization(mean=np.zeros(100), variance=np.ones(100))])
    first = {"lambda": lambda: layers.Lambda(lambda x: x * 2), "registered": Doubler,
             "rescaling_array": lambda: layers.Rescaling(scale=np.ones((8, 8, 3))),
             "constant_kernel": lambda: layers.Dense(4, kernel_initializer=keras.initializers.Constant(np.ones((192, 4))))}
    return keras.Sequential([inputs, *([layers.Flatten()] if name == "constant_kernel" else []), first[name](),
                             layers.Flatten(), layers.Dense(5)])


REFUSED = {"lambda": r"model\.layers\[1\] \(Lambda 'lambda(_\d+)?'\) is a Lambda layer",
           "subclassed": r"\(MyModel 'my_model'\) is a model class of your own \(a subclass of keras\.Model\)",
           "registered": r"\(Doubler 'doubler'\) is a registered custom object \('student>Doubler'\)",
           "constant_kernel": r"kernel_initializer \(Constant\) carries values in its 'value' setting",
           "rescaling_array": r"Rescaling '[a-z_0-9]+'\), in its 'scale' setting, carries 192 numbers",
           "normalization_array": r"Normalization 'normalization'\), in its 'mean' setting, carries 100 numbers",
           "ops_constant": r"\(Add '[a-z_0-9]+'\), in its 'arguments' setting, carries 192 numbers"}


@pytest.mark.parametrize("name", REFUSED)
def test_refusals_say_what_was_found_before_any_training(name, record_property):
    found = training.describe_model(_refused(name))
    start = time.perf_counter()
    with pytest.raises(training.ArchitectureRefused, match=REFUSED[name]) as refusal:
        training.vet(found["architecture"])  # vetting never trains: the refusal comes first
    record_property("vet_seconds", round(time.perf_counter() - start, 4))
    assert training.measure_architecture(found)["refused"] == str(refusal.value)  # the grader's step before training


# --- accuracy earned with a tiny budget (photos) ------------------------------------------------------------

@pytest.fixture(scope="module")
def private(tmp_path_factory):
    photos_or_skip()
    folder = tmp_path_factory.mktemp("private-tiny")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FLOWERS_OFFLINE", "1")
        patch.setenv("FLOWERS_CACHE", os.environ.get("FLOWERS_CACHE", str(tmp_path_factory.getbasetemp() / "flowers-cache")))
        training.prepare_private(folder, budget=TINY)
    return folder


def _earn(model, folder) -> dict:
    """A fresh training (the memo cleared) of a model or of an architecture string."""
    training._earned.clear()
    found = {"architecture": model, "claimed_parameters": 0} if isinstance(model, str) else training.describe_model(model)
    return training.earn(found, folder, TINY)


def _scores(result: dict) -> tuple[float, float]:
    return result["scores"]["val"]["accuracy"], result["scores"]["test"]["accuracy"]


@pytest.fixture(scope="module")
def plain(private) -> tuple[float, float]:
    return _scores(_earn(_plain(), private))


@pytest.fixture(scope="module")
def pretrained(private):
    """The plain architecture trained in this process (five epochs): the weights a submission would plant."""
    _keras()[0].utils.set_random_seed(0)
    model = _plain()
    images, labels = training._load(private / training.SPLIT_FILES["train"])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(images.astype("float32"), labels, epochs=5, batch_size=64, verbose=0)
    return model


def test_the_planted_weights_are_worth_planting(pretrained, plain, private):
    assert training.score_split(pretrained, private, "val")["accuracy"] > plain[0] + 0.05


def _plant(route: str, model):
    """``model``'s trained weights planted by one route: a model, or an architecture string edited by hand."""
    keras, layers = _keras()
    kernel, bias, dense, dense_bias = model.get_weights()
    if route == "trained_in_process":
        return model
    if route == "every_layer_frozen":
        copy = _plain()
        copy.set_weights(model.get_weights())
        copy.trainable = False  # and so every layer
        return copy
    if route in ("seeded_initializers", "constant_initializers"):
        seeded = route == "seeded_initializers"
        return _plain(conv_init=keras.initializers.GlorotUniform(seed=999) if seeded else keras.initializers.Constant(kernel),
                      dense_init=keras.initializers.GlorotUniform(seed=999) if seeded else keras.initializers.Constant(dense))
    if route == "weights_key_in_each_layer":
        tree = json.loads(model.to_json())
        for layer in tree["config"]["layers"][1:]:  # after the InputLayer
            layer["config"]["weights"] = [w.tolist() for w in model.get_layer(layer["config"]["name"]).get_weights()]
        return json.dumps(tree)
    # many_small_constants: the trained network as fixed keras.ops constants of at most 60 numbers each
    ops, inputs = keras.ops, keras.Input(SHAPE)
    x = ops.concatenate([ops.conv(inputs / 255.0, kernel[..., f:f + 2]) + bias[f:f + 2] for f in range(0, 8, 2)], axis=-1)
    x = layers.Flatten()(layers.MaxPooling2D()(ops.relu(x)))
    logits = ops.zeros_like(x[:, :5]) + dense_bias
    for s in range(0, dense.shape[0], 12):
        logits = logits + ops.matmul(x[:, s:s + 12], dense[s:s + 12])
    return keras.Model(inputs, layers.Dense(5, activation="softmax", kernel_initializer="identity", use_bias=False)(logits))


PLANTED = {"trained_in_process": "equal", "every_layer_frozen": "equal", "seeded_initializers": "equal",
           "constant_initializers": "refused", "weights_key_in_each_layer": "refused",
           "many_small_constants": "refused"}


@pytest.mark.parametrize("route", PLANTED)
def test_planted_weights_never_earn_more_than_the_architecture(route, pretrained, plain, private):
    result = _earn(_plant(route, pretrained), private)
    if PLANTED[route] == "refused":  # in the whole graph's operations, or in one setting
        assert "carr" in result["refused"], result
    else:
        assert _scores(result) == plain, (route, _scores(result), plain)


@pytest.mark.parametrize("form", ACCEPTED[1:4])
def test_functional_and_nested_forms_earn_what_the_sequential_twin_earns(form, plain, private):
    # The same layers draw their initial weights in the same order from the kit's seed: equal, not close.
    assert _scores(_earn(_model(form), private)) == plain


@pytest.mark.parametrize("shape, classes, words", [((32, 32, 3), 5, "takes inputs of shape (32, 32, 3)"),
                                                    (SHAPE, 1, "its output has shape (1,)")])
def test_a_model_of_the_wrong_shape_is_refused_before_training(shape, classes, words, private, monkeypatch):
    """A fixed Input size or a wrong head is named before any training, not as a TensorFlow error."""
    keras, layers = _keras()
    monkeypatch.setattr(training, "fit_budget", lambda *args: pytest.fail("trained a model of the wrong shape"))
    model = keras.Sequential([keras.Input(shape), layers.Flatten(), layers.Dense(classes)])
    result = _earn(model, private)
    assert words in result["refused"], result


def test_the_visible_and_hidden_probes_of_one_builder_share_one_training(private, monkeypatch):
    trainings, fit = [], training.fit_budget
    monkeypatch.setattr(training, "fit_budget", lambda *args: trainings.append(1) or fit(*args))
    training._earned.clear()
    # The worker probes both checks (one builder call each), then the evaluator measures both.
    for found in [training.describe_architecture(lambda classes, shape: _plain(shape), 5, SHAPE) for _ in range(2)]:
        training.earn(found, private, TINY)
    assert len(trainings) == 1


@pytest.mark.slow
def test_planted_builders_earn_what_the_answer_key_earns_end_to_end(photos, monkeypatch):
    """Through nbcheck and the sandboxed evaluator at the real budget (about 15 s a training): a builder
    returning a pre-trained frozen model, and one that also disables keras.Model.fit in the student's
    process, earn exactly what the answer key's plain build_model earns."""
    from autograder import data

    keras, _ = _keras()
    key = namespace_of(SOLUTION)
    images, labels, _ = data.load_split("train", training.BUDGET.image_size)
    keras.utils.set_random_seed(0)
    pretrained = key["build_model"](5, earned.INPUT_SHAPE)
    pretrained.compile("adam", "sparse_categorical_crossentropy")
    pretrained.fit(images[:640].astype("float32"), labels[:640], epochs=1, verbose=0)
    fit = keras.Model.fit

    def build_frozen(num_classes, input_shape):
        for layer in pretrained.layers:
            layer.trainable = False
        return pretrained

    def build_with_fit_disabled(num_classes, input_shape):
        keras.Model.fit = lambda self, *args, **kwargs: None  # would keep planted weights, were fit called here
        model = keras.models.clone_model(pretrained)
        model.set_weights(pretrained.get_weights())
        model.trainable = True
        return model

    messages = []
    try:
        for build in (key["build_model"], build_frozen, build_with_fit_disabled):
            monkeypatch.setattr(nbcheck, "_measured", {})  # each one trained by an evaluator of its own
            messages.append(nbcheck.evaluate("ch06", "check_val_accuracy", build).message)
        assert keras.Model.fit is not fit  # the patch was live in this process while the grader trained
    finally:
        keras.Model.fit = fit
    assert re.search(r"scored 0\.\d{3} on \d+ validation photos", messages[0]), messages[0]
    assert messages[1] == messages[0] and messages[2] == messages[0], messages


GPU_SCRIPT = """import json, tempfile, pathlib
from autograder import training
from tests.test_trusted_training import TINY, _plain
device, folder = training.configure_device(), pathlib.Path(tempfile.mkdtemp())
training.prepare_private(folder, budget=TINY)
print(json.dumps({"device": device, "earned": training.earn(training.describe_model(_plain()), folder, TINY)["device"]}))"""


@pytest.mark.gpu
def test_on_a_gpu_the_trainer_trains_there_and_says_so():
    import tensorflow as tf

    if not tf.config.list_physical_devices("GPU"):
        pytest.skip("no GPU here")
    photos_or_skip()
    # A process of its own: the memory cap must be set before TensorFlow starts, as in the evaluator.
    run = subprocess.run([sys.executable, "-c", GPU_SCRIPT], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["device"].startswith("GPU ") and report["earned"] == report["device"], report
