# Generated from source/ch04_loading/ch04_loading.ipynb by `make generate`; edit the notebook in source/, not this file.
# Work on the cells marked [solution]; run the [check] cells to test them.
# [demo] cells need the real photos (FLOWERS_DIR) and are not graded.
# Grade it with: python -m autograder grade THIS_FILE.py

# %% [markdown]
# # Chapter 4 — Loading the data
#
# ### What you will learn
#
# * to read the photos of one split from a folder of class sub-folders into a `uint8` array, with integer labels;
# * why the course numbers the classes alphabetically and splits by file name, and how to translate tfds's order;
# * to read only what you need from a `tf.data` stream (`take`, `skip`) instead of loading everything;
# * to use Keras's `image_dataset_from_directory` without its two traps: the size given once, the class names
#   taken from the dataset;
# * to look at the photos and count them per class before training anything.
#
# ### Before you start
#
# * Python and NumPy: arrays, their shape and dtype, indexing; a first matplotlib figure.
# * Chapter 3's audit helps (class counts, duplicates) but is not required.
# * The photos in `FLOWERS_DIR` for the demo cells; the graded checks build small photo folders of their own.
#
# ### Time
#
# About 90 minutes: an hour for the four functions and their checks, half an hour for the reading and the demos
# (loading the training split takes a few seconds).
#
# In this chapter you turn a folder of flower photos into arrays a neural network can learn from.
# By the end you will have written four functions:
#
# | function | what it does |
# | --- | --- |
# | `load_split` | reads the photos of one split (train, val or test) into an array of images and an array of labels |
# | `count_per_class` | counts how many photos each class has |
# | `first_examples` | takes a few examples from a TensorFlow Datasets (tfds) dataset, with labels in the course's class order |
# | `plot_examples` | draws a grid of photos, each titled with its class name |
#
# **How this notebook is graded.** Each function has a docstring that states exactly what goes in and what
# comes out (shapes, dtypes, value ranges). Replace the line `raise NotImplementedError()` with your code and
# leave the rest of the function as it is. Right after each function there is a *visible check*: run it and it
# either prints `Passed` or tells you what it found, what it expected and a hint. When your work is graded,
# *hidden tests* run as well: they use other inputs (an empty class, a different class order, ...) but never a
# different contract than the docstring's. A function you have not started is reported as "not attempted".
#
# Demo cells show your functions at work on the real photos and are not graded: each one follows a note that starts with
# **Demo, not graded**, and its code starts with `# DEMO (not graded)`. The grader skips them.

# %% [markdown]
# ## Configurable parameters
#
# Everything you may want to change lives in the next cell. `IMAGE_SIZE` is `(height, width)` in pixels. At 128 × 128
# the photos are easy to look at; it is not the size models are trained at later. The grader trains at 48 × 48 for 8
# epochs (`autograder.training.BUDGET`) so that one training fits in about a minute on two CPU cores, chapter 6's demo uses
# the same budget, chapter 7's demo trains at 64 × 64 and chapter 8's at 48 × 48. `load_split` takes the size as an
# argument, so it serves all of them. The environment variables are set *before* TensorFlow is imported, so that
# its start-up messages stay quiet.

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")   # keep TensorFlow's C++ logs quiet

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from autograder.data import CLASS_NAMES, IMAGE_SUFFIXES, TFDS_CLASS_NAMES, split_of
from autograder.nbcheck import run_check

IMAGE_SIZE = (128, 128)  # (height, width) of every loaded image
BATCH_SIZE = 32          # photos per training step, used from chapter 5 on
print("TensorFlow", tf.__version__, "| classes:", CLASS_NAMES)

# %% [markdown]
# ## 1. Where the photos come from
#
# The course uses **tf_flowers**: photos of five kinds of flower taken from Flickr, each under a Creative Commons
# Attribution licence (the photographers are credited in `LICENSE.txt` beside the photos). There are two ways to
# get them:
#
# * **A folder on disk.** One sub-folder per class, named after the class, with the photos inside:
#
#   ```
#   tf_flowers/
#       daisy/        5547758_eea9edfd54_n.jpg  ...
#       dandelion/    ...
#       roses/        ...
#       sunflowers/   ...
#       tulips/       ...
#   ```
#
#   The folder name *is* the label. Point the environment variable `FLOWERS_DIR` at such a folder (your
#   teacher may have done it for you). This works without internet.
# * **TensorFlow Datasets.** `tfds.load('tf_flowers')` downloads the set the first time and keeps a copy. It needs
#   internet, and it hands you images and labels but no file names. Section 4 looks at it.
#
# `resolve_data_dir()` from the kit finds the folder: `FLOWERS_DIR` first, then a copy the kit downloaded before,
# then (only when online) a fresh download of the official archive. When none of these works it stops at once and
# says how to fix it, instead of waiting minutes for a network that is not there.

# %% [markdown]
# > **Demo, not graded.** Where the kit finds the photos on this computer.

# %% [demo]
# DEMO (not graded): where the photos are read from and which class folders it holds; it needs the real photos.
from autograder.data import resolve_data_dir

DATA_DIR = resolve_data_dir()
print("Photos are read from", DATA_DIR)
print("Class folders:", sorted(p.name for p in DATA_DIR.iterdir() if p.is_dir()))

# %% [markdown]
# ### One fixed class order
#
# A label is a number, so everyone must agree which number means which flower. This course numbers the classes in
# alphabetical order, which is also the order of the folders on disk and the order Keras uses when it reads a
# folder:
#
# | label | 0 | 1 | 2 | 3 | 4 |
# | --- | --- | --- | --- | --- | --- |
# | class | daisy | dandelion | roses | sunflowers | tulips |
#
# TensorFlow Datasets numbers the same classes differently (dandelion, daisy, tulips, sunflowers, roses). Section 4
# shows how to translate.
#
# ## 2. A split that never changes
#
# A model must be judged on photos it never trained on. We keep three disjoint groups: **train** (about 80 %, to learn
# from), **val** (about 10 %, to make choices such as when to stop training) and **test** (about 10 %, looked at once,
# at the end).
#
# The kit decides a photo's split from its **file name alone**: it hashes the name with SHA-256 and keeps the
# last two digits of the number, 0–79 train, 80–89 val, 90–99 test. Because nothing else goes in, a photo lands in
# the same split on every computer, whatever order the files are listed in, whether the folder holds the whole
# tf_flowers set or a part of it, and when new photos are added. A random shuffle with a seed gives none of these
# guarantees: add one photo and every later photo can move.

# %%
for name in ["5547758_eea9edfd54_n.jpg", "15922772266_1167a06620.jpg", "my_holiday_photo.jpg"]:
    print(f"{name:30} -> {split_of(name)}")

# %% [markdown]
# ## 3. Loading one split into arrays
#
# `load_split` walks the class folders in `CLASS_NAMES` order, keeps the photos of the requested split, and
# decodes and resizes each one. Useful tools:
#
# * `Path(data_dir) / class_name` builds a path; `sorted(folder.iterdir())` lists a folder in a stable order;
#   `path.suffix.lower() in IMAGE_SUFFIXES` tells photos from other files.
# * `tf.io.read_file(str(path))` reads the bytes; `tf.io.decode_image(data, channels=3, expand_animations=False)`
#   turns them into a `uint8` tensor of shape (height, width, 3), even for a grey or PNG photo.
# * `tf.image.resize(image, IMAGE_SIZE)` resizes; it returns `float32`, so cast back to `uint8` afterwards.
#
# A class folder may be missing or empty, and a folder may hold files that are not photos (a `README.txt`): your
# loader should take both in its stride.

# %% [solution] load_split
def load_split(data_dir, split, image_size=(128, 128)):
    """Load every photo of one split from a folder with one sub-folder per class.

    N is the number of photos in the split, H, W = image_size.

    Inputs:
    - data_dir: str or Path, a folder whose sub-folders are named after CLASS_NAMES
      (a missing or empty class folder is allowed; files that are not photos are skipped).
    - split: "train", "val" or "test"; a photo belongs to the split split_of(file_name) gives.
    - image_size: (H, W), the size every photo is resized to.

    Returns a tuple (images, labels):
    - images: uint8 array of shape (N, H, W, 3), RGB, values 0-255.
    - labels: int32 array of shape (N,), the index of each photo's class in CLASS_NAMES.
    Photos are ordered by class (CLASS_NAMES order), then by file name.
    """
    height, width = image_size
    images, labels = [], []
    # YOUR CODE HERE
    raise NotImplementedError()
    if not images:
        return np.zeros((0, height, width, 3), np.uint8), np.zeros((0,), np.int32)
    return np.stack(images), np.array(labels, dtype=np.int32)

# %% [check] check_load_split
# Visible check: a generated folder of 30 small photos, train split, loaded at 32 x 40.
# Expected: the kit's own loader's labels exactly, and pixels within 12 (of 255) on average.
run_check("ch04", "check_load_split", load_split)

# %% [check] hidden_load_split_val
# Hidden test: load_split on another folder (val split).

# %% [check] hidden_load_split_test
# Hidden test: load_split on another folder (test split).

# %% [markdown]
# > **Demo, not graded.** Now the real photos. Decoding about 2,500 photos takes a few seconds; the kit's own loader keeps a decoded copy
# on disk so that later chapters start faster, but yours simply reads them again.

# %% [demo]
# DEMO (not graded): your load_split on the real training split; it needs the real photos.
train_images, train_labels = load_split(DATA_DIR, "train", IMAGE_SIZE)
print("train images:", train_images.shape, train_images.dtype, "| labels:", train_labels.shape, train_labels.dtype)

# %% [markdown]
# ## 4. How many photos per class?
#
# Before training anything, count. A class with far fewer photos than the others is learnt less well, and
# accuracy alone can hide it: a model that always answers the largest class already scores above 20 % here.

# %% [solution] count_per_class
def count_per_class(labels, class_names):
    """Count the photos of each class.

    N labels, C = len(class_names) classes.

    Inputs:
    - labels: sequence of N ints (list, numpy array or tensor), each in 0..C-1.
    - class_names: list of C class names; label i means class_names[i].

    Returns a dict {class name: number of labels equal to its index}, with every class
    name as a key in class_names order, including classes that never occur (count 0).
    Counts are Python ints.
    """
    counts = {}
    # YOUR CODE HERE
    raise NotImplementedError()
    return counts

# %% [check] check_count_per_class
# Visible check: 40 labels drawn with seed 4; expected counts come from np.bincount.
run_check("ch04", "check_count_per_class", count_per_class)

# %% [check] hidden_count_per_class
# Hidden test: count_per_class on other labels.

# %% [markdown]
# > **Demo, not graded.** Your `count_per_class` on the real training labels.

# %% [demo]
# DEMO (not graded): photos per class in the real training split; it needs the real photos.
train_counts = count_per_class(train_labels, CLASS_NAMES)
for name, count in train_counts.items():
    print(f"{name:11} {count:4d}  {'#' * (count // 10)}")
print("smallest / largest class:", round(min(train_counts.values()) / max(train_counts.values()), 2))

# %% [markdown]
# Expect dandelions to be the largest class and daisies the smallest, in a ratio of roughly 0.7: uneven, but not
# badly so. Chapter 3's audit looks at this more closely.
#
# ## 5. The TensorFlow Datasets path
#
# With internet, one call gives you the whole set as a `tf.data.Dataset`:
#
# ```python
# import tensorflow_datasets as tfds
# dataset, info = tfds.load("tf_flowers", split="train", as_supervised=True, with_info=True)
# tfds_names = info.features["label"].names   # ['dandelion', 'daisy', 'tulips', 'sunflowers', 'roses']
# ```
#
# Each element is a pair `(image, label)`: a `uint8` image whose size varies from photo to photo, and a label in
# **tfds's** class order. Two traps wait here:
#
# 1. **The class order.** Label 0 is a dandelion for tfds but a daisy for this course. Never copy a list of numbers
#    across; translate through the name: `CLASS_NAMES.index(tfds_names[label])`.
# 2. **Reading too much.** `list(dataset)[42]` decodes all 3,670 photos into memory to give you one. A dataset is a
#    stream: `dataset.take(n)` stops after n elements, and `dataset.skip(i).take(1)` gives element i.
#
# tfds also has no file names, so the kit's split by file name cannot be applied to it; that is why the kit
# downloads the same official archive as a folder when it needs the real photos.

# %% [solution] first_examples
def first_examples(dataset, n, tfds_class_names):
    """Take the first n examples of a tfds-style dataset, with labels in course order.

    Inputs:
    - dataset: a tf.data.Dataset of (image, label) pairs, as tfds.load(..., as_supervised=True)
      gives: image a uint8 tensor (height, width, 3) whose size varies, label an int64 scalar
      in tfds_class_names order.
    - n: int, how many examples to take (the dataset has at least n).
    - tfds_class_names: list of the class names in the dataset's own label order.

    Returns a list of n pairs (image, label): image the unchanged uint8 numpy array
    (height, width, 3), label a Python int, the index of its class in CLASS_NAMES.
    Reads only the first n elements of the dataset.
    """
    examples = []
    # YOUR CODE HERE
    raise NotImplementedError()
    return examples

# %% [check] check_first_examples
# Visible check: a 12-element dataset in tfds's class order, n = 3. It counts how many
# elements your function reads; reading more than n (+2 of slack) fails.
run_check("ch04", "check_first_examples", first_examples)

# %% [check] hidden_first_examples
# Hidden test: first_examples with another class order and a longer dataset.

# %% [markdown]
# > **Demo, not graded.** No internet? `tfds.testing.mock_data` makes `tfds.load` return random images with the real dataset's structure,
# without any download. Tests use it; it is also a quick way to try code on the tfds path. The images are noise,
# so only shapes, dtypes and labels mean anything here.

# %% [demo]
# DEMO (not graded): first_examples on tfds's mock data; it needs tensorflow_datasets, not the photos.
import tensorflow_datasets as tfds

with tfds.testing.mock_data(num_examples=6):
    mock_dataset = tfds.load("tf_flowers", split="train", as_supervised=True)
for image, label in first_examples(mock_dataset, 3, list(TFDS_CLASS_NAMES)):
    print(image.shape, image.dtype, "->", CLASS_NAMES[label])

# %% [markdown]
# ## 6. Another route: Keras reads the folder for you
#
# Keras can turn a folder of class sub-folders into a batched `tf.data.Dataset` in one call:
# `keras.utils.image_dataset_from_directory` (older code writes it `tf.keras.preprocessing.image_dataset_from_directory`).
# The tutorial this course follows used it with three mistakes worth knowing:
#
# 1. **The class names come from the dataset.** Keras numbers the classes by sorting the names of the sub-folders it
#    finds and keeps that list in the dataset's `class_names` attribute. Read the names from there,
#    `class_names = train_dataset.class_names`, before you write `class_names[label]` anywhere: the tutorial titled
#    its plots with `class_names[label]` and never defined `class_names`. Read it straight after the call: the
#    datasets that `.map()`, `.cache()` or `.prefetch()` return no longer carry it.
# 2. **Give the size once, in the call.** Without an `image_size` argument every photo is resized to 256 × 256;
#    resizing the result again to 128 × 128 costs a second pass over every photo and blurs it twice. Pass
#    `image_size=IMAGE_SIZE`, `(height, width)`, to `image_dataset_from_directory` and resize nowhere else.
# 3. **`seed` does something only with `shuffle=True`.** The seed fixes the random order of the files (and, with
#    `validation_split`, which photos land in which subset). With `shuffle=False` nothing is drawn at random: the
#    files come in sorted order whatever the seed, so a seed there only suggests a randomness that is not there.
#
# ```python
# train_dataset = keras.utils.image_dataset_from_directory(
#     DATA_DIR, image_size=IMAGE_SIZE, batch_size=BATCH_SIZE, shuffle=True, seed=42)
# class_names = train_dataset.class_names   # from the dataset, before any .map() or .prefetch()
# ```
#
# The images come out as `float32` batches on the 0–255 scale. This route knows nothing of the course's split by file
# name (it reads every photo in the folder, or cuts it by position with `validation_split`), which is why the graded
# functions use `load_split`.

# %% [markdown]
# > **Demo, not graded.** The call above on the real folder: one batch with the class names read from the dataset,
# then the same folder read twice with `shuffle=False` and two different seeds, which list the files in the same
# order.

# %% [demo]
# DEMO (not graded): Keras's folder reader, size given once and class names from the dataset; it needs the real photos.
import keras

train_dataset = keras.utils.image_dataset_from_directory(
    DATA_DIR, image_size=IMAGE_SIZE, batch_size=BATCH_SIZE, shuffle=True, seed=42, verbose=False)
class_names = train_dataset.class_names   # E3: the names come from the dataset itself
images, labels = next(iter(train_dataset))
print("class_names:", class_names)
print("one batch:", images.shape, images.dtype, "| first labels:", [class_names[int(i)] for i in labels[:4]])

# E6: with shuffle=False the seed changes nothing.
unshuffled = [keras.utils.image_dataset_from_directory(DATA_DIR, image_size=IMAGE_SIZE, shuffle=False, seed=seed,
                                                       verbose=False) for seed in (1, 2)]
print("same file order with seeds 1 and 2:", unshuffled[0].file_paths == unshuffled[1].file_paths)

# %% [markdown]
# ## 7. Look at the photos
#
# Numbers can be right while the pictures are wrong (a channel order swapped, labels shifted by one). Always look.
# `plot_examples` draws the first n images in a grid, one subplot each, titled with the class *name*.
#
# Tools: `fig, axes = plt.subplots(rows, columns, figsize=...)` creates the grid (`axes.flat` walks it),
# `ax.imshow(image)` shows a `uint8` RGB image as it is, `ax.set_title(...)` and `ax.axis("off")` finish each panel.
# Ask for more images than there are and the grid should simply show them all: the tutorial this course follows
# picked image 42 out of a batch of 32 and crashed.

# %% [solution] plot_examples
def plot_examples(images, labels, class_names, n=9):
    """Draw the first n images in a grid, each titled with its class name.

    M images of size H x W.

    Inputs:
    - images: uint8 array (M, H, W, 3), RGB 0-255.
    - labels: int array (M,), indices into class_names.
    - class_names: list of class names.
    - n: how many images to show; if M < n, all M are shown.

    Returns the matplotlib Figure. Image i (for i < min(n, M)) is drawn with imshow, unchanged,
    in the i-th subplot, titled class_names[labels[i]]; extra subplots hold no image.
    """
    shown = min(n, len(images))
    columns = min(3, max(shown, 1))
    rows = max(1, -(-shown // columns))  # ceiling division
    figure, axes = plt.subplots(rows, columns, figsize=(3 * columns, 3 * rows), squeeze=False)
    # YOUR CODE HERE
    raise NotImplementedError()
    figure.tight_layout()
    return figure

# %% [check] check_plot_examples
# Visible check: 9 random 24 x 24 images, n = 6. The check reads the figure's axes:
# 6 images, image i in subplot i, each titled with its class name.
run_check("ch04", "check_plot_examples", plot_examples)

# %% [check] hidden_plot_examples
# Hidden test: plot_examples with other images and n.

# %% [markdown]
# > **Demo, not graded.** Your grid on nine real training photos.

# %% [demo]
# DEMO (not graded): a grid of real training photos titled with their classes; it needs the real photos.
figure = plot_examples(train_images, train_labels, CLASS_NAMES, n=9)
plt.show()

# %% [markdown]
# ## What you have now
#
# * photos of one split as a `uint8` array `(N, height, width, 3)` at the size you ask for, and labels as `int32`
#   `(N,)`, in a fixed class order;
# * a split that is the same on every machine because it depends on file names only;
# * the tfds route, with its own class order translated by name, read lazily with `take`;
# * Keras's folder reader, with the size given once and the class names read from the dataset;
# * a first look at the photos and their counts.
#
# Chapter 5 turns these arrays into a `tf.data` pipeline with resizing and augmentation, and chapter 6 trains a
# network on it. With the course's small CNN, trained the grader's way (48 × 48, 8 epochs), expect a test accuracy
# between about 0.6 and 0.7; always answering the largest class would score about 0.23.

# %% [markdown]
# ## Going further (not graded)
#
# 1. Load the validation split as well and compare its class shares with the training split's. How far apart are
#    they, given that the split looks at file names only?
# 2. Time `load_split` on the training split at 48 × 48 and at 128 × 128. Does the time go into decoding or into
#    resizing? (Time `tf.io.decode_image` alone on a few hundred photos.)
# 3. Read the folder with `image_dataset_from_directory(..., shuffle=False)` and check that, photo by photo (its
#    `file_paths` list helps), its labels agree with the course's `CLASS_NAMES` numbering.
# 4. Write `nth_example(dataset, i)` with `skip(i).take(1)` and compare its speed with `list(dataset)[i]` on tfds's
#    mock data with a few hundred examples.
