# Generated from source/ch07_evaluation/ch07_evaluation.ipynb by `make generate`; edit the notebook in source/, not this file.
# Work on the cells marked [solution]; run the [check] cells to test them.
# [demo] cells need the real photos (FLOWERS_DIR) and are not graded.
# Grade it with: python -m autograder grade THIS_FILE.py

# %% [markdown]
# # Chapter 7 — Evaluating and improving the model
#
# ### What you will learn
#
# * Read a run's training and validation curves and say whether the model is still learning, overfitting or
#   underfitting.
# * Make a network harder to overfit with dropout, an L2 weight penalty and early stopping, and check on the
#   curves that it worked.
# * Pair the last layer with the loss (logits with `from_logits=True`), and turn logits into probabilities before
#   calling anything a confidence.
# * Collect predictions in one pass, draw a confusion matrix from the untouched test split, and look at the
#   model's most confident mistakes.
#
# ### Before you start
#
# * Chapter 6: the small CNN, `compile`, `fit` and the `History` it returns. This chapter starts from that network.
# * The flower photos (`FLOWERS_DIR`) for the demo cells. The graded functions and their checks need no photos,
#   except the two accuracy checks, which the grader runs on its own copy.
# * NumPy indexing (`argmax`, boolean masks, `argsort`) and matplotlib's `plt.subplots`.
#
# ### Time
#
# About three hours to read the chapter and write the nine functions. Run top to bottom, the notebook takes
# about one to two minutes on a two-core laptop processor, most of it the demo that trains two networks.
#
# Chapter 6 trained a first network and printed a number. This chapter asks what that number hides: is the model
# still learning or already memorising, which flowers does it mix up, and how sure is it when it is wrong? Then it
# makes the model harder to overfit. You will write nine functions:
#
# | function | what it does |
# | --- | --- |
# | `plot_history` | draws the training and validation curves of a run, accuracy and loss side by side |
# | `build_improved_model` | the chapter 6 network with dropout, L2 weight penalties and a logits output, compiled |
# | `make_early_stopping` | a callback that ends training when the validation loss stops improving and keeps the best weights |
# | `collect_predictions` | one pass over a split: true labels, predicted classes, probabilities and images |
# | `confusion_matrix` | counts how often each true class was predicted as each class |
# | `plot_confusion_matrix` | shows that matrix as a seaborn heat map with the class names on both axes |
# | `worst_k` | finds the mistakes of one class that the model made with the most confidence |
# | `to_display` | turns a 0–255 image into what `imshow` expects |
# | `plot_predictions` | shows those photos with their true class, predicted class and confidence |
#
# **How this notebook is graded.** As before: every function's docstring states what goes in and what comes out.
# Replace `raise NotImplementedError()` with your code, keep the rest, and run the visible check below each
# function. Hidden tests use other inputs (another patience, a shuffled dataset, a class with few mistakes) but
# the same contract. The checks never train a network: they inspect the model you build, and hand your other
# functions small models and data made up from fixed seeds, so they run in seconds.
#
# Demo cells train and analyse real models on the photos. They are not graded: each starts with
# `# DEMO (not graded)`, is tagged `demo`, and the note above it begins with **Demo, not graded.** The
# graders skip them.

# %% [markdown]
# ## Configurable parameters
#
# The demo trains two networks at 48 × 48 pixels (the size the grader trains at) for `MAX_EPOCHS = 16` epochs
# each: long enough to watch chapter 6's network overfit, short enough that the whole notebook runs in a few
# minutes on a laptop processor. On a machine with a GPU, raise `IMAGE_SIZE` and `MAX_EPOCHS`: the comparison
# gets clearer, and early stopping decides when to end.

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")   # keep TensorFlow's C++ logs quiet

import keras
import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
import tensorflow as tf
from keras import layers

from autograder.data import CLASS_NAMES
from autograder.nbcheck import run_check

IMAGE_SIZE = (48, 48)  # (height, width) the demo trains at
BATCH_SIZE = 32        # photos per training step
LEARNING_RATE = 1e-3   # Adam's step size
DROPOUT_RATE = 0.3     # fraction of units a Dropout layer switches OFF at each training step
L2_FACTOR = 1e-4       # weight of the L2 penalty added to the loss
PATIENCE = 4           # epochs without a better validation loss before early stopping ends a run
MAX_EPOCHS = 16        # epochs the demo trains each network
keras.utils.set_random_seed(7)  # the same run every time (on the same machine)
print("TensorFlow", tf.__version__, "| Keras", keras.__version__)

# %% [markdown]
# ## 1. Reading training curves
#
# `model.fit` returns a `History` object. Its attribute `history` is a dict with one list per quantity, one
# value per epoch: `loss` and `accuracy` are measured on the training split while it trains, `val_loss` and
# `val_accuracy` on the validation split after each epoch. Its attribute `epoch` lists the epochs that ran
# (counted from 0, as Python does).
#
# Two words first:
#
# * **Loss** is what training minimises: the average cross-entropy, small when the model gives the true class a
#   high probability. It moves smoothly, so it shows trends that accuracy hides.
# * **Accuracy** is the fraction of photos whose top-scoring class is the true one. It is what people care about,
#   but it only changes when a prediction flips.
#
# What the curves tell you:
#
# * Both losses fall and the curves stay close: the model is still learning; more epochs may help.
# * Training loss keeps falling while validation loss levels off or rises, and training accuracy pulls away from
#   validation accuracy: the model is **overfitting**. It is learning the training photos themselves (a
#   particular background, a particular bee) rather than what makes a tulip a tulip.
# * Both stay high: the model is too weak or the learning rate is badly chosen (**underfitting**).
#
# Draw both quantities for both splits. Number the epochs from 1 on the x axis, as people count them, and put a
# legend on each panel: a curve no one can identify is no help.
#
# Tools: `fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))`, `ax.plot(x, y, label=...)`,
# `ax.set_xlabel`, `ax.set_ylabel`, `ax.legend()`.

# %% [solution] plot_history
def plot_history(history):
    """Draw the training and validation curves of one training run.

    E is the number of epochs that ran.

    Inputs:
    - history: what model.fit returns (a keras History). history.history is a dict of lists of E
      floats under "accuracy", "val_accuracy", "loss" and "val_loss"; it may hold other keys
      (such as "learning_rate"), which are not plotted.

    Returns the matplotlib Figure, with two Axes:
    - first (left) the accuracy, second (right) the loss;
    - on each, two lines with x = the epoch numbers 1..E and y = the History's values: the
      training curve (label containing "Training") and the validation curve (label containing
      "Validation");
    - x axis labelled "Epoch", y axis labelled "Accuracy" or "Loss", and a legend.
    """
    figure, (accuracy_axes, loss_axes) = plt.subplots(1, 2, figsize=(11, 4))
    # YOUR CODE HERE
    raise NotImplementedError()
    figure.tight_layout()
    return figure

# %% [check] check_plot_history
# Visible check: a made-up 6-epoch History. The check reads the figure's axes: two panels,
# y data equal to the History's lists, x = 1..6, labelled axes and a legend on each.
run_check("ch07", "check_plot_history", plot_history)

# %% [check] hidden_plot_history
# Hidden test: plot_history on another History.

# %% [markdown]
# ## 2. A model that is harder to overfit
#
# Chapter 6's network has about 1.2 million weights at 96 × 96 and only about 2,500 training photos: plenty of
# room to memorise. Three changes make memorising costly:
#
# **Dropout.** `layers.Dropout(rate)` switches off a random fraction `rate` of its inputs at every training step
# (and multiplies the rest by 1 / (1 − rate), so that their sum stays the same on average); at prediction time it does nothing. The next layer cannot
# rely on any single unit, so it learns several ways to recognise a flower. In Keras the rate is the fraction
# *dropped*: this notebook uses `DROPOUT_RATE = 0.3`, so each step 30 % of the units are off and 70 % are kept.
# Rates from 0.1 to 0.5 are the usual range; at 0.8 the layer would throw away most of what it is given.
#
# **L2 regularisation** (weight decay). `kernel_regularizer=keras.regularizers.L2(L2_FACTOR)` adds
# `L2_FACTOR × (sum of the squared weights)` of that layer to the loss. Large weights now cost something, so the
# model prefers many small contributions to a few large ones, and small changes in a photo change its answer less.
# Keras adds the penalty to both losses it reports, training and validation, so the loss of a regularised model
# cannot be compared directly with that of an unregularised one; compare accuracies instead.
#
# **A chosen learning rate.** Adam's default step is 0.001. Too large and the loss jumps about or grows; too small
# and training crawls. Common values lie between 0.01 and 0.0001: try a few and compare the curves.
#
# **Logits out, `from_logits=True` in the loss.** The last layer is `Dense(num_classes)` *without* an activation:
# it outputs one raw score per class, a **logit**, which can be any real number. The loss
# `SparseCategoricalCrossentropy(from_logits=True)` applies the softmax itself, in a numerically safer way than a
# softmax layer followed by a logarithm. The two settings go together:
#
# | last layer | loss | what happens |
# | --- | --- | --- |
# | linear (logits) | `from_logits=True` | right: this chapter's pair |
# | softmax | `from_logits=False` (the default) | right: chapter 6's pair |
# | softmax | `from_logits=True` | a contradiction that Keras 3 catches: it warns, takes the scores from just before the softmax and computes the right loss. The outputs are still probabilities, though, so code that applies a softmax to them again (section 4) flattens every confidence |
# | linear (logits) | `from_logits=False` | the harmful pair, and nothing warns: raw scores are read as probabilities and the loss measures the wrong thing |
#
# We measured the last three rows against the first with Keras 3.15, on this chapter's model at 48 × 48, trained for
# 8 epochs from the same seed. Softmax with `from_logits=True` started at the same validation loss (1.66) and learnt
# as well (validation accuracy 0.64 against 0.68: the two compute the same loss in slightly different floating-point
# steps, and such differences grow over the epochs). Logits with `from_logits=False` started at 5.51 and ended at a
# validation accuracy of 0.25, no better than always guessing one class. Keras's rescue in the third row is a
# convenience, not a licence: keep the pair right.
#
# The price of logits: `model.predict` now returns logits, not probabilities. Section 4 applies the softmax
# before anyone calls a number a confidence.
#
# Build the network of chapter 6 (a `Rescaling(1/255)` layer first, since the pixels arrive on the 0–255 scale,
# then three `Conv2D(16/32/64, 3, padding="same", activation="relu")` + `MaxPooling2D` blocks, `Flatten`,
# `Dense(128, relu)`, `Dense(num_classes)`), add `Dropout(DROPOUT_RATE)` after `Flatten` and after `Dense(128)`,
# an L2 regulariser on the convolutions and on `Dense(128)`, and compile it. Use standard Keras layers only: the
# grader rebuilds your model from its configuration to train and score it.

# %% [solution] build_improved_model
def build_improved_model(num_classes, input_shape, learning_rate=LEARNING_RATE):
    """Build and compile the chapter 6 CNN with dropout, L2 regularisation and a logits output.

    Inputs:
    - num_classes: int C, the number of classes.
    - input_shape: (H, W, 3), the shape of one image; pixels arrive as float32 0-255.
    - learning_rate: float, Adam's learning rate.

    Returns a compiled keras Model:
    - input (None, H, W, 3), output (None, C): one logit per class (the last layer is linear,
      no softmax); the first layer after the input is Rescaling(1/255);
    - at least one Dropout layer, every Dropout rate between 0.1 and 0.5 (the fraction dropped);
    - an L2 kernel_regularizer on at least one layer;
    - compiled with keras.optimizers.Adam(learning_rate), loss
      keras.losses.SparseCategoricalCrossentropy(from_logits=True) and metrics=["accuracy"];
    - standard Keras layers only, at most 10 million parameters (the grader's cap).
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    return model

# %% [check] check_build_improved_model
# Visible check: build_improved_model(5, (96, 96, 3), learning_rate=0.0005), without training.
# Checked: output (None, 5) of logits, from_logits=True, Adam at 0.0005, accuracy metric,
# Rescaling(1/255), dropout rates in 0.1-0.5, an L2 regulariser, at most 10 million parameters.
run_check("ch07", "check_build_improved_model", build_improved_model)

# %% [check] hidden_build_improved_model
# Hidden test: build_improved_model with other arguments.

# %% [markdown]
# ### The grader trains it too
#
# As in chapter 6, the accuracy of this model is earned in the grader, not reported by your notebook. The
# grader calls `build_improved_model(5, (48, 48, 3), 0.001)` once and keeps only the architecture
# (`model.to_json()`, no weights). Where your code does not run, it rebuilds the model from that JSON,
# initialises every weight from the kit's seed, trains it with its own budget (the same as chapter 6's: 8 epochs
# at 48 × 48, a fixed seed, its own pipeline and compile settings) and scores it on photos your code never saw. The
# dropout and L2 you chose are part of the architecture, so they count; the learning rate you pass here is
# yours to tune in the demo, while the grader keeps its own. The threshold is in the check below; the
# calibration behind it is in `benchmarks/CALIBRATION.md`. The check takes as long as one training run.

# %% [check] check_improved_val_accuracy
# Visible check: accuracy earned in the grader by a fresh build_improved_model, validation split.
run_check("ch07", "check_improved_val_accuracy", build_improved_model)

# %% [check] hidden_improved_accuracy
# Hidden test: the same trained model, scored on the test split.

# %% [markdown]
# > **Demo, not graded.** The dropout rates, read back from a built model.
#
# Read the rates back from the model rather than from this text: a description and the code it describes drift
# apart easily (the tutorial this course follows says 0.5 in its prose while its code uses 0.2).

# %% [demo]
# DEMO (not graded): the dropout rates read back from a built model; it needs no photos, only your build_improved_model
model = build_improved_model(len(CLASS_NAMES), (*IMAGE_SIZE, 3))
for layer in model.layers:
    if isinstance(layer, layers.Dropout):
        print(f"{layer.name}: drops {layer.rate:.0%} of its inputs at each training step, keeps {1 - layer.rate:.0%}")
print(f"{model.count_params():,} parameters at {IMAGE_SIZE[0]} x {IMAGE_SIZE[1]}")

# %% [markdown]
# ## 3. Early stopping
#
# How many epochs? Too few and the model has not learnt; too many and it overfits. Instead of guessing, watch
# the validation loss and stop when it has not improved for `patience` epochs in a row. Stopping alone is not
# enough: by then the model has had `patience` epochs to get worse. `restore_best_weights=True` puts back the
# weights of the best epoch when training ends (in Keras 3 also when the run reached its last epoch without
# stopping).
#
# Monitor the **validation** split: the training loss keeps falling while the model overfits, so it would never
# say stop. `val_loss` goes down when the model improves (mode `"min"`); if you monitor `val_accuracy`, it goes up
# (mode `"max"`).
#
# One consequence matters for section 5: the validation split has now *chosen* the model (the epoch to keep), so
# its accuracy is a little optimistic. The honest final number comes from the test split, which nothing has looked
# at yet.

# %% [solution] make_early_stopping
def make_early_stopping(patience):
    """An EarlyStopping callback for model.fit.

    Inputs:
    - patience: int, how many epochs without improvement to wait before stopping.

    Returns keras.callbacks.EarlyStopping that monitors "val_loss" (mode "min" or "auto"; or
    "val_accuracy" with mode "max"), waits `patience` epochs, and restores the weights of the
    best epoch when training ends (restore_best_weights=True).
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    return callback

# %% [check] check_make_early_stopping
# Visible check: make_early_stopping(4); the check reads the callback's monitor, mode,
# patience and restore_best_weights.
run_check("ch07", "check_make_early_stopping", make_early_stopping)

# %% [check] hidden_make_early_stopping
# Hidden test: make_early_stopping with another patience.

# %% [markdown]
# > **Demo, not graded.** Training on the photos: chapter 6's network against the improved one.
#
# The demo loads the three splits with the kit's loader and trains two networks on **train** from the same seed,
# for `MAX_EPOCHS` epochs each, watching **val** after every epoch; **test** stays untouched until section 5.
#
# * **The baseline** is chapter 6's network: the same layers as `build_improved_model`, without dropout or L2. It
#   runs every epoch with no early stopping, because we want to watch it overfit. (It outputs logits, so both
#   networks are trained with the same loss; chapter 6's softmax version behaves the same.)
# * **The improved model** is yours. It gets `make_early_stopping(MAX_EPOCHS)`: a patience as long as the run,
#   so that it too runs every epoch and the two can be compared epoch by epoch, while `restore_best_weights=True`
#   still puts back its best epoch at the end. The next cell works out where `PATIENCE = 4` would have stopped it.
#
# Each network takes 15–40 seconds on a two-core laptop processor.

# %% [demo]
# DEMO (not graded): trains chapter 6's network and the improved one on the same photos, to compare them;
# it needs the real photos
from autograder.data import load_split

keras.utils.set_random_seed(7)  # the same shuffles and starting weights, whatever ran before this cell
splits = {split: load_split(split, IMAGE_SIZE)[:2] for split in ("train", "val", "test")}


def as_dataset(images, labels, shuffle=False):
    """Batched (float32 images 0-255, int32 labels); shuffled with a seed when asked."""
    dataset = tf.data.Dataset.from_tensor_slices((images.astype(np.float32), labels))
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=7)
    return dataset.batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE)


def build_baseline_model(num_classes, input_shape, learning_rate=LEARNING_RATE):
    """Chapter 6's network: the layers of build_improved_model without dropout or L2. It outputs
    logits too, so both models are trained with the same loss (chapter 6's softmax version learns alike)."""
    model = keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Rescaling(1 / 255),
        layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(num_classes),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return model


train_dataset = as_dataset(*splits["train"], shuffle=True)
validation_dataset = as_dataset(*splits["val"])
test_dataset = as_dataset(*splits["test"])
print({split: len(labels) for split, (_, labels) in splits.items()})

# The baseline runs every epoch, with no early stopping: we want to see it overfit.
keras.utils.set_random_seed(7)
baseline = build_baseline_model(len(CLASS_NAMES), (*IMAGE_SIZE, 3))
# shuffle=False: the training dataset shuffles itself; fit's own shuffle only applies to arrays
baseline_history = baseline.fit(train_dataset, validation_data=validation_dataset, epochs=MAX_EPOCHS,
                                shuffle=False, verbose=0)
# The improved model starts from the same seed. A patience as long as the run lets it run every epoch too, for
# the comparison; restore_best_weights still puts back its best epoch at the end.
keras.utils.set_random_seed(7)
model = build_improved_model(len(CLASS_NAMES), (*IMAGE_SIZE, 3))
history = model.fit(train_dataset, validation_data=validation_dataset, epochs=MAX_EPOCHS, shuffle=False,
                    callbacks=[make_early_stopping(MAX_EPOCHS)], verbose=0)
for name, run in (("baseline", baseline_history), ("improved", history)):
    best = int(np.argmin(run.history["val_loss"]))
    print(f"{name}: {len(run.history['loss'])} epochs, lowest validation loss {run.history['val_loss'][best]:.2f} "
          f"at epoch {best + 1}, best validation accuracy {max(run.history['val_accuracy']):.3f}")

# %% [markdown]
# > **Demo, not graded.** Both runs in one figure.
#
# Red is chapter 6's network, blue the improved one; solid lines are measured on the training split, dashed lines
# on the validation split. Watch, for each model, the distance between its solid and dashed **loss** curves: the
# gap between training and validation loss. A growing gap is overfitting. The improved model's losses include the
# L2 penalty, added to its training and its validation loss alike, so its losses are a little higher than the
# baseline's but its gap can be compared with the baseline's.

# %% [demo]
# DEMO (not graded): both models' curves in one figure, and the gap between training and validation loss;
# it needs the real photos (the two runs above)
figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(12, 4.5))
for name, run, colour in (("baseline", baseline_history, "tab:red"), ("improved", history, "tab:blue")):
    epochs = np.arange(1, len(run.history["loss"]) + 1)
    for axes, metric in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
        axes.plot(epochs, run.history[metric], color=colour, label=f"{name}, training")
        axes.plot(epochs, run.history[f"val_{metric}"], color=colour, linestyle="--", label=f"{name}, validation")
for axes, metric in ((loss_axes, "Loss"), (accuracy_axes, "Accuracy")):
    axes.set_xlabel("Epoch")
    axes.set_ylabel(metric)
    axes.legend()
loss_axes.set_title("Solid: training, dashed: validation")
figure.tight_layout()
plt.show()

for name, run in (("baseline", baseline_history), ("improved", history)):
    losses, validation_losses = run.history["loss"], run.history["val_loss"]
    best = int(np.argmin(validation_losses))
    print(f"{name}: lowest validation loss {validation_losses[best]:.2f} at epoch {best + 1}; at epoch {len(losses)}: "
          f"training loss {losses[-1]:.2f}, validation loss {validation_losses[-1]:.2f}, "
          f"gap {validation_losses[-1] - losses[-1]:.2f}; best validation accuracy {max(run.history['val_accuracy']):.3f}")


def stopping_epoch(validation_losses, patience):
    """The epoch (from 1) at which early stopping with this patience would have ended the run."""
    best, waited = float("inf"), 0
    for epoch, value in enumerate(validation_losses, start=1):
        if value < best:
            best, waited = value, 0
        else:
            waited += 1
            if waited >= patience:
                return epoch
    return len(validation_losses)


print(f"early stopping with PATIENCE = {PATIENCE} would have ended the improved run at epoch "
      f"{stopping_epoch(history.history['val_loss'], PATIENCE)} of {MAX_EPOCHS}")

# %% [markdown]
# > **Demo, not graded.** The improved run on its own, drawn by your `plot_history`.
#
# What we measured (seed 7, two-core processor; your numbers will differ a little, the picture should not):
#
# * **The baseline overfits.** Its validation loss was lowest at epoch 4 (0.91) and then climbed to 1.45 at epoch
#   16, while its training loss kept falling to 0.18: a gap of 1.27. It was learning the training photos themselves.
# * **The improved model overfits far less.** At epoch 16 its gap was 0.57 (training loss 0.51, validation loss
#   1.08). Its best validation accuracy was 0.691, the baseline's 0.664.
# * **Early stopping does the rest.** With `PATIENCE = 4` the improved run would have stopped at epoch 13, keeping
#   epoch 9; `restore_best_weights=True` kept that epoch here too.
#
# Part of the narrower gap is dropout itself: the training loss is measured with dropout switched on, which makes it
# look worse than the model really is. The validation loss has no such handicap, and it is the fairest witness:
# after its best epoch the baseline's climbs steeply, the improved model's far less. At this size and budget the
# best validation accuracies are close (the improved model's a little higher); what regularisation buys above all is
# that the epochs after the best one cost little, so the model you keep has not turned into a memoriser.

# %% [demo]
# DEMO (not graded): your plot_history on the improved run; it needs the real photos (the history trained above)
figure = plot_history(history)
plt.show()

# %% [markdown]
# Look for the signs from section 1. The training accuracy is measured with dropout switched on and averaged over
# an epoch in which the model was still improving, so in the first epochs it can even trail the validation
# accuracy. Once the validation loss turns up while the training loss keeps falling, early stopping waits
# `PATIENCE` epochs and then puts back the best epoch.
#
# ## 4. One pass over a split
#
# Error analysis needs four things per photo, in the same order: the true label, the predicted class, the
# probabilities and the photo itself. Two traps:
#
# * **Logits are not probabilities.** This model outputs logits, so `model.predict` gives numbers such as
#   `[2.1, -0.4, 5.3, ...]`. Their maximum is not a confidence. Apply `tf.nn.softmax(logits, axis=-1)` first: then
#   every row is positive and sums to 1, and its maximum is the probability the model gives its own answer.
# * **One pass.** Calling `model.predict` once per batch inside a Python loop starts Keras's prediction machinery
#   again for every batch: slow, for nothing. And reading the dataset twice (once for the labels, once for
#   `model.predict(dataset)`) is only safe if the dataset yields the same order each time; a dataset built with
#   `shuffle(...)` reshuffles on every pass, and the labels would no longer belong to the predictions. Loop over
#   the dataset once and, for each batch, keep the images and labels and call `model(images, training=False)`
#   (`training=False` keeps dropout off); or gather the images and labels in that loop and call `model.predict`
#   once at the end.

# %% [solution] collect_predictions
def collect_predictions(model, dataset):
    """Run a model over a dataset once and keep what error analysis needs.

    N images in the dataset, C classes, images of size H x W.

    Inputs:
    - model: a keras Model whose outputs are logits of shape (batch, C) (no softmax).
    - dataset: a batched tf.data.Dataset of (images, labels): images float32 (batch, H, W, 3)
      with pixels 0-255, labels int (batch,). It may reshuffle every time it is read.

    Returns a dict of four numpy arrays; row i of each describes the same image:
    - "labels": int (N,), the true classes;
    - "predicted": int (N,), the predicted classes (the argmax of each row);
    - "probabilities": float32 (N, C), the softmax of the logits: each row sums to 1;
    - "images": float32 (N, H, W, 3), the images as the dataset gave them (0-255).
    Reads the dataset exactly once and calls model.predict at most once.
    """
    labels, probabilities, images = [], [], []
    # YOUR CODE HERE
    raise NotImplementedError()
    probabilities = np.concatenate(probabilities).astype(np.float32)
    return {"labels": np.concatenate(labels).astype(np.int64),
            "predicted": probabilities.argmax(axis=1),
            "probabilities": probabilities,
            "images": np.concatenate(images).astype(np.float32)}

# %% [check] check_collect_predictions
# Visible check: 20 seeded 8 x 8 images in batches of 8 and a tiny logits model with fixed
# weights. The dataset counts how often it is read and the model how often predict is called;
# the probabilities must equal the softmax of the model's logits (to 1e-4).
run_check("ch07", "check_collect_predictions", collect_predictions)

# %% [check] hidden_collect_predictions
# Hidden test: collect_predictions on another dataset and model.

# %% [markdown]
# ## 5. The confusion matrix
#
# Accuracy is one number; the **confusion matrix** says where the mistakes go. Cell `[i, j]` counts the photos of
# true class `i` that the model predicted as class `j`. So **rows are true classes, columns are predicted
# classes**: the diagonal holds the correct answers, a row's off-diagonal cells say what a class is mistaken
# *for*, a column's off-diagonal cells say what else gets *called* that class. `tf.math.confusion_matrix(labels,
# predictions, num_classes=...)` uses the same layout; pass `num_classes`, or a class that never occurs loses its
# row and column.
#
# Counts depend on how many photos a class has. With `normalize=True`, divide each row by its sum: cell `[i, j]`
# becomes the fraction of class `i`'s photos predicted as `j`, and the diagonal is each class's recall.
#
# For the heat map use `sns.heatmap(matrix, annot=True, fmt="d" or ".2f", cmap="Blues", xticklabels=class_names,
# yticklabels=class_names, ax=ax)`; seaborn puts row 0 at the top, so the y axis reads like the matrix.

# %% [solution] confusion_matrix
def confusion_matrix(labels, predicted, num_classes):
    """Count how often each true class was predicted as each class.

    N photos, C = num_classes.

    Inputs:
    - labels: sequence of N ints in 0..C-1 (list, numpy array or tensor), the true classes.
    - predicted: sequence of N ints in 0..C-1, the predicted classes.
    - num_classes: int C; classes that never occur still get a row and a column.

    Returns an int numpy array of shape (C, C): matrix[i, j] = the number of photos of true
    class i predicted as class j (rows = true class, columns = predicted class).
    """
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    # YOUR CODE HERE
    raise NotImplementedError()
    return matrix

# %% [check] check_confusion_matrix
# Visible check: 60 seeded labels and predictions, 5 classes; expected counts computed by the grader.
run_check("ch07", "check_confusion_matrix", confusion_matrix)

# %% [check] hidden_confusion_matrix
# Hidden test: confusion_matrix on other labels.

# %% [solution] plot_confusion_matrix
def plot_confusion_matrix(labels, predicted, class_names, normalize=False):
    """Draw the confusion matrix as a seaborn heat map.

    N photos, C = len(class_names).

    Inputs:
    - labels, predicted: sequences of N ints in 0..C-1 (true and predicted classes).
    - class_names: list of C names; class i is class_names[i].
    - normalize: False shows counts; True shows each row divided by its sum (the fraction of
      each true class's photos predicted as each class; rows then sum to 1).

    Returns the matplotlib Figure with one Axes holding one sns.heatmap of the (C, C) matrix
    (rows = true class, columns = predicted class, as confusion_matrix returns it, or its
    row-normalised form), class_names as tick labels on both axes, the x axis labelled with a
    text containing "Predicted" and the y axis with a text containing "True".
    """
    figure, axes = plt.subplots(figsize=(6, 5))
    # YOUR CODE HERE
    raise NotImplementedError()
    figure.tight_layout()
    return figure

# %% [check] check_plot_confusion_matrix
# Visible check: the heat map's array (read from the Axes) must equal the grader's own
# confusion matrix from the same 60 labels and predictions; class names on both axes.
run_check("ch07", "check_plot_confusion_matrix", plot_confusion_matrix)

# %% [check] hidden_plot_confusion_matrix
# Hidden test: plot_confusion_matrix with normalize=True and other classes.

# %% [markdown]
# ### The honest number
#
# The validation split picked the epoch early stopping kept, and every choice you make while looking at its
# curves (learning rate, dropout rate, image size) tunes the model to it a little more. Its accuracy is therefore
# a little optimistic. The **test** split has not influenced anything: report its accuracy, and draw conclusions
# from its confusion matrix. (The tutorial this course follows drew its confusion matrix and its "final" accuracy
# from the validation split that also drove early stopping; don't.) Look at the test split once, at the end; if
# you go back and tune after reading it, it stops being a test.

# %% [markdown]
# > **Demo, not graded.** The improved model (its best epoch, restored) on the untouched test split: the
# honest accuracy, then the confusion matrix as counts and as fractions of each true class.

# %% [demo]
# DEMO (not graded): the final accuracy and the confusion matrices on the test split; it needs the real photos
test_results = collect_predictions(model, test_dataset)
test_accuracy = np.mean(test_results["predicted"] == test_results["labels"])
print(f"accuracy on the untouched test split: {test_accuracy:.3f} ({len(test_results['labels'])} photos)")
kept_epoch = int(np.argmin(history.history["val_loss"]))  # the epoch early stopping restored
print(f"(validation accuracy of the kept epoch {kept_epoch + 1}: {history.history['val_accuracy'][kept_epoch]:.3f}, "
      "optimistic: the validation split chose that epoch)")
figure = plot_confusion_matrix(test_results["labels"], test_results["predicted"], CLASS_NAMES)
plt.show()
figure = plot_confusion_matrix(test_results["labels"], test_results["predicted"], CLASS_NAMES, normalize=True)
plt.show()

# %% [markdown]
# Read a row at a time. Roses and tulips, both often red, are a common pair; daisies and dandelions share a
# round, rayed shape. A class whose row is spread out is one the model has not got a grip on; a column that
# collects many mistakes is a class the model uses as its default guess.
#
# ## 6. The most confident mistakes
#
# A mistake made at 35 % confidence is a shrug; a mistake made at 95 % is a lesson. Among the photos of one class
# that the model got wrong, sort by the **confidence** (the largest probability in the row, which is the
# probability of the predicted class) and look at the top few. Typical findings: photos that are labelled wrong,
# photos with several kinds of flower, close-ups of a leaf or a person with a bouquet, a colour the class rarely
# has. Each suggests a fix: clean the labels, add varied photos of that class, or augment differently.
#
# The confidence must come from probabilities. With logits, the largest number in a row could be 5.3 or 0.2
# depending on the scale of the scores, and it says nothing that can be compared across photos.

# %% [solution] worst_k
def worst_k(probabilities, labels, class_index, k):
    """The k mistakes of one class that the model made with the highest confidence.

    N photos, C classes.

    Inputs:
    - probabilities: float array (N, C), softmax probabilities (rows sum to 1).
    - labels: sequence of N ints, the true classes.
    - class_index: int, the true class to look at.
    - k: int, how many mistakes to return.

    Returns an int numpy array of the indices i with labels[i] == class_index and predicted
    class argmax(probabilities[i]) != labels[i], sorted by confidence max(probabilities[i]),
    highest first; at most k of them (fewer when the class has fewer mistakes).
    """
    probabilities = np.asarray(probabilities)
    labels = np.asarray(labels)
    # YOUR CODE HERE
    raise NotImplementedError()
    return indices

# %% [check] check_worst_k
# Visible check: 50 seeded rows of probabilities, class 2, k = 4. Every index must be a mistake
# of class 2, sorted by confidence, and they must be the 4 most confident ones.
run_check("ch07", "check_worst_k", worst_k)

# %% [check] hidden_worst_k
# Hidden test: worst_k on other predictions.

# %% [markdown]
# ## 7. Showing the photos
#
# The images in `test_results` are on the 0–255 scale because that is what the model eats (its first layer
# rescales). `imshow` wants floats in [0, 1] or integers 0–255; given floats above 1 it clips them and shows a
# white square. So scale for display only, and never feed the display copy back to the model.
#
# Divide by 255, and clip: after augmentation a pixel can land a little outside 0–255. Don't stretch each photo
# so that its darkest pixel becomes 0 and its brightest 1 (the tutorial's `scale_image`): that makes a dim photo
# look bright and hides exactly the lighting problems you are hunting for.

# %% [solution] to_display
def to_display(image):
    """Scale one image from the model's 0-255 pixels to what imshow expects.

    Inputs:
    - image: array (H, W, 3), uint8 or float, pixels on the 0-255 scale (augmented images may
      fall slightly outside it).

    Returns a new float32 array (H, W, 3) equal to image / 255, clipped to [0, 1]. The input is
    not modified.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    return scaled

# %% [check] check_to_display
# Visible check: a dim float32 image (pixels 30-200) must come back as image / 255.
run_check("ch07", "check_to_display", to_display)

# %% [check] hidden_to_display
# Hidden test: to_display on other images.

# %% [solution] plot_predictions
def plot_predictions(results, indices, class_names):
    """Show some photos with their true class, predicted class and confidence.

    M = len(indices).

    Inputs:
    - results: the dict collect_predictions returns ("labels", "predicted", "probabilities",
      "images"; images float 0-255).
    - indices: sequence of M ints, rows of results to show (M >= 1; it may be 1).
    - class_names: list of class names.

    Returns the matplotlib Figure with one image per index, in order: subplot m shows
    to_display(results["images"][indices[m]]) and is titled
    "True: <name>\nPredicted: <name>\nConfidence: <p>", where p is the probability of the
    predicted class with 2 decimals (e.g. 0.87).
    """
    columns = min(5, len(indices))
    rows = -(-len(indices) // columns)  # ceiling division
    figure, grid = plt.subplots(rows, columns, figsize=(3 * columns, 4 * rows), squeeze=False)
    for axes in grid.flat:
        axes.axis("off")
    # YOUR CODE HERE
    raise NotImplementedError()
    figure.tight_layout()
    return figure

# %% [check] check_plot_predictions
# Visible check: 4 indices into seeded results. Each subplot must show the image / 255 and a
# title with the true name, the predicted name and the confidence (to 0.006).
run_check("ch07", "check_plot_predictions", plot_predictions)

# %% [check] hidden_plot_predictions
# Hidden test: plot_predictions with other indices.

# %% [markdown]
# > **Demo, not graded.** The most confident mistakes of the class the model gets wrong most often on the
# test split, found with your `worst_k` and shown with your `plot_predictions`.

# %% [demo]
# DEMO (not graded): the test split's most confident mistakes of one class; it needs the real photos
errors_per_class = [int(np.sum((test_results["labels"] == c) & (test_results["predicted"] != c)))
                    for c in range(len(CLASS_NAMES))]
selected_class = int(np.argmax(errors_per_class))  # the class with the most mistakes on the test split
print(dict(zip(CLASS_NAMES, errors_per_class)), "-> looking at", CLASS_NAMES[selected_class])
worst = worst_k(test_results["probabilities"], test_results["labels"], selected_class, k=10)
figure = plot_predictions(test_results, worst, CLASS_NAMES)
plt.show()

# %% [markdown]
# ## What you have now
#
# * training curves that show whether a model is learning, overfitting or underfitting, and a measured
#   comparison in which chapter 6's network overfits and the regularised one barely does;
# * a model with dropout, L2 and a logits output whose loss is told so, trained until the validation loss stops
#   improving, with the best weights kept;
# * predictions collected in one pass, with probabilities (softmax of the logits), not raw scores;
# * a confusion matrix with rows = true class, the final accuracy measured on the untouched test split;
# * the model's most confident mistakes, shown as the photos really look.
#
# Chapter 8 asks *why* the model answers as it does, by looking at which
# pixels its decisions depend on.

# %% [markdown]
# ## Going further (not graded)
#
# 1. **Augment inside the model.** Add chapter 5's `layers.RandomFlip("horizontal")` and a small
#    `layers.RandomRotation` right after `Rescaling` in a copy of `build_improved_model`, train it next to the two
#    networks above for the same epochs, and add its curves to the figure. Does the gap shrink further? Does the best
#    validation accuracy move?
# 2. **One knob at a time.** Train the improved model with `DROPOUT_RATE` at 0.1, 0.3 and 0.5 (L2 fixed), then with
#    `L2_FACTOR` at 1e-5, 1e-4 and 1e-3 (dropout fixed), and plot only the validation losses. Which setting keeps
#    the validation loss lowest, and which only makes the training loss worse?
# 3. **Precision and recall per class.** From the test confusion matrix, compute each class's recall (diagonal /
#    row sum) and precision (diagonal / column sum). Which class is the model's default guess, and how does that
#    show in the two numbers?
# 4. **Is the model over-confident?** Put the test photos into bins by confidence (0.2–0.4, 0.4–0.6, 0.6–0.8,
#    0.8–1.0) and compare each bin's average confidence with its accuracy. A model whose 0.9 answers are right
#    only 60 % of the time is over-confident: what does that mean for the most confident mistakes of section 6?
