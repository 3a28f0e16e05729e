# Generated from source/ch06_training/ch06_training.ipynb by `make generate`; edit the notebook in source/, not this file.
# Work on the cells marked [solution]; run the [check] cells to test them.
# [demo] cells need the real photos (FLOWERS_DIR) and are not graded.
# Grade it with: python -m autograder grade THIS_FILE.py

# %% [markdown]
# # Chapter 6 — Build, compile and train a CNN
#
# ### What you will learn
#
# * to stack convolution, pooling and dense layers into a small image classifier, and to see where its
#   parameters go;
# * to pick the loss that matches what the last layer gives (probabilities or logits), and what each mismatch
#   really does to training;
# * to compile with Adam at a learning rate passed in as an argument, with accuracy tracked;
# * to run `fit` with a validation split and read the `History` it returns;
# * why the grader trains your architecture itself instead of reading the accuracy your notebook prints.
#
# ### Before you start
#
# * Chapters 4 and 5: photos as arrays of shape `(N, height, width, 3)` with integer labels, and batched
#   `tf.data` datasets.
# * Python functions and lists. No earlier Keras is assumed; the layers are explained below.
# * The course's virtual environment. The demo cells and the accuracy checks also need the tf_flowers photos
#   (`FLOWERS_DIR`, see the README); every other check runs without them.
#
# ### Time
#
# About 90 minutes: 45 to read and write the three functions, 15 to train on the real photos (a run takes under
# a minute at the grader's budget), 30 for the accuracy check and one of the exercises at the end.
#
# ---
#
# Chapters 4 and 5 turned photos into arrays and pipelines. Now a network learns from them. You write three
# functions:
#
# | function | what it does |
# | --- | --- |
# | `build_model` | stacks the layers of a small convolutional network (CNN) |
# | `compile_model` | chooses how the network learns: optimizer, loss and metric |
# | `train_model` | runs the training loop and returns its record, the `History` |
#
# **How the accuracy is graded.** Your notebook can print any accuracy; the grade never reads it. The grader
# calls *your* `build_model` once, keeps only the model's architecture (`model.to_json()`: the layers and their
# settings, no weights), and hands it to a process where none of your code runs. That process initialises every
# weight from the kit's seed, trains the network *itself* with a fixed budget (the same number of epochs, image
# size, seed and preprocessing for everybody), then measures it on photos your code never sees. So the accuracy
# you earn is the architecture's alone: weights you trained or loaded, layers you froze, a patched `fit` never
# reach it. The visible check shows that measurement on the validation split; a hidden test repeats it on the
# test split. Everything else (shapes, parameter count, the loss that fits the last layer, the `History`) is
# checked on its own, with a hint when it fails: `compile_model` and `train_model` are handed small models made
# by the kit, so a mistake in `build_model` costs only the checks that read `build_model`: its own and the
# accuracy's.

# %% [markdown]
# ## Configurable parameters
#
# `IMAGE_SIZE` and `EPOCHS` below are the grader's budget, read from the kit so that what you try here is what
# the grader does. You may change them for your own experiments; the grader keeps its own.

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")   # keep TensorFlow's C++ logs quiet

import numpy as np
import tensorflow as tf
import keras

from autograder.data import CLASS_NAMES
from autograder.nbcheck import run_check
from autograder.training import BUDGET, PARAMETER_CAP

IMAGE_SIZE = BUDGET.image_size        # (height, width) the grader trains at
EPOCHS = BUDGET.epochs                # passes over the train split
BATCH_SIZE = BUDGET.batch_size
NUM_CLASSES = len(CLASS_NAMES)        # 5
print("Keras", keras.__version__, "| budget:", IMAGE_SIZE, EPOCHS, "epochs | parameter cap:", f"{PARAMETER_CAP:,}")

# %% [markdown]
# ## 1. What the layers do
#
# A photo enters as a grid of numbers, `(height, width, 3)`, pixels between 0 and 255. The network you build
# passes it through a fixed sequence of layers:
#
# * **`Rescaling(1/255)`** maps pixels to 0–1. Networks learn faster when their inputs are small numbers of
#   similar size. Putting this inside the model means it travels with the model: whoever uses the model later
#   feeds it the same 0–255 pixels it was trained on. (Beware `1//255`: integer division gives 0, and a model
#   that multiplies every pixel by 0 can only learn which class is most common.)
# * **`Conv2D(filters, 3, activation="relu")`** slides `filters` small 3 × 3 windows over the image. Each window
#   is a pattern detector whose weights are learned; its output, a *feature map*, is large where the pattern
#   occurs. The first block finds edges and colour changes; later blocks combine them into textures and petal
#   shapes. `padding="same"` keeps the height and width; ReLU sets negative responses to zero, which is what
#   lets a stack of layers model more than a straight line.
# * **`MaxPooling2D()`** keeps the largest value of every 2 × 2 patch: height and width halve, the strongest
#   responses survive, and the next convolution sees a larger part of the photo.
# * **`Flatten()`** lays the last feature maps out as one long vector.
# * **`Dense(128, activation="relu")`** combines every feature into 128 new ones.
# * **`Dense(num_classes)`** gives one score per class. With `activation="softmax"` the scores become
#   probabilities (positive, summing to 1); without an activation they are *logits*, raw scores whose largest
#   still names the predicted class.
#
# Three convolution blocks with 16, 32 and 64 filters, each followed by pooling, are enough for a first model.
# Count what pooling saves: at 48 × 48, the grader's size, the three poolings leave 6 × 6 × 64 = 2,304 numbers for
# the Dense layer, about 300,000 weights. Forget the pooling and the same Dense layer needs 48 × 48 × 64 × 128 ≈ 19
# million, over the grader's cap of 10 million parameters: such a model is refused before any training.

# %% [solution] build_model
def build_model(num_classes, input_shape):
    """Build the course's small CNN, not compiled yet.

    N is the batch size, H, W = input_shape[:2], C = num_classes.

    Inputs:
    - num_classes: int, C, the number of classes; the last layer has C units.
    - input_shape: tuple (H, W, 3), the shape of one image. Pixels arrive as float32 in 0-255.

    Returns a keras.Model (a keras.Sequential is fine) that maps a float32 batch of shape
    (N, H, W, 3) to scores of shape (N, C): probabilities (softmax) or logits (no activation);
    compile_model must use the loss that matches. Use Keras's own layers only (no Lambda):
    the grader rebuilds the model from model.to_json(). At most PARAMETER_CAP parameters.
    """
    layers = keras.layers
    # YOUR CODE HERE
    raise NotImplementedError()
    return model

# %% [check] check_build_model
# Visible check: build_model(5, (48, 48, 3)). The grader rebuilds the model from its JSON and
# expects input (None, 48, 48, 3), output (None, 5) and at most PARAMETER_CAP parameters.
run_check("ch06", "check_build_model", build_model)

# %% [check] hidden_build_model
# Hidden test: build_model with other arguments.

# %% [markdown]
# > **Demo, not graded.** `summary()` lists your model's layers with the shape each one outputs and the parameters it holds: find the 2,304 numbers that reach the first `Dense` layer, and the layer where most of the weights sit. The grader skips this cell.

# %% [demo]
# DEMO (not graded): each layer of your model with its output shape and parameter count (this one needs no photos).
build_model(NUM_CLASSES, (*IMAGE_SIZE, 3)).summary()

# %% [markdown]
# ## 2. How the network learns: `compile`
#
# Compiling attaches three things to the model.
#
# * **The loss** measures how wrong the predictions are; training pushes it down. Labels here are class
#   indices (0 for daisy … 4 for tulips), which is what *sparse* categorical cross-entropy expects
#   (plain categorical cross-entropy wants one-hot vectors instead). Its `from_logits` flag tells the loss what
#   the last layer gives: `from_logits=False` after a softmax (probabilities), `from_logits=True` for logits (a
#   last layer without activation). The two ways of getting it wrong are not equally bad. Measured with Keras
#   3.15 on a tiny five-class model, the same seed each time, 30 epochs:
#   * **logits with `from_logits=False` is the harmful pair, and Keras does not warn.** The loss takes the raw
#     scores for probabilities: it clips them into (0, 1) and rescales each row to sum to 1, which is not what
#     softmax does. The first loss read 9.07 instead of 1.79, and after 30 epochs the model was right on 52 % of
#     its training examples, against 98 % with the matching pair.
#   * **softmax with `from_logits=True` contradicts itself, and Keras warns**: *"received `from_logits=True`,
#     but the `output` argument was produced by a Softmax activation and thus does not represent logits. Was
#     this intended?"* It then computes the loss from the scores the softmax received, so the loss and the whole
#     training came out identical to the matching pair. Softmax is applied a second time only to probabilities
#     that no Keras softmax produced, such as predictions saved in an array and handed to the loss later (there
#     the loss read 1.61 instead of 1.90).
#
#   The checks ask for the matching pair in both cases: a setting that works only because Keras repairs it
#   breaks the day the probabilities come from somewhere else.
# * **The optimizer** turns gradients into weight updates. Adam keeps a running average of each weight's
#   gradients and of their size, so every weight gets a step of sensible length without hand tuning; its
#   `learning_rate` (0.001 by default) scales every step.
# * **Metrics** are reported but not optimised; accuracy is the share of photos whose highest score is the right
#   class.

# %% [solution] compile_model
def compile_model(model, learning_rate=0.001):
    """Compile a classifier for integer class labels, with the loss that matches its output.

    Inputs:
    - model: an uncompiled keras.Model whose last layer is Dense(C), either with
      activation="softmax" (it outputs probabilities) or with no activation (it outputs
      logits). Your build_model's model is one of these; the checks hand compile_model small
      models of both kinds made by the kit, so it is graded on its own, whatever build_model does.
    - learning_rate: float > 0, Adam's step size.

    Returns the same model object, compiled with keras.optimizers.Adam(learning_rate),
    SparseCategoricalCrossentropy whose from_logits matches the last layer (False after a
    softmax, True for logits; model.layers[-1].get_config()["activation"] names the last
    layer's activation: "softmax" or "linear"), and metrics=["accuracy"].
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    return model

# %% [check] check_compile_model
# Visible check: compile_model on two small models made by the kit (not your build_model), one ending in
# Dense(5, activation="softmax"), one in Dense(5) (logits), learning rate 0.001. Expected for each: Adam at 0.001,
# sparse categorical cross-entropy with the from_logits that matches its last layer, accuracy among the metrics.
run_check("ch06", "check_compile_model", compile_model)

# %% [check] hidden_compile_model
# Hidden test: compile_model on the same two kinds of kit model, with another learning rate.

# %% [markdown]
# ## 3. Training: `fit` and its `History`
#
# `model.fit` goes over the training data `epochs` times. In each step it predicts a batch, computes the loss,
# and lets the optimizer nudge every weight. After each epoch it scores the validation split, which it never
# learns from, so you can watch both curves. It returns a `History` whose `history` dict holds one list per
# quantity (`loss`, `accuracy`, `val_loss`, `val_accuracy`), one value per epoch: chapter 7 plots them.

# %% [solution] train_model
def train_model(model, train_dataset, val_dataset, epochs=10):
    """Train a compiled model and return the record of training.

    Inputs:
    - model: a compiled keras.Model.
    - train_dataset: tf.data.Dataset of batches (images float32 (N, H, W, 3) in 0-255, labels int (N,)).
    - val_dataset: a dataset of the same form, used only to score each epoch.
    - epochs: int, how many passes over train_dataset.

    Returns the keras.callbacks.History that model.fit returns: history.history has the keys
    "loss", "accuracy", "val_loss" and "val_accuracy", each a list of `epochs` floats.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    return history

# %% [check] check_train_model
# Visible check: a tiny model made by the kit, 32 random training images, 16 validation images, 2 epochs.
# Expected: a History with loss, accuracy, val_loss and val_accuracy for 2 epochs, and changed weights.
run_check("ch06", "check_train_model", train_model)

# %% [check] hidden_train_model
# Hidden test: train_model with another number of epochs.

# %% [markdown]
# ## 4. Train on the real photos
#
# `as_dataset` below feeds arrays through a plain pipeline: pixels as float32 in 0–255, shuffled training
# batches, no augmentation (chapter 5's pipeline would work too). At the grader's 48 × 48 and 8 epochs a run
# takes under a minute on two CPU cores.

# %%
def as_dataset(images, labels, training):
    """Batches of (float32 images in 0-255, int32 labels); shuffled for training only."""
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    if training:
        dataset = dataset.shuffle(len(labels), seed=0)
    return dataset.batch(BATCH_SIZE).map(lambda x, y: (tf.cast(x, tf.float32), y)).prefetch(tf.data.AUTOTUNE)

# %% [markdown]
# > **Demo, not graded.** The next cell needs the real photos. It loads the train and validation splits at `IMAGE_SIZE`, builds and compiles a model with your own functions, trains it for `EPOCHS` epochs and prints the numbers of the last epoch. The grader skips it: the accuracy check in section 5 does its own training.

# %% [demo]
# DEMO (not graded): your three functions training on the real photos, then the last epoch's numbers; it needs the real photos (FLOWERS_DIR).
from autograder.data import load_split

train_images, train_labels, _ = load_split("train", IMAGE_SIZE)
val_images, val_labels, _ = load_split("val", IMAGE_SIZE)
print("train:", train_images.shape, "val:", val_images.shape)

keras.utils.set_random_seed(0)
model = compile_model(build_model(NUM_CLASSES, (*IMAGE_SIZE, 3)), learning_rate=0.001)
history = train_model(model, as_dataset(train_images, train_labels, True),
                      as_dataset(val_images, val_labels, False), epochs=EPOCHS)

last = {key: round(values[-1], 3) for key, values in history.history.items()}
print("after the last epoch:", last)

# %% [markdown]
# Read the last line. Training accuracy keeps climbing while validation accuracy stalls around 0.6: the network starts to memorise the training photos instead of learning what makes a tulip a tulip.
# That gap is *overfitting*, and chapter 7 is about reading it and fighting it.
#
# ## 5. The accuracy you earn
#
# The next check asks the grader to do its own run: a fresh model from your `build_model`, the kit's pipeline,
# `EPOCHS` epochs at `IMAGE_SIZE`, a fixed seed, compiled by the grader with Adam and the loss that matches your
# last layer. It then rebuilds the trained model from its JSON and its weights and scores it on the validation
# split. At least 0.45 is needed; guessing the largest class scores about 0.23. The course's model earns about 0.6
# (the calibration report, `benchmarks/CALIBRATION.md`, lists every seed tried). Expect the check to take about
# as long as the training above.

# %% [check] check_val_accuracy
# Visible check: accuracy earned in the grader, validation split (301 photos); at least 0.45.
run_check("ch06", "check_val_accuracy", build_model)

# %% [check] hidden_test_accuracy
# Hidden test: the same trained model, scored on the test split.

# %% [markdown]
# ## What you have now
#
# * a CNN defined by a function, so a fresh copy can be built at any time (the grader relies on it);
# * a loss that matches the last layer, and an optimizer whose learning rate is a parameter;
# * a `History` of loss and accuracy on both splits, one value per epoch.
#
# Chapter 7 reads those curves, fights overfitting with dropout, L2 and early stopping, and looks at which
# photos the model gets wrong.

# %% [markdown]
# ## Going further (not graded)
#
# 1. **Width or depth?** Double the filters of every convolution (32, 64, 128), then go back and add a fourth
#    convolution block instead. Compare the parameter counts in `summary()` and the validation accuracy after
#    `EPOCHS` epochs: which change buys more accuracy per parameter?
# 2. **Both mismatches on real photos.** Train the course model twice more: without the softmax and with
#    `from_logits=False`, then with the softmax and `from_logits=True`. Before running, write down what you
#    expect each `History` to look like from section 2; then compare, and look for Keras's warning.
# 3. **Learning rates.** Train with 0.01, 0.001 and 0.0001 and plot `val_accuracy` per epoch for each. Which one
#    is too timid in 8 epochs, and does any of them make the loss jump instead of fall?
# 4. **Larger photos.** Set `IMAGE_SIZE = (96, 96)` and train again: how do the parameter count, the time per
#    epoch and the accuracy change? (The grader keeps its own 48 × 48.)
