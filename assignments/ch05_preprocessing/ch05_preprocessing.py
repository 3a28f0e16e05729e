# Generated from source/ch05_preprocessing/ch05_preprocessing.ipynb by `make generate`; edit the notebook in source/, not this file.
# Work on the cells marked [solution]; run the [check] cells to test them.
# [demo] cells need the real photos (FLOWERS_DIR) and are not graded.
# Grade it with: python -m autograder grade THIS_FILE.py

# %% [markdown]
# # Chapter 5 — Preprocessing and augmentation
#
# ### What you will learn
#
# * to bring photos of every size to one shape and one number type (`float32`, pixels kept on the 0–255 scale);
# * to flip training photos at random with TensorFlow ops, which stay random when `dataset.map` traces them;
# * to build an augmentation stack from Keras layers, with the rotation given as a fraction of a full turn;
# * to chain `map`, `cache`, `shuffle`, `batch` and `prefetch` so that the random steps stay random, the
#   shuffle really mixes the classes, and the validation split is never touched.
#
# ### Before you start
#
# * Chapter 4: the class order, the split by file name, and what `load_split` returns (photos sorted by class).
# * A first contact with `tf.data`: a dataset is a stream of `(image, label)` pairs that `map` transforms.
# * The photos in `FLOWERS_DIR` for the demo cells; the graded checks make their own small images.
#
# ### Time
#
# About two hours: an hour and a quarter for the four functions and their checks, half an hour of reading, and a
# quarter of an hour for the demos (together they run in well under a minute).
#
# Chapter 4 turned the photos into arrays. Before a network can learn from them, each photo has to be brought to one
# size and one number type, and the training photos can be varied a little at random so that the network sees more
# than the same 2,500 pictures over and over. By the end of this chapter you will have written four functions:
#
# | function | what it does |
# | --- | --- |
# | `resize_image` | the validation/test path: resize one photo to the configured size, as float32 |
# | `preprocess_image` | the training path: resize, then a random left-right flip |
# | `build_augmentation` | a stack of Keras preprocessing layers (flip, rotation, zoom, contrast) |
# | `prepare_dataset` | turns a split into batches that are cached and prefetched; shuffled and augmented only for training |
#
# **How this notebook is graded.** As in chapter 4: every function has a docstring with inputs and outputs (shapes,
# dtypes, value ranges). Replace `raise NotImplementedError()` with your code and leave the rest as it is. A visible
# check follows each function; hidden tests run other inputs (other sizes, a function traced by `tf.data`, a given
# augmentation) against the same contract. Demo cells are not graded: each one follows a note that starts with **Demo, not graded**, its code starts with `# DEMO (not graded)`, and it needs the real photos. The grader skips them.

# %% [markdown]
# ## Configurable parameters
#
# The image size is written **once**, here, and every function receives it as an argument (`image_size=IMAGE_SIZE`).
# The tutorial this course follows loaded its photos at one size and resized them again to another; a size stated in
# one place cannot disagree with itself. `IMAGE_SIZE` is `(height, width)`. Here it is 128 × 128, large enough to
# see what augmentation does to a flower. The later chapters train smaller: the grader trains every model at 48 × 48
# for 8 epochs (`autograder.training.BUDGET`), so that one training fits in about a minute on two CPU cores, and
# chapter 6's demo uses that same budget; chapter 7's demo trains at 64 × 64 and chapter 8's at 48 × 48. Your
# functions receive the size as an argument, so they serve every one of these sizes unchanged.

# %%
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")   # keep TensorFlow's C++ logs quiet

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
import keras

from autograder.data import CLASS_NAMES
from autograder.nbcheck import run_check

IMAGE_SIZE = (128, 128)   # (height, width) every photo is resized to
BATCH_SIZE = 32           # photos per training step
SHUFFLE_BUFFER = 3000     # at least the whole training split (2,513 photos): see section 5
AUTOTUNE = tf.data.AUTOTUNE
print("TensorFlow", tf.__version__, "| Keras", keras.__version__)

# %% [markdown]
# ## 1. Why preprocess at all?
#
# A network takes tensors of one fixed shape, and the flower photos come in every size (a tfds image can be 240 × 320,
# the next 500 × 333). So every photo is **resized** to `IMAGE_SIZE`. Smaller photos also mean less memory and faster
# training: at 128 × 128 a flower is still easy to recognise by eye, and even the grader's 48 × 48 leaves a small
# network enough detail to name about two photos in three correctly (chapter 6).
#
# The **number type** matters too. Photos are stored as `uint8` (whole numbers 0–255); networks compute in `float32`.
# `tf.image.resize` already returns `float32`, and we keep the pixels on the **0–255 scale**. Scaling to 0–1
# ("normalisation") is done inside the model: chapter 6's network starts with a `Rescaling(1/255)` layer, so the same
# model works on raw photos later, at prediction time. If you divided by 255 here as well, the model would divide
# again and see photos that are almost black.
#
# ## 2. The validation and test path: resize only
#
# Validation and test photos are there to *measure* the model on photos as they are. They get the resize and nothing
# else. Useful tools:
#
# * `tf.image.resize(image, image_size)` resizes a `(height, width, 3)` tensor (bilinear by default) and returns
#   `float32`;
# * `tf.cast(x, tf.float32)` converts a tensor's type.
#
# The function takes and returns an `(image, label)` pair, because that is what `dataset.map` hands it. The label goes
# back untouched.

# %% [solution] resize_image
def resize_image(image, label, image_size=IMAGE_SIZE):
    """Resize one photo for validation or test: no augmentation.

    H, W = image_size.

    Inputs:
    - image: uint8 (or float) tensor of shape (height, width, 3), any height and width, values 0-255.
    - label: int tensor of shape (), the class index.
    - image_size: (H, W), the size to resize to (pass it on; never write 128 inside the function).

    Returns a tuple (image, label):
    - image: float32 tensor of shape (H, W, 3), values 0-255 (not divided by 255).
    - label: the label exactly as it came in.
    Works both when called directly and when mapped over a tf.data.Dataset.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    return image, label

# %% [check] check_resize_image
# Visible check: 6 seeded uint8 images of sizes between 18 and 40 pixels, resized to (24, 32), each twice.
# Expected: shape (24, 32, 3), float32, 0-255, within 6 (of 255) on average of tf.image.resize; never flipped; labels untouched.
run_check("ch05", "check_resize_image", resize_image)

# %% [check] hidden_resize_image
# Hidden test: resize_image mapped over a dataset, to another size.

# %% [markdown]
# ## 3. The training path: resize and flip
#
# A flower mirrored left to right is still the same flower, but to the network it is a new picture. Flipping each
# training photo at random, half of the time, is the cheapest augmentation there is. It has to be **random on every
# call**: a flip decided once would just give another fixed data set.
#
# `tf.image.random_flip_left_right(image)` does exactly that. Beware of Python's own `random` module here: when
# `dataset.map` calls your function, TensorFlow *traces* it once into a graph, so a Python `if random.random() < 0.5`
# is decided once and then applies to every photo of every epoch. TensorFlow's random ops are drawn anew for each
# photo. (`tf.image.random_flip_up_down` exists too, but an upside-down flower is not a photo anyone takes.)
#
# Reuse `resize_image` rather than writing the resize a second time.

# %% [solution] preprocess_image
def preprocess_image(image, label, image_size=IMAGE_SIZE):
    """Preprocess one training photo: resize, then flip left-right at random.

    H, W = image_size.

    Inputs:
    - image: uint8 (or float) tensor of shape (height, width, 3), any height and width, values 0-255.
    - label: int tensor of shape (), the class index.
    - image_size: (H, W), the size to resize to.

    Returns a tuple (image, label):
    - image: float32 tensor of shape (H, W, 3), values 0-255: the resized photo, mirrored left-right
      with probability 1/2, drawn anew on every call (also inside dataset.map).
    - label: the label exactly as it came in.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    return image, label

# %% [check] check_preprocess_image
# Visible check: preprocess_image called 12 times on each of 8 seeded images, size (24, 32).
# Expected: every output is the resized image or its exact mirror (within 6 of 255), about half mirrored (25-75 %),
# float32 0-255, labels untouched.
run_check("ch05", "check_preprocess_image", preprocess_image)

# %% [check] hidden_preprocess_image
# Hidden test: preprocess_image mapped over a dataset that is read twice.

# %% [markdown]
# ## 4. More augmentation with Keras preprocessing layers
#
# A flip is one variation; a photographer also tilts the camera, stands closer or further, and shoots in duller or
# brighter light. Keras has a *layer* for each of these, and a `keras.Sequential` of them makes an augmentation stack:
#
# | layer | what it does | argument |
# | --- | --- | --- |
# | `keras.layers.RandomFlip("horizontal")` | mirrors left-right, half of the time | the mode |
# | `keras.layers.RandomRotation(factor)` | turns by a random angle | `factor` is a **fraction of a full turn**: ±20° is `20 / 360` ≈ 0.056 |
# | `keras.layers.RandomZoom(factor)` | zooms in or out | `0.2` means up to 20 % either way |
# | `keras.layers.RandomContrast(factor)` | stretches or flattens the contrast | `0.2` means a factor between 0.8 and 1.2 |
#
# Two mistakes from the tutorial this course follows:
#
# * it calls `tf.image.random_rotation` and `tf.image.random_zoom`. **Neither exists** in `tf.image`; the layers above
#   are the way to rotate and zoom.
# * its rotation is meant as ±20 degrees, but `RandomRotation(20)` does not mean 20 degrees: the factor counts full
#   turns. Keras 3 refuses a factor above 1 with a `ValueError`; older versions accepted it and turned photos by any
#   angle, upside down included. Write `RandomRotation(20 / 360)`.
#
# These layers are random only while training: called with `training=False` (as `model.predict` and
# `model.evaluate` do) they pass the images through unchanged. That is why they may sit inside a model, or be applied
# to the training batches of a `tf.data` pipeline, as `prepare_dataset` below does. `RandomContrast` assumes pixels on
# the 0–255 scale by default, which is what we have.

# %% [solution] build_augmentation
def build_augmentation(rotation_degrees=20.0, zoom=0.2, contrast=0.2):
    """Build the augmentation stack from Keras preprocessing layers.

    Inputs:
    - rotation_degrees: float, the largest rotation either way, in degrees.
    - zoom: float, the largest zoom either way as a fraction (0.2 = 20 %).
    - contrast: float, the contrast factor of RandomContrast.

    Returns a keras.Sequential with exactly these layers:
    RandomFlip("horizontal"), RandomRotation(rotation_degrees / 360), RandomZoom(zoom),
    RandomContrast(contrast). Called on a float32 batch (N, H, W, 3) with values 0-255 it
    returns the same shape and range: changed at random with training=True, unchanged with
    training=False.
    """
    augmentation = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return augmentation

# %% [check] check_build_augmentation
# Visible check: build_augmentation(20, 0.2, 0.2). Expected: the four Keras layers with RandomFlip mode 'horizontal',
# rotation factor 20/360 = 0.0556 (within 0.001), zoom 0.2, contrast 0.2; a seeded batch of 6 images (32 x 32)
# changes with training=True and comes back unchanged (within 0.001) with training=False.
run_check("ch05", "check_build_augmentation", build_augmentation)

# %% [check] hidden_build_augmentation
# Hidden test: build_augmentation with other arguments.

# %% [markdown]
# ## 5. A pipeline for each split
#
# `tf.data` streams a split to the model. Each step below has its reason, and the order matters:
#
# 1. **`map(resize_image)`** first: from here on every photo has the same shape, so batches can form.
# 2. **`cache()`** keeps what came before it in memory after the first epoch, so later epochs do not decode and
#    resize the photos again. Everything before the cache is done *once*: that is right for the resize and wrong for
#    anything random. Put a random flip before the cache and every epoch gets the same "random" flips.
# 3. **`shuffle(SHUFFLE_BUFFER)`**, training only, after the cache, so that each epoch comes in a new order. A model
#    that sees all daisies, then all dandelions, learns badly. Validation and test keep their order. The buffer
#    must cover the whole split: see below.
# 4. **`map(preprocess_image)`**, training only: the random flip, drawn anew each epoch. (The photo is already at
#    `image_size`, so its resize does nothing more.)
# 5. **`batch(batch_size)`**: groups photos; the last batch may be smaller, so that no photo is left out.
# 6. The **augmentation stack**, training only and only when one is given, on whole batches:
#    `map(lambda images, labels: (augmentation(images, training=True), labels))`.
# 7. **`prefetch(AUTOTUNE)`** last: prepares the next batch while the model is busy with this one.
#
# The tutorial mapped its augmenting `preprocess_image` over the **validation split too**. Don't: validation photos
# should look like the photos the model will meet later, and a validation score that changes from one evaluation to
# the next because the photos were flipped differently is no longer a measurement. Augment the training split only.
#
# **How large a shuffle buffer?** `shuffle(n)` does not see the whole split at once. It fills a buffer with the
# first `n` photos, hands out one of them at random, puts the next photo of the stream in its place, and so on.
# Our training split arrives **sorted by class** (chapter 4 orders it by class, then by file name: 2,513 photos,
# daisies first, tulips last). With a buffer of 1,000, the first batches of every epoch can only be drawn from the
# first thousand photos or so, daisies and dandelions, and the tulips all wait for the end of the epoch: exactly
# the ordering the shuffle was meant to break. That is why `SHUFFLE_BUFFER` is 3,000, more than the split holds:
# every epoch is then a full shuffle. The price is memory, since the buffer may hold the whole split. When that is
# too much, shuffle something cheap instead: the list of file names (or the indices of the arrays), once per epoch
# and with a buffer as long as the list, before any photo is decoded; a small buffer for the photos then suffices.
#
# One number to keep in mind: the cache holds float32 photos, 128 × 128 × 3 × 4 bytes ≈ 0.2 MB each, about 0.5 GB
# for the whole training split (at the grader's 48 × 48, about 27 KB each and 70 MB in all).

# %% [solution] prepare_dataset
def prepare_dataset(dataset, training, batch_size=BATCH_SIZE, image_size=IMAGE_SIZE, augmentation=None):
    """Turn one split into batches ready for a model.

    B = batch_size, H, W = image_size, N = number of examples in the split.

    Inputs:
    - dataset: tf.data.Dataset of (image, label) pairs: image uint8 (height, width, 3) of any size,
      label an int scalar (as tfds gives, or chapter 4's arrays through from_tensor_slices).
    - training: bool. True for the training split: shuffled every epoch and augmented.
      False for validation/test: resized only, in the input's order, the same on every pass.
    - batch_size: int B.
    - image_size: (H, W).
    - augmentation: None, or a Keras layer/model (e.g. build_augmentation()) applied to every
      training batch with training=True. Never applied when training is False.

    Returns a tf.data.Dataset of (images, labels) batches: images float32 (<=B, H, W, 3), values
    0-255 (before any given augmentation); labels unchanged in dtype and value, each still with
    its image. Every example appears once per pass (last batch may be smaller). Resized images
    are cached; the pipeline ends with a prefetch.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    return dataset

# %% [check] check_prepare_dataset_eval
# Visible check: a generator-backed dataset of 10 seeded images (varying sizes, int64 labels), training=False,
# batch 4, size (24, 32), read twice. Expected: batches of 4, 4, 2; element_spec (None, 24, 32, 3) float32;
# every image resized only (none mirrored), in the input's order, identical in both passes; labels untouched;
# the source read only once (cached); a prefetch step.
run_check("ch05", "check_prepare_dataset_eval", prepare_dataset)

# %% [check] check_prepare_dataset_train
# Visible check: 24 seeded images, training=True, batch 5, size (24, 32), two epochs. Expected: batches of
# 5, 5, 5, 5, 4; every input once per epoch with its own label, each image resized or mirrored (14-86 % mirrored),
# flips drawn anew in epoch 2, a new order in epoch 2; cached and prefetched.
run_check("ch05", "check_prepare_dataset_train", prepare_dataset)

# %% [check] hidden_prepare_dataset_augmentation
# Hidden test: prepare_dataset given an augmentation, for a training and a test split.

# %% [markdown]
# ## 6. Look at the augmented photos
#
# Numbers passed; now look. The next cells read a handful of real training photos at their original sizes, the way
# tfds hands them out, prepare them with your functions, and show each original next to three augmented versions.
# If an augmented flower looks implausible (upside down, zoomed into a blur, washed out), the factors are too strong.
# Rotating and zooming out leave empty corners, which the layers fill by mirroring the photo's border
# (`fill_mode="reflect"`): on a photo with a white frame that shows as white zigzags, a reminder that augmentation
# invents pixels and should stay mild.

# %% [markdown]
# > **Demo, not graded.** The next cell reads six training photos at their original sizes, one every 400 so that several classes appear.

# %% [demo]
# DEMO (not graded): six real training photos at their original sizes; it needs the real photos.
from autograder.data import photos_in_split, resolve_data_dir

DATA_DIR = resolve_data_dir()
# Six training photos, one every 400, so that several classes appear.
sample = photos_in_split(DATA_DIR, "train")[::400][:6]
raw_images = [tf.io.decode_image(tf.io.read_file(str(photo.path)), channels=3, expand_animations=False)
              for photo in sample]
sample_labels = [photo.label for photo in sample]
print("original sizes:", [tuple(image.shape[:2]) for image in raw_images])

# %% [markdown]
# > **Demo, not graded.** Each row: the photo as `resize_image` makes it, then three versions that went through `preprocess_image` and the augmentation stack.

# %% [demo]
# DEMO (not graded): each photo resized, then three augmented versions of it; it needs the real photos.
augmentation = build_augmentation()
columns = 4  # the original, then three augmented versions
figure, axes = plt.subplots(len(raw_images), columns, figsize=(2.2 * columns, 2.2 * len(raw_images)))
for row, (image, label) in enumerate(zip(raw_images, sample_labels)):
    original, _ = resize_image(image, label)
    axes[row, 0].imshow(original.numpy().astype("uint8"))
    axes[row, 0].set_title(f"{CLASS_NAMES[label]} (resized)", fontsize=9)
    for column in range(1, columns):
        flipped, _ = preprocess_image(image, label)
        augmented = augmentation(flipped[tf.newaxis], training=True)[0]
        axes[row, column].imshow(np.clip(augmented.numpy(), 0, 255).astype("uint8"))
        axes[row, column].set_title(f"augmented {column}", fontsize=9)
for ax in axes.flat:
    ax.axis("off")
figure.tight_layout()
plt.show()

# %% [markdown]
# > **Demo, not graded.** Now the pipelines themselves, on the same photos: the training batch changes from one epoch to the next, the
# validation batch never does.

# %% [demo]
# DEMO (not graded): the training and validation pipelines read twice; it needs the real photos.
def as_dataset(images, labels):
    # Photos of different sizes cannot share one tensor: a generator hands them out one by one, like tfds.
    return tf.data.Dataset.from_generator(
        lambda: zip(images, labels),
        output_signature=(tf.TensorSpec((None, None, 3), tf.uint8), tf.TensorSpec((), tf.int64)))

train_batches = prepare_dataset(as_dataset(raw_images, sample_labels), training=True, batch_size=6,
                                augmentation=augmentation)
val_batches = prepare_dataset(as_dataset(raw_images, sample_labels), training=False, batch_size=6)
print("train element_spec:", train_batches.element_spec)
# Read every split to the end, twice: a cache is only kept once a whole pass has been read.
train_epochs = [np.concatenate([images.numpy() for images, _ in train_batches]) for _ in range(2)]
val_epochs = [np.concatenate([images.numpy() for images, _ in val_batches]) for _ in range(2)]
print("training photos changed between epochs:", not np.array_equal(*train_epochs))
print("validation photos identical between epochs:", np.array_equal(*val_epochs))
print("validation pixel range:", float(val_epochs[0].min()), "to", float(val_epochs[0].max()))

# %% [markdown]
# Expect `True`, `True` and a range within 0 to 255. The validation batch is the same photos in the same order on
# every pass; the training batch is a new shuffle with new flips, rotations, zooms and contrasts.

# %% [markdown]
# > **Demo, not graded.** Why the buffer must cover the split. The next cell shuffles only the *labels* of the
# training split, in the order chapter 4 produces them (sorted by class), once with a buffer of 1,000 and once with
# `SHUFFLE_BUFFER`, and counts the classes in the first batch of each. With the small buffer, expect daisies and
# dandelions only; with the full one, all five classes.

# %% [demo]
# DEMO (not graded): a too-small shuffle buffer on a class-sorted split; it needs the real photos.
from collections import Counter

train_labels = [photo.label for photo in photos_in_split(DATA_DIR, "train")]  # sorted by class, as in chapter 4
label_stream = tf.data.Dataset.from_tensor_slices(train_labels)
print(len(train_labels), "training labels")
for buffer in (1000, SHUFFLE_BUFFER):
    first_batch = next(iter(label_stream.shuffle(buffer, seed=5).batch(BATCH_SIZE))).numpy()
    counts = Counter(CLASS_NAMES[label] for label in first_batch)
    print(f"buffer {buffer:5d}: first batch ->", {name: counts[name] for name in CLASS_NAMES})

# %% [markdown]
# ## What you have now
#
# * `resize_image` and `preprocess_image`: one size, `float32`, pixels on the 0–255 scale, and a flip that is random
#   for every photo of every epoch;
# * an augmentation stack of Keras layers that leaves photos alone when `training=False`;
# * `prepare_dataset`: resized once and cached, fully shuffled and augmented for training only, batched and prefetched.
#
# **What comes next.** Chapter 6 builds the first network. It takes the batches `prepare_dataset` makes (float32,
# 0–255, any `IMAGE_SIZE`; the grader uses 48 × 48) and rescales them itself with its first layer.

# %% [markdown]
# ## Going further (not graded)
#
# 1. Time two epochs of the training pipeline on the real photos with and without `cache()`, then with and without
#    `prefetch` (`time.perf_counter()` around a loop over the dataset). Which step saves the most, and why only from
#    the second epoch on?
# 2. Add `keras.layers.RandomTranslation(0.1, 0.1)` to a copy of your augmentation stack and look at the grid again.
#    Try `fill_mode="constant"` instead of the default: which empty borders would mislead a model less?
# 3. Shuffle the file list instead of the photos: make a dataset of the training photos' paths, shuffle it with a
#    buffer as long as the list, then read, decode and resize in a `map`. Compare its memory use with the big photo
#    buffer (watch the process in a system monitor).
# 4. Put the augmentation stack inside a small model, as the first layers after `keras.Input`, and check that
#    `model.predict` on the same photo twice gives the same output, while `model(photo, training=True)` does not.
