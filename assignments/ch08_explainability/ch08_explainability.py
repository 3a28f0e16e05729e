# Generated from source/ch08_explainability/ch08_explainability.ipynb by `make generate`; edit the notebook in source/, not this file.
# Work on the cells marked [solution]; run the [check] cells to test them.
# [demo] cells need the real photos (FLOWERS_DIR) and are not graded.
# Grade it with: python -m autograder grade THIS_FILE.py

# %% [markdown]
# # Chapter 8 — Explaining predictions with Grad-CAM
#
# ### What you will learn
#
# * why Grad-CAM is a **model-specific**, local explanation, and what it needs from a network;
# * Grad-CAM's four steps, written yourself with `tf.GradientTape`: feature maps and class score, gradients,
#   channel weights, weighted sum with ReLU;
# * how to use tf-explain's `GradCAM` for a batch of heat maps and for ready-made overlays, and how its version
#   differs from the one you wrote;
# * how to pick which photos to explain reproducibly, explain the model's own prediction on the pixels it was
#   trained on, and show the result honestly.
#
# ### Before you start
#
# You should be at ease with chapter 5's pixel ranges (`uint8` 0–255 versus floats in [0, 1]) and with the small
# CNN of chapter 6 (convolution, pooling, dense layers, softmax). From TensorFlow you need `tf.GradientTape` at the
# level of "record a computation, then ask for a gradient". The checks run on generated pictures; the cells marked
# *Demo, not graded* need the real tf_flowers photos (`FLOWERS_DIR`).
#
# ### Time
#
# About 2 hours: 15 minutes of reading, 45 minutes for Grad-CAM by hand, 45 minutes for the tf-explain functions
# and the figure, and 15 minutes to look at the demo's explanations. Running the whole notebook takes 1–2 minutes.

# %% [markdown]
# A flower classifier says "tulips". Why? Accuracy cannot tell you whether it looked at the petals or at the blue
# sky that happens to surround many tulip photos. This chapter draws **heat maps** over photos that show which
# regions pushed the network towards its answer: first with Grad-CAM written by hand, then with the `tf-explain`
# library.
#
# You will write five functions:
#
# | function | what it does |
# | --- | --- |
# | `choose_examples` | picks n distinct images from a whole split, reproducibly from a seed |
# | `gradcam_heatmap` | Grad-CAM by hand with `tf.GradientTape`: one heat map on the layer's grid, in [0, 1] |
# | `gradcam_heatmaps` | tf-explain's Grad-CAM, one heat map per image, scaled to [0, 1] and as large as the image |
# | `explain_examples` | picks n test images, asks the model for its prediction, and explains that prediction |
# | `plot_explanations` | draws each explained image with its heat map overlay, titled with the predicted class |
#
# **How this notebook is graded.** Each function's docstring states what goes in and what comes out (shapes, dtypes,
# value ranges). Replace `raise NotImplementedError()` with your code and leave the rest as it is. The *visible
# check* after each function prints `Passed` or says what it found, what it expected, and gives a hint. *Hidden
# tests* use other inputs with the same contract. The checks use tiny networks and generated pictures, so they run
# in seconds; cells marked *Demo, not graded* use the real photos and are not graded.

# %% [markdown]
# ## Configurable parameters
#
# tf-explain 0.3 was written for the Keras that shipped inside TensorFlow 2 (today's **tf-keras** package). Since
# TensorFlow 2.16, `tf.keras` means Keras 3, and tf-explain's `GradCAM` fails on a Keras 3 `Sequential` model. Setting
# the environment variable `TF_USE_LEGACY_KERAS=1` makes `tf.keras` be tf-keras again, but only if it is set
# **before TensorFlow is imported**: that is why it is the first thing the next cell does. If you ever see the kit
# complain that "tf.keras is Keras 3 here", restart the kernel and run this cell first.

# %%
import os

os.environ["TF_USE_LEGACY_KERAS"] = "1"             # tf.keras = tf-keras, which tf-explain needs
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")   # keep TensorFlow's C++ logs quiet

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from tf_explain.core.grad_cam import GradCAM

from autograder.data import CLASS_NAMES
from autograder.nbcheck import run_check

IMAGE_SIZE = (48, 48)     # (height, width) for the demo model: small, so it trains in seconds
DEMO_EPOCHS = 3           # enough for the demo to beat guessing clearly, not to be a good model
N_EXAMPLES = 3            # how many test photos the demo explains
SEED = 8                  # one seed for the demo's choices, so every run explains the same photos
print("TensorFlow", tf.__version__, "| tf.keras comes from", tf.keras.Sequential.__module__.split(".")[0])

# %% [markdown]
# ## 1. What Grad-CAM is, and what kind of explanation it gives
#
# Explanation methods come in two families:
#
# * **Model-agnostic** methods treat the network as a sealed box: they change the input and watch the output.
#   LIME, SHAP and occlusion maps work like this, on any classifier, a CNN or a random forest alike.
# * **Model-specific** methods open the box and use its inside.
#
# **Grad-CAM is model-specific.** (The tutorial this course follows calls it model-agnostic; that is wrong.) It needs
# a convolutional layer, the feature maps that layer produces for this image, and the gradients of the class score
# with respect to those feature maps. A model with no convolutional layer, or one you can only query for outputs,
# cannot be explained with it. It is also **local**: it explains one prediction for one image, not the model as a
# whole.
#
# How it works, for one image and one class *c* (section 2 turns each step into code):
#
# 1. Run the image through the network and keep the output of a chosen convolutional layer: *K* feature maps
#    *A*<sub>1</sub> … *A*<sub>K</sub>, each a small grid (for the 48 × 48 demo model's last convolution, 8 × 8).
# 2. Compute the gradient of the score of class *c* with respect to every cell of every feature map. It says how much
#    the score would rise if that cell's activation rose.
# 3. Average each map's gradients over the grid: one weight *w*<sub>k</sub> per feature map, "how much does map *k*
#    matter for class *c*".
# 4. The heat map is the weighted sum Σ *w*<sub>k</sub> *A*<sub>k</sub>: the cells where the important maps are active.
#    It has the layer's grid size, so it is enlarged to the photo's size and scaled to [0, 1] for display.
#
# tf-explain adds one twist, on by default (`use_guided_grads=True`): before averaging it keeps only the gradients that
# are positive *and* sit where the feature map is positive, so only evidence *for* the class counts. The original paper
# instead takes all gradients and clips the final sum at 0 (a ReLU). In this chapter the heat map means tf-explain's
# version, because that is the one its overlays show.

# %% [markdown]
# ## 2. Grad-CAM by hand, in four steps
#
# Before handing the work to a library, write Grad-CAM yourself. It is about ten lines of TensorFlow, and once you
# have written them, every choice a library makes for you (which layer, which score, which gradients) becomes
# visible. Take one image `x`, one class index `c` and the name of a convolutional layer.
#
# **Step 1 — forward pass to the feature maps and the class score.** A Keras model only returns its final output,
# but you need the layer's output too. Build a second model on the same layers with two outputs,
# `tf.keras.Model(model.inputs, [model.get_layer(layer_name).output, model.output])`. Calling it on a batch of one,
# `x[np.newaxis]`, gives the feature maps *A* of shape (1, h, w, K) and the predictions of shape (1, C). The
# score of class *c* is `predictions[:, c]`: here a probability, because the model ends with a softmax. (The
# original paper uses the score before the softmax; on a model that ends in softmax the probability is what you
# can reach, and it is what tf-explain uses too.)
#
# **Step 2 — the gradient of the score with respect to the feature maps.** Run that call inside
# `with tf.GradientTape() as tape:` so TensorFlow records it, then `tape.gradient(score, features)`. The result
# has the shape of *A*, (1, h, w, K): for every cell of every map, how much the score would rise if that
# activation rose a little. (The tape follows the features automatically because they were computed inside it
# from the model's weights.)
#
# **Step 3 — one weight per feature map.** Average the gradients over height and width:
# *w*<sub>k</sub> = mean over (i, j) of ∂score / ∂*A*<sub>ijk</sub>. That is K numbers, one per channel. Mind
# the batch axis: on a (1, h, w, K) tensor the spatial axes are 1 and 2; `axis=(0, 1)` would average over the
# batch and the height and leave one weight per column.
#
# **Step 4 — weighted sum, ReLU, normalise.** The map is Σ<sub>k</sub> *w*<sub>k</sub> *A*<sub>k</sub>, an
# (h, w) array. Apply a ReLU, max(·, 0): a cell with a negative sum is evidence *against* class *c*, and Grad-CAM
# shows only evidence for it. Then divide by the maximum so the values lie in [0, 1]; if nothing is positive,
# return zeros rather than dividing by 0.
#
# The map has the layer's grid size (h × w), not the image's: enlarging it is a display step, left out here.
#
# The checks build a tiny network from seeded weights (a 3 × 3 convolution named as given, then Flatten and a
# softmax layer; the hidden one adds a convolution in front) and compare your map with the kit's own Grad-CAM,
# computed in NumPy, within 0.02 at every cell.

# %% [solution] gradcam_heatmap
def gradcam_heatmap(model, image, class_index, layer_name):
    """Grad-CAM of one image for one class, computed by hand with tf.GradientTape.

    The layer named layer_name outputs K feature maps on an h x w grid; the model outputs C scores.

    Inputs:
    - model: a tf.keras classifier ending in a softmax, (1, H, W, 3) -> (1, C); it takes pixels in
      whatever range it was trained on, so pass the image as it is.
    - image: float or uint8 array (H, W, 3), one image (no batch axis).
    - class_index: int in 0..C-1, the class to explain.
    - layer_name: name of a convolutional layer of model, whose output has shape (1, h, w, K).

    Returns a float32 numpy array of shape (h, w) with values in [0, 1]:
    relu(sum over k of w_k * A_k) divided by its maximum, where A_k is feature map k of the image
    and w_k the mean over height and width of d score / d A_k, score = model's output for
    class_index; all zeros when no cell is positive.
    """
    batch = tf.convert_to_tensor(np.asarray(image, dtype=np.float32)[np.newaxis])   # (1, H, W, 3)
    grad_model = tf.keras.Model(model.inputs, [model.get_layer(layer_name).output, model.output])
    # YOUR CODE HERE
    raise NotImplementedError()
    return np.asarray(heatmap, dtype=np.float32)

# %% [check] check_gradcam_heatmap
# Visible check: a tiny CNN with seeded weights (12 x 10 x 3 image, one convolution "features"
# with 6 maps, Flatten, 3-class softmax), explained for class 1. Expected: shape (12, 10), floats in
# [0, 1], within 0.02 at every cell of the kit's Grad-CAM.
run_check("ch08", "check_gradcam_heatmap", gradcam_heatmap)

# %% [check] hidden_gradcam_heatmap
# Hidden test: another tiny CNN, with a convolution before the layer to explain, for every class.

# %% [markdown]
# ## 3. Choosing which photos to explain
#
# The tutorial picks its examples with `np.random.choice(len(test_dataset), 3)` and then reads
# `list(test_dataset.take(1))[0]` inside the loop. Three things go wrong:
#
# * `test_dataset` is **batched**, so its length is the number of *batches* (10 for 310 photos in batches of 32),
#   not the number of photos: the "indices" are batch numbers, used as positions inside the first batch only;
# * `np.random.choice` draws **with replacement** unless told otherwise, so the same photo can come up twice;
# * there is **no seed**, so every run explains different photos, and the batch is re-read on every pass.
#
# The fix: load the split once as an array, draw positions from `0 … num_images - 1` without replacement, and take them
# from a generator made from a seed, `np.random.default_rng(seed)`, which leaves NumPy's global random state alone.

# %% [solution] choose_examples
def choose_examples(num_images, n, seed):
    """Pick n distinct image positions out of a whole split, reproducibly.

    Inputs:
    - num_images: int, the number of images in the split (not the number of batches).
    - n: int, how many to pick, 0 <= n <= num_images.
    - seed: int; the same (num_images, n, seed) always gives the same positions.

    Returns an int64 numpy array of shape (n,): distinct positions in 0..num_images-1.
    """
    rng = np.random.default_rng(seed)
    # YOUR CODE HERE
    raise NotImplementedError()
    return np.asarray(indices, dtype=np.int64)

# %% [check] check_choose_examples
# Visible check: choose_examples(100, 6, seed=7) must give 6 distinct positions in 0..99.
run_check("ch08", "check_choose_examples", choose_examples)

# %% [check] hidden_choose_examples
# Hidden test: larger splits, n equal to the split size, and the same seed twice.

# %% [markdown]
# ## 4. A model to explain
#
# The demo explains a small CNN defined in the next cell, `demo_cnn`. It is **not** chapter 6's network, only built
# on the same pattern: `Rescaling(1/255)` first, three convolution and pooling blocks, a dense layer, a softmax. It
# differs in the details: its convolutions have no padding (so the last one gives an 8 × 8 grid at 48 × 48
# input), its hidden dense layer has 64 units instead of 128, and it sees 48 × 48 photos. Grad-CAM works the same on
# either. To keep this notebook quick it is trained here for a few epochs;
# expect a test accuracy of about 0.6 after three epochs (guessing the largest class scores about 0.23). That is good enough to have
# something to explain, and a weak model is instructive: its heat maps show what it got wrong.
#
# We name the last convolution `last_conv`. Grad-CAM is usually computed there: it is the layer whose maps carry the
# most class-specific information while still having a spatial grid. Any convolutional layer works, with a different
# trade-off (earlier layers: finer grid, less about the class).
#
# Note the pixel range. The photos are `uint8`, 0–255, and the model divides by 255 itself in its first layer. So
# everything we give the model — for training, for predicting, and for Grad-CAM — stays on the 0–255 scale.

# %% [markdown]
# > **Demo, not graded.** The next cell loads the real photos (train, validation and test splits at 48 × 48) and
# > trains `demo_cnn` for three epochs, about half a minute on a laptop. The later demo cells explain this model.

# %% [demo]
# DEMO (not graded): load the real photos and train demo_cnn, the model the demos explain; it needs the real photos.
from autograder.data import load_split

train_images, train_labels, _ = load_split("train", IMAGE_SIZE)
val_images, val_labels, _ = load_split("val", IMAGE_SIZE)
test_images, test_labels, _ = load_split("test", IMAGE_SIZE)
print("train", train_images.shape, "| val", val_images.shape, "| test", test_images.shape, train_images.dtype)

tf.keras.utils.set_random_seed(SEED)
layers = tf.keras.layers
model = tf.keras.Sequential([
    layers.Input((*IMAGE_SIZE, 3)),
    layers.Rescaling(1.0 / 255),                      # the model expects 0-255 pixels
    layers.Conv2D(16, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Conv2D(32, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Conv2D(64, 3, activation="relu", name="last_conv"),   # an 8 x 8 grid at 48 x 48 input
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dense(64, activation="relu"),
    layers.Dense(len(CLASS_NAMES), activation="softmax"),
], name="demo_cnn")
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(train_images, train_labels, validation_data=(val_images, val_labels),
          epochs=DEMO_EPOCHS, batch_size=32, verbose=0)
print("test accuracy: %.2f" % model.evaluate(test_images, test_labels, verbose=0)[1])

# %% [markdown]
# ## 5. Heat maps for a batch
#
# tf-explain's `GradCAM().explain((images, None), model, class_index, layer_name=...)` returns a **picture**: an RGB
# `uint8` array in which the heat map has already been coloured and blended into the photo (and, for several images,
# tiled into one grid). That is fine to look at, but it no longer holds the heat map's values. In section 2 you computed such a map yourself; here tf-explain computes it, its own way
# (guided gradients, see section 1), and the functions below stay close to what it does. For checks and colour
# bars you want the raw map, and tf-explain exposes the two steps it uses to compute it:
#
# ```python
# features, gradients = GradCAM.get_gradients_and_filters(model, images, layer_name, class_index, True)
# cams = GradCAM.generate_ponderated_output(features, gradients)   # one (grid_h, grid_w) tensor per image
# ```
#
# Both take **one** class index for the whole batch, while each image should be explained for its own class: group
# the images by class (or go one image at a time). Each map then needs two more steps: resize it from the layer's
# grid to the image's height and width (`tf.image.resize(cam[..., tf.newaxis], (height, width))`; careful,
# `cv2.resize` wants `(width, height)`), and scale it to [0, 1] with `(cam - min) / (max - min)`. A map that is
# constant (no evidence at all) would divide by zero: return zeros for it.

# %% [solution] gradcam_heatmaps
def gradcam_heatmaps(model, images, class_indices, layer_name):
    """Grad-CAM heat maps, as tf-explain's GradCAM computes them, one per image and class.

    N images of H x W pixels.

    Inputs:
    - model: a tf.keras (tf-keras) classifier whose first layer rescales 0-255 pixels itself.
    - images: uint8 or float array (N, H, W, 3), pixels 0-255, passed to the model as they are.
    - class_indices: N ints; image i is explained for class class_indices[i].
    - layer_name: name of the convolutional layer to explain.

    Returns a float32 array (N, H, W): heat map i is GradCAM.generate_ponderated_output of
    GradCAM.get_gradients_and_filters(..., use_guided_grads=True) for image i and its class,
    resized (bilinear) from the layer's grid to H x W, then scaled to [0, 1] with
    (map - min) / (max - min); a constant map becomes all zeros.
    """
    images = np.asarray(images, dtype=np.float32)
    class_indices = np.asarray(class_indices)
    height, width = images.shape[1:3]
    heatmaps = np.zeros(images.shape[:3], dtype=np.float32)
    # YOUR CODE HERE
    raise NotImplementedError()
    return heatmaps

# %% [check] check_gradcam_heatmaps
# Visible check: 6 generated 32 x 32 images and a small CNN (last conv layer "last_conv", a
# 16 x 16 grid). Expected: shape (6, 32, 32), floats in [0, 1], each within 0.1 on average
# of the kit's own Grad-CAM for the same image and class.
run_check("ch08", "check_gradcam_heatmaps", gradcam_heatmaps)

# %% [markdown]
# A sanity test you can trust more than any photo: generated pictures whose class is decided by a bright square
# in one corner, and nothing else. A network trained on them can only succeed by looking at that corner, so a correct
# Grad-CAM must light up there. The hidden test checks exactly this.

# %% [check] hidden_gradcam_corner
# Hidden test: each image's class is the corner holding a bright patch; the heat map must be
# strongest in that corner.

# %% [markdown]
# > **Demo, not graded.** One heat map on its own, for the first test photo and the model's prediction. Because this
# > is the raw map, with values from 0 to 1, a colour bar finally means something.

# %% [demo]
# DEMO (not graded): one tf-explain heat map with a colour bar; it needs the real photos and demo_cnn.
photo = test_images[:1]
predicted = np.argmax(model.predict(photo, verbose=0), axis=1)
heatmap = gradcam_heatmaps(model, photo, predicted, "last_conv")[0]
figure, (left, right) = plt.subplots(1, 2, figsize=(7, 3.2))
left.imshow(photo[0])
left.set_title(f"photo ({CLASS_NAMES[test_labels[0]]})")
shown = right.imshow(heatmap, cmap="viridis", vmin=0, vmax=1)
right.set_title(f"Grad-CAM for {CLASS_NAMES[predicted[0]]}")
figure.colorbar(shown, ax=right, label="relative importance (0-1)")
for ax in (left, right):
    ax.axis("off")
plt.show()

# %% [markdown]
# > **Demo, not graded.** Your `gradcam_heatmap` next to tf-explain's map, for the same photo, class and layer.
#
# Do not expect the two to be equal. tf-explain uses **guided gradients** by default: before averaging, it keeps
# only the gradients that are positive and sit where the feature map is positive, and it applies no ReLU at the end;
# `gradcam_heatmaps` then stretches each map to [0, 1] with min and max, while yours divides by the maximum after a
# ReLU. (`GradCAM.explain` goes one step further and blends a coloured version into the photo: an overlay, not
# values.) What you should see is agreement on *where*: the correlation between the two maps is clearly positive,
# often 0.6 or more, and their hottest quarters largely overlap (the single hottest pixel may still differ, since
# broad maps have flat tops). Where the model has strong evidence against the
# class, the maps part ways: yours sets those cells to 0 after summing, tf-explain drops negative gradients before
# summing, so the same cells can come out lukewarm there.

# %% [demo]
# DEMO (not graded): Grad-CAM by hand versus tf-explain on one photo; it needs the real photos and demo_cnn.
by_hand = gradcam_heatmap(model, photo[0], int(predicted[0]), "last_conv")           # (8, 8)
by_hand_large = tf.image.resize(by_hand[..., np.newaxis], IMAGE_SIZE).numpy()[..., 0]  # (48, 48), for display
correlation = np.corrcoef(by_hand_large.ravel(), heatmap.ravel())[0, 1]
hot_by_hand = by_hand_large >= np.quantile(by_hand_large, 0.75)    # the hottest quarter of each map
hot_tf_explain = heatmap >= np.quantile(heatmap, 0.75)
shared = (hot_by_hand & hot_tf_explain).sum() / max(hot_by_hand.sum(), 1)
print(f"by hand: grid {by_hand.shape}; correlation with tf-explain's map: {correlation:.2f}; "
      f"their hottest quarters share {shared:.0%} of their pixels")
figure, axes = plt.subplots(1, 3, figsize=(9, 3.2))
for ax, shown, title in zip(axes, [photo[0], by_hand_large, heatmap],
                            ["photo", "by hand (ReLU, / max)", "tf-explain (guided, min-max)"]):
    ax.imshow(shown, cmap=None if shown.ndim == 3 else "viridis", vmin=None if shown.ndim == 3 else 0,
              vmax=None if shown.ndim == 3 else 1)
    ax.set_title(title)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## 6. Explaining n test photos
#
# Now the loop the tutorial intended: choose n distinct test photos, ask the model what each one is, and explain that
# prediction. The tutorial scales each photo to [0, 1] before handing it to the model. Our model starts with
# `Rescaling(1/255)`, so it would divide again and see a nearly black picture with pixels below 0.004: its prediction
# and its heat map would describe an image nobody took. **Feed the model pixels in the range it was trained on**
# (0–255 here) and scale only what you *display*.
#
# The explained class is the model's own answer, `argmax` of its prediction, whether or not it is right: Grad-CAM
# explains what the model did, not what it should have done. (To ask "what would make it say *roses*?", pass the
# roses index instead.)
#
# For the overlays, call `GradCAM().explain((image[np.newaxis], None), model, class_index, layer_name=layer_name)` on one
# image at a time: with one image, its "grid" is just that image's overlay, `uint8` of shape (H, W, 3). Give it the
# `uint8` image. For drawing, tf-explain assumes a float image is in [0, 1] and multiplies it by 255, so a float image
# on the 0–255 scale comes out as coloured noise (the model itself is fine with either dtype: it receives
# `tf.cast(image, tf.float32)`, still 0–255).

# %% [solution] explain_examples
def explain_examples(model, images, n, seed, layer_name):
    """Explain the model's prediction for n distinct images chosen with a seed.

    N images of H x W pixels.

    Inputs:
    - model: a tf.keras (tf-keras) classifier whose first layer rescales 0-255 pixels itself.
    - images: uint8 array (N, H, W, 3), the whole split, pixels 0-255.
    - n: int, how many images to explain (n <= N).
    - seed: int, passed to choose_examples: the same seed explains the same images.
    - layer_name: name of the convolutional layer to explain.

    Returns a dict with
    - "indices": int64 array (n,), choose_examples(N, n, seed): distinct positions in images.
    - "classes": int64 array (n,), the model's argmax for images[indices], pixels given as 0-255.
    - "heatmaps": float32 array (n, H, W) in [0, 1], gradcam_heatmaps for those images and classes.
    - "overlays": uint8 array (n, H, W, 3), GradCAM().explain of each (uint8) image for its class.
    """
    indices = choose_examples(len(images), n, seed)
    chosen = np.asarray(images)[indices]          # read once, still 0-255
    # YOUR CODE HERE
    raise NotImplementedError()
    return {"indices": indices, "classes": classes, "heatmaps": heatmaps, "overlays": overlays}

# %% [check] check_explain_examples
# Visible check: 40 generated images, n=5, seed=2. Expected: 5 distinct indices (the same on a
# second call), classes equal to the model's argmax on the 0-255 images, heat maps (5, 32, 32)
# in [0, 1] matching the kit's Grad-CAM, overlays uint8 (5, 32, 32, 3) matching tf-explain's.
run_check("ch08", "check_explain_examples", explain_examples)

# %% [check] hidden_explain_examples
# Hidden test: explain_examples with other images and another n.

# %% [markdown]
# ## 7. Showing the explanations
#
# What to draw follows from what `GradCAM.explain` returns: an RGB picture. Show it with a plain `imshow`. The
# tutorial passes `vmin=0, vmax=1` and `alpha=0.9` and adds a colour bar labelled "Heatmap Values": for an RGB image
# `vmin` and `vmax` do nothing, and the colour bar describes a colour map that was never applied to these pixels, so
# its numbers mean nothing. If you want a scale, draw the raw heat map from `gradcam_heatmaps` (as in section 5);
# here the overlay speaks for itself: bright yellow is "most important", dark purple "least", relative to this image
# only.
#
# One subplot per example, titled with the **predicted** class name. Make the grid with `squeeze=False` so that a
# single example still gives you an array of axes.

# %% [solution] plot_explanations
def plot_explanations(explanation, class_names):
    """Draw each explained image's overlay in its own subplot, titled with the predicted class.

    n examples.

    Inputs:
    - explanation: dict as explain_examples returns it ("indices", "classes", "heatmaps",
      "overlays"; overlays uint8 (n, H, W, 3)).
    - class_names: list of class names; class i is class_names[i].

    Returns the matplotlib Figure: n axes holding an image, axes i showing overlays[i] with imshow
    as it is (no vmin/vmax, no colour bar), titled class_names[classes[i]].
    """
    count = len(explanation["indices"])
    figure, axes = plt.subplots(1, max(count, 1), figsize=(3 * max(count, 1), 3.3), squeeze=False)
    # YOUR CODE HERE
    raise NotImplementedError()
    for ax in axes.flat:
        ax.axis("off")
    figure.tight_layout()
    return figure

# %% [check] check_plot_explanations
# Visible check: 4 examples with random 20 x 24 overlays. The check reads the figure's axes:
# 4 axes with an image, axes i showing overlay i unchanged and titled with class i's name,
# and no colour bar.
run_check("ch08", "check_plot_explanations", plot_explanations)

# %% [check] hidden_plot_explanations
# Hidden test: plot_explanations with another number of examples.

# %% [markdown]
# > **Demo, not graded.** Three test photos, chosen once with the seed, each explained for the model's own answer. The true class is printed
# below so you can compare. Do not expect the heat maps to sit neatly on the flowers: a small network trained for a
# few epochs on 48 × 48 photos often leans on colour and background (grass, sky, a vase). Seeing that is the point of
# explaining a model, and it is also why the next section warns against reading too much into any single map.

# %% [demo]
# DEMO (not graded): three test photos explained for demo_cnn's own predictions; it needs the real photos.
explanation = explain_examples(model, test_images, N_EXAMPLES, SEED, "last_conv")
for index, class_index in zip(explanation["indices"], explanation["classes"]):
    print(f"test photo {index:3d}: true {CLASS_NAMES[test_labels[index]]:10s} predicted {CLASS_NAMES[class_index]}")
figure = plot_explanations(explanation, CLASS_NAMES)
plt.show()

# %% [markdown]
# ## 8. What Grad-CAM cannot tell you
#
# Read every heat map with these limits in mind:
#
# * **It is coarse.** The map is computed on the chosen layer's grid (8 × 8 for this demo's last convolution, about
#   7 × 7 for bigger networks at 224 × 224) and then stretched to the photo. It can point at "the upper left part", not at a petal's
#   edge. Small objects, or two objects close together, blur into one blob.
# * **It shows where, not why.** A bright region says "activations here raised this class's score". It does not say
#   whether the network reacted to colour, texture or shape there, nor what it "thought" the region was.
# * **It can look convincing while the model is wrong.** A heat map neatly on the flower does not make the prediction
#   right, and it does not prove the model would ignore the background on the next photo. Look at explanations of
#   mistakes, not only of successes; a model that leans on the sky or the vase shows it there.
# * **It depends on choices.** Another layer, plain instead of guided gradients, or scores before instead of after the
#   softmax can give visibly different maps for the same image and model. Each map is also scaled to its own
#   maximum, so two maps' colours cannot be compared: a weak and a strong piece of evidence can both look yellow.
# * **It is local and model-specific.** One map explains one prediction of one network with convolutional layers.
#   To understand the model as a whole, look at many examples (chapter 7's error analysis helps pick them), and
#   consider model-agnostic methods such as occlusion or SHAP as a cross-check.
#
# ## What you have now
#
# * a reproducible choice of distinct photos from a whole split, with a seed;
# * Grad-CAM written by hand with `tf.GradientTape`, step by step, and a sense of how tf-explain's version differs;
# * Grad-CAM heat maps as values in [0, 1], at the image's size, for each image's own class;
# * explanations of the model's actual predictions, computed on the pixels it was trained on;
# * a figure that shows tf-explain's overlays as pictures, titled with what the model predicted.

# %% [markdown]
# ## Going further (not graded)
#
# 1. **Plain against guided.** Call `GradCAM.get_gradients_and_filters(..., use_guided_grads=False)` on the demo's
#    photos and compare the maps with `use_guided_grads=True` and with your `gradcam_heatmap`. Which of the two
#    tf-explain variants is closer to yours, and why?
# 2. **Another layer.** Give the demo model's first or second convolution a name and explain it instead of
#    `last_conv`. How do the grid size and the maps change? Which layer gives maps you would trust to point at
#    the flower?
# 3. **Explain a mistake.** Use chapter 7's idea of the most confident mistakes: find the test photos the demo
#    model gets wrong with the highest probability, and explain both the predicted and the true class for each.
#    Does the heat map for the true class sit somewhere else?
# 4. **A model-agnostic cross-check.** Grad-CAM needs the network's inside (it is model-specific). Write an
#    occlusion map that only queries the model: slide a grey 8 × 8 square over the photo and record how much the
#    predicted class's probability drops at each position. Does it agree with Grad-CAM?
