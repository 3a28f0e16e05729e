# Generated from source/ch03_data_quality/ch03_data_quality.ipynb by `make generate`; edit the notebook in source/, not this file.
# Work on the cells marked [solution]; run the [check] cells to test them.
# [demo] cells need the real photos (FLOWERS_DIR) and are not graded.
# Grade it with: python -m autograder grade THIS_FILE.py

# %% [markdown]
# # Chapter 3 — A data quality audit
#
# A model can only be as good as the photos it learns from, and a test score can only be trusted if the test
# photos are really new to the model. Before loading anything into TensorFlow, this chapter inspects the photo
# folder the way an auditor inspects accounts: count, compare, look for copies, look for damaged files, and then
# tick off a checklist.
#
# You will write seven small functions:
#
# | function | what it does |
# | --- | --- |
# | `count_photos` | counts the photo files in each class folder |
# | `balance_ratio` | compares the smallest class with the largest one |
# | `plot_class_counts` | draws a bar chart of the counts |
# | `find_duplicates` | finds files with exactly the same bytes, wherever they are filed |
# | `classify_duplicates` | tells copies inside one class from copies across classes, and finds copies that straddle splits |
# | `find_unreadable` | finds files that cannot be decoded as images |
# | `checklist` | turns the findings into three yes/no verdicts |
#
# **How grading works.** Every function comes with a docstring that fixes its contract: what goes in, what comes
# out, with types and value ranges. Replace `raise NotImplementedError()` with your code and keep the rest of the
# function. The cell after each function is a *visible check*: it prints `Passed`, or says what it found, what it
# expected, and gives a hint. At grading time *hidden tests* also run, on small generated folders with defects
# planted on purpose (a corrupt file, an empty class, a nearly empty class, copies under other names, a
# sub-folder that is not a class). They try other inputs, never another contract. A function still raising
# `NotImplementedError` is reported as "not attempted".
#
# Cells tagged `demo` run your functions on the real course photos; they are not graded. Each one opens with
# the comment `# DEMO (not graded)` and follows a note that starts with **Demo, not graded.**
# This chapter needs no TensorFlow at all: the audit only reads files.

# %% [markdown]
# ### What you will learn
#
# * To count the photos of each class without opening them, and to sum up how uneven the classes are in a single
#   number.
# * To tell the class folders of a data set from any other folder that happens to sit beside them.
# * To find exact copies by hashing file contents, and to judge which copies do harm: one photo under two
#   labels, or a photo in the test split whose twin is in the training split.
# * To catch files that carry a photo suffix but cannot be decoded.
# * To turn these findings into a yes/no checklist and a bar chart you can show to others.

# %% [markdown]
# ### Before you start
#
# * **Python:** functions, `for` loops, dicts and lists, `try`/`except`, and `pathlib.Path` for walking folders.
#   The standard library's `hashlib` and the PIL imaging library are introduced where they are needed.
# * **NumPy:** not needed in this chapter; the audit works on files and plain Python values. Arrays arrive in
#   chapter 4.
# * **Earlier chapters:** none; this is the course's first graded notebook. Chapter 4 loads the photos you audit
#   here.
# * **Set-up:** the kit's virtual environment and the tf_flowers photos, found through `FLOWERS_DIR`. Only the
#   demo cells and two visible checks read the real photos.

# %% [markdown]
# ### Time
#
# About an hour: 15 minutes to read, 45 to write and check the seven functions. The demos add a minute or two of
# running time, and the ungraded exercises at the end can take another hour.

# %% [markdown]
# ## Set-up
#
# The audit works on any folder with one sub-folder per class. The course's copy of tf_flowers is found through
# `FLOWERS_DIR` (see chapter 4 for the details); `IMAGE_SUFFIXES` lists the file endings the kit treats as photos.

# %%
import hashlib
from pathlib import Path

import matplotlib.pyplot as plt
from PIL import Image

from autograder.data import CLASS_NAMES, IMAGE_SUFFIXES, split_of
from autograder.nbcheck import run_check

print("classes:", CLASS_NAMES, "| photo suffixes:", IMAGE_SUFFIXES)

# %% [markdown]
# > **Demo, not graded.** The remaining demos audit the real course photos, so this cell finds their folder
# > first (`FLOWERS_DIR`). Without the photos, skip the demo cells: the graded cells do not need them.

# %% [demo]
# DEMO (not graded): locates the real tf_flowers folder that the next demos audit; it needs the real photos.
from autograder.data import resolve_data_dir

DATA_DIR = resolve_data_dir()  # the real photos: FLOWERS_DIR, or a copy the kit downloaded before
print("auditing", DATA_DIR)

# %% [markdown]
# ## 1. Why audit first?
#
# A short checklist is worth running on every new image data set before any training:
#
# 1. **At least 50 photos per class.** A network learns what a class looks like from its examples. With a few
#    dozen photos it memorises them instead of learning the flower, and the test split of such a class holds only
#    a handful of photos, so its accuracy jumps by whole percentage points when a single prediction changes.
# 2. **Classes of roughly equal size.** Training lowers the *average* loss, so a large class pulls the model
#    towards itself; a rare class is predicted less often and recalled worse. Imbalance also flatters accuracy:
#    always answering the largest class already scores that class's share.
# 3. **Every photo unique.** A copy inside the training split counts twice, a photo filed under two classes
#    teaches two contradicting answers, and a copy that lands in the test split while its twin is in the
#    training split is a *leak*: the model is tested on something it has already seen, and the test score
#    goes up for the wrong reason.
# 4. **Photos that vary** (angles, light, backgrounds, several flowers or one). Code cannot tick this box for you:
#    look at samples of each class, as chapter 4's `plot_examples` does.
#
# And one practical item the checklist takes for granted: **every file can be opened.** A single damaged file
# can stop a training run halfway through an epoch, or be skipped silently so that the counts you report are
# not the counts you trained on.
#
# ## 2. How many photos per class?
#
# Count files, do not open them: counting should be quick, and a damaged `.jpg` is still a file that sits in the
# folder (section 5 deals with damage). A *photo file* here is a file directly inside a class folder whose suffix,
# lower-cased, is one of `IMAGE_SUFFIXES`. So `tulip.JPG` and `field.png` count; `notes.txt` does not. A class
# with an empty folder, or no folder at all, must still appear in the result, with 0: an empty class is exactly
# what an audit is for.
#
# The classes are the names in `class_names` and nothing else. A data folder often gathers other
# sub-folders over time: Jupyter writes `.ipynb_checkpoints` next to any notebook opened there, and people
# park spare or doubtful photos in a folder of their own. Looping over the sub-folders of `data_dir` would
# turn each of those into a class; loop over `class_names` instead.
#
# Useful tools: `Path(data_dir) / class_name`, `folder.is_dir()`, `folder.iterdir()`, `path.is_file()`,
# `path.suffix.lower()`.

# %% [solution] count_photos
def count_photos(data_dir, class_names):
    """Count the photo files in each class folder.

    C = len(class_names) classes.

    Inputs:
    - data_dir: str or Path, a folder with one sub-folder per class.
    - class_names: list of C class names, each the name of a sub-folder of data_dir
      (a folder may be empty or missing).

    Returns a dict {class name: number of photo files in data_dir/class name}, with all C
    names as keys in class_names order, a Python int >= 0 each (0 for an empty or missing
    folder). A photo file is a file directly in the class folder whose suffix, lower-cased,
    is in IMAGE_SUFFIXES; files are counted, not opened.
    """
    counts = {}
    # YOUR CODE HERE
    raise NotImplementedError()
    return counts

# %% [check] check_count_photos
# Visible check: the real course photos (FLOWERS_DIR). Expected: the kit's own count of
# files with a photo suffix in each of the five class folders (3,124 in all).
run_check("ch03", "check_count_photos", count_photos)

# %% [check] hidden_count_photos
# Hidden test: count_photos on a generated folder.

# %% [markdown]
# > **Demo, not graded.** Your `count_photos` applied to the real folder, with each class's share of the total.

# %% [demo]
# DEMO (not graded): your count_photos on the real class folders, with each share; it needs the real photos.
counts = count_photos(DATA_DIR, CLASS_NAMES)
total = sum(counts.values())
for name, count in counts.items():
    print(f"{name:11} {count:4d} photos  ({count / total:5.1%} of {total})")

# %% [markdown]
# ## 3. Is it balanced?
#
# One number summarises balance well enough for a checklist: the size of the smallest class divided by the size
# of the largest. It is 1.0 when all classes are equal and falls towards 0 as one class shrinks; an empty class
# gives exactly 0. The tutorial this course follows asks for classes of "equal" size, which real data sets rarely
# have. This course calls a data set **roughly balanced when the ratio is at least 0.5**, that is, no class is
# more than twice the size of another. Below that, reach for class weights, resampling, or more photos of the
# small class.
#
# Watch the edge case: when every count is 0 there is no largest class to divide by. Return 0.0 then, rather than
# crash.

# %% [solution] balance_ratio
def balance_ratio(counts):
    """The size of the smallest class divided by the size of the largest.

    Inputs:
    - counts: dict {class name: number of photos (int >= 0)}, at least one class.

    Returns a float in [0.0, 1.0]: min(counts) / max(counts); 1.0 when all classes are
    equal, 0.0 when a class is empty, and 0.0 when the largest count is 0.
    """
    ratio = 0.0
    # YOUR CODE HERE
    raise NotImplementedError()
    return ratio

# %% [check] check_balance_ratio
# Visible check: the real counts (daisy 537 ... dandelion 780). Expected 537 / 780, within 1e-9.
run_check("ch03", "check_balance_ratio", balance_ratio)

# %% [check] hidden_balance_ratio
# Hidden test: balance_ratio on other counts.

# %% [markdown]
# > **Demo, not graded.** The balance of the real classes, and the accuracy a model would get by always naming
# > the largest class.

# %% [demo]
# DEMO (not graded): the real balance and the always-the-largest-class baseline; it needs the real photos.
ratio = balance_ratio(counts)
largest = max(counts, key=counts.get)
print(f"smallest / largest = {ratio:.2f}")
print(f"always answering '{largest}' would already be right {counts[largest] / total:.0%} of the time")

# %% [markdown]
# ## 4. A picture of the counts
#
# Numbers in a table hide proportions; a bar chart shows them at a glance. `plot_class_counts` draws one vertical
# bar per class, in the order of the dict, with the class names under the bars, a title and a y-axis label. Keep
# the dict's order rather than sorting by size: the chart should line up with every other table in the course.
#
# `fig, ax = plt.subplots()` gives a figure with one `Axes`; `ax.bar(names, heights)` draws the bars and, given
# strings, puts them under the bars as tick labels; `ax.set_title`, `ax.set_ylabel` finish the job.
# `ax.bar_label(bars)` can write each count on top of its bar. The check reads the figure's `Axes` (bar heights,
# tick labels, title, y label), not its pixels, so colours and sizes are yours to choose.

# %% [solution] plot_class_counts
def plot_class_counts(counts):
    """Draw a bar chart with one bar per class.

    C = len(counts) classes.

    Inputs:
    - counts: dict {class name: number of photos (int >= 0)}.

    Returns the matplotlib Figure. It has one Axes with C vertical bars, in the dict's order:
    bar i's height is the i-th count (0 for an empty class), its x tick label the i-th class
    name. The Axes has a title and a y-axis label (both non-empty).
    """
    figure, ax = plt.subplots(figsize=(7, 4))
    # YOUR CODE HERE
    raise NotImplementedError()
    figure.tight_layout()
    return figure

# %% [check] check_plot_class_counts
# Visible check: the real counts. The check reads the Axes: 5 bars of heights 537, 780, 539,
# 596, 672 in that order, tick labels daisy ... tulips, a title and a y label.
run_check("ch03", "check_plot_class_counts", plot_class_counts)

# %% [check] hidden_plot_class_counts
# Hidden test: plot_class_counts with other counts.

# %% [markdown]
# > **Demo, not graded.** Your bar chart, drawn from the real counts.

# %% [demo]
# DEMO (not graded): your plot_class_counts drawn from the real counts; it needs the real photos.
figure = plot_class_counts(counts)
plt.show()

# %% [markdown]
# Dandelions are the largest class and daisies the smallest, at a ratio of about 0.69: uneven, yet well inside
# "roughly balanced". Always answering "dandelion" would be right for about a quarter of the photos, which is the
# floor every model in this course has to beat.
#
# ## 5. Exact duplicates
#
# Two files are *exact duplicates* when their bytes are identical. Names say nothing: a copy can be saved under
# any name, in any folder, and two different photos can share a name in two folders. File sizes say little too:
# two different photos can happen to have the same size. What does work is a **hash** of the content: SHA-256
# turns any sequence of bytes into a 64-character fingerprint, and two files get the same fingerprint, in
# practice, only when their bytes are the same.
#
# ```python
# hashlib.sha256(path.read_bytes()).hexdigest()   # e.g. 'a3f5...'
# ```
#
# Hash every photo file (as defined in section 2), keep a dict from fingerprint to the files that have it, and
# report the fingerprints shared by two or more files. A path is reported relative to the data folder, as
# `"class/file.jpg"`, because the class is part of what makes a copy harmless or not. Hashing all 3,124 photos
# (about 54 MB) takes about a second.
#
# An exact hash does not catch *near* duplicates: the same photo resized, re-compressed or cropped. Those need a
# perceptual hash or image embeddings; they are beyond this chapter, but keep in mind that "no exact copies" is
# not the same as "no copies".

# %% [solution] find_duplicates
def find_duplicates(data_dir, class_names):
    """Find groups of photo files whose bytes are identical, wherever they are filed.

    Inputs:
    - data_dir: str or Path, a folder with one sub-folder per class.
    - class_names: list of class names; only these sub-folders are searched (a folder may be
      empty or missing). Photo files as in count_photos: suffix, lower-cased, in IMAGE_SUFFIXES.

    Returns a list of groups; a group is a list of two or more paths relative to data_dir,
    written "class/file.jpg" with a forward slash, of files with the same SHA-256 of their
    bytes. Files without a copy appear in no group. Each group is sorted, and so is the list
    of groups. An empty list means no exact duplicates.
    """
    files_by_hash = {}  # SHA-256 hex digest -> ["class/file.jpg", ...]
    # YOUR CODE HERE
    raise NotImplementedError()
    groups = [sorted(paths) for paths in files_by_hash.values() if len(paths) > 1]
    return sorted(groups)

# %% [check] check_find_duplicates
# Visible check: the real course photos. Expected: the groups the kit's own SHA-256 audit
# finds, compared as sets of paths "class/file.jpg".
run_check("ch03", "check_find_duplicates", find_duplicates)

# %% [check] hidden_find_duplicates
# Hidden test: find_duplicates on a generated folder.

# %% [markdown]
# > **Demo, not graded.** Your `find_duplicates` over all the real photos; each copy is printed with the split
# > it falls in.

# %% [demo]
# DEMO (not graded): your find_duplicates on all real photos, with splits; it needs the real photos.
duplicate_groups = find_duplicates(DATA_DIR, CLASS_NAMES)
print(len(duplicate_groups), "groups of identical files:")
for group in duplicate_groups:
    print("  ", "  ==  ".join(f"{path} ({split_of(path)})" for path in group))

# %% [markdown]
# ## 6. Which copies matter?
#
# Not every copy does the same harm, so sort them:
#
# * **Within one class**: the label is right, but the photo weighs twice in training. That is mostly harmless,
#   *unless* the two copies fall into different splits. The course decides a photo's split from its file name
#   (`split_of`, chapter 4), and copies with different names get independent splits.
# * **Across classes**: the same photo carries two labels. Whichever class the model picks, one of the two
#   answers is marked wrong, in training and in evaluation. At least one label is a filing mistake.
# * **Across splits**: some copies are in train and others in val or test. The model is then evaluated on a
#   photo it trained on. That is the leak that makes test scores look better than they are.
#
# `classify_duplicates` takes the groups from `find_duplicates` and returns three lists. The first two split the
# groups by class (a group whose files lie in two or more class folders is "across classes"); the third, which
# may overlap with both, holds every group whose files are not all in the same split.

# %% [solution] classify_duplicates
def classify_duplicates(groups):
    """Sort groups of identical files by what they put at risk.

    Inputs:
    - groups: list of groups as find_duplicates returns them; each group a list of two or more
      paths "class/file.jpg".

    Returns a dict with three keys, each a list of groups (the groups themselves, in the order
    given):
    - "within_class": groups whose files all lie in one class folder;
    - "across_classes": groups whose files lie in two or more class folders;
    - "across_splits": groups whose files do not all get the same split_of(path).
    Every group is in exactly one of the first two lists; it may also be in the third.
    """
    result = {"within_class": [], "across_classes": [], "across_splits": []}
    # YOUR CODE HERE
    raise NotImplementedError()
    return result

# %% [check] check_classify_duplicates
# Visible check: the three groups of the real photos. Expected: two within sunflowers, one
# across roses and tulips, and one group (a sunflower pair) across splits.
run_check("ch03", "check_classify_duplicates", classify_duplicates)

# %% [check] hidden_classify_duplicates
# Hidden test: classify_duplicates on other groups.

# %% [markdown]
# > **Demo, not graded.** The real groups of copies, sorted by your `classify_duplicates`.

# %% [demo]
# DEMO (not graded): your classify_duplicates on the groups found in the real photos; it needs the real photos.
kinds = classify_duplicates(duplicate_groups)
for kind, groups in kinds.items():
    print(f"{kind}:")
    for group in groups:
        print("   ", ", ".join(f"{path} [{split_of(path)}]" for path in group))

# %% [markdown]
# > **Demo, not graded.** Two of the real copies, shown as images: the photo filed under two classes, and one
# > file of the pair that is split between train and test.

# %% [demo]
# DEMO (not graded): two of the real copies, side by side; it needs the real photos.
# The photo filed under two classes, and one file of the sunflower pair that straddles train and test.
shown = [kinds["across_classes"][0][0], kinds["across_splits"][0][0]]
figure, axes = plt.subplots(1, len(shown), figsize=(4 * len(shown), 3.5))
for ax, path in zip(axes, shown):
    with Image.open(DATA_DIR / path) as image:
        ax.imshow(image.convert("RGB"))
    ax.set_title(path, fontsize=8)
    ax.axis("off")
plt.show()

# %% [markdown]
# ### What to do about them
#
# The real photos hold three groups, and they call for different remedies:
#
# * `15922772266_1167a06620.jpg` is filed under both **roses** and **tulips**. Look at it (above): a bouquet of red
#   flowers, and no tulip among them, so the copy under `tulips/` is the filing mistake. In your own data, keep such a
#   photo in the one class it shows, or drop it when you cannot tell. Both copies fall in the training split, so it does not leak,
#   but it feeds the network two opposite answers for the same pixels.
# * The sunflower pair `14889392928_9742aed45b_m.jpg` / `15066430311_fb57fa92b0_m.jpg` is the serious one: one copy
#   is in **test**, the other in **train**. The model sees that test photo during training. Remove one copy, or,
#   more generally, assign splits per *group of duplicates* rather than per file, so that all copies land
#   together.
# * The other sunflower pair (`15069459615_7e0fd61914_n.jpg` / `15072973261_73e2912ef2_n.jpg`) sits entirely in
#   train: it only counts twice. Removing one copy is tidy, but changes little.
#
# The course keeps the folder exactly as published, so that every student and every grader works on the same
# files and the split never moves. The leak costs little here: one test photo out of 310, at most a third of a
# percentage point of test accuracy. On a data set scraped from the web, where copies can be a few percent of all
# files, the same check can explain a surprisingly good test score.
#
# ## 7. Files that cannot be opened
#
# A download that stopped halfway, an HTML error page saved as `photo.jpg`, an empty file: each has a photo suffix
# and passes the count, and each breaks training the moment the loader reaches it. Ask PIL to decode every
# photo file and report those it cannot.
#
# One trap: `Image.open(path)` is *lazy*. It reads only the header (format, size, colour mode) and decodes the
# pixels later. A JPEG cut off in the middle has an intact header, so `Image.open` succeeds on it. Call
# `image.load()` to force the full decode, inside `try`/`except`: PIL raises `OSError` (its
# `UnidentifiedImageError` is one) and sometimes other errors for damaged files. `Image.verify()` is no
# substitute: for JPEGs it checks very little.

# %% [solution] find_unreadable
def find_unreadable(data_dir, class_names):
    """Find the photo files that PIL cannot decode.

    Inputs:
    - data_dir: str or Path, a folder with one sub-folder per class.
    - class_names: list of class names; only these sub-folders are searched (a folder may be
      empty or missing). Photo files as in count_photos: suffix, lower-cased, in IMAGE_SUFFIXES;
      other files are not opened.

    Returns a sorted list of paths relative to data_dir, written "class/file.jpg" with a
    forward slash, of the photo files for which Image.open(path) followed by image.load()
    raises an exception. An empty list means every photo file decodes.
    """
    unreadable = []
    # YOUR CODE HERE
    raise NotImplementedError()
    return sorted(unreadable)

# %% [check] check_find_unreadable
# Visible check: a generated folder of 29 small photos, one of which is an HTML page saved
# as roses/broken_download.jpg. Expected: exactly ['roses/broken_download.jpg'].
run_check("ch03", "check_find_unreadable", find_unreadable)

# %% [check] hidden_find_unreadable
# Hidden test: find_unreadable on a folder with other kinds of damage.

# %% [markdown]
# > **Demo, not graded.** Your `find_unreadable` over all the real photos; it decodes every file, so it takes a
# > few seconds.

# %% [demo]
# DEMO (not graded): your find_unreadable on every real photo; it needs the real photos.
unreadable = find_unreadable(DATA_DIR, CLASS_NAMES)
print(f"{len(unreadable)} of {total} photo files cannot be decoded", unreadable[:5])

# %% [markdown]
# ## 8. The checklist
#
# Now turn the findings into verdicts. The thresholds are arguments with the course's defaults, so the same
# function can audit a stricter or a smaller project:
#
# | verdict | True when | default |
# | --- | --- | --- |
# | `enough_photos` | every class has at least `min_per_class` photos | 50 |
# | `balanced` | smallest / largest class size is at least `min_ratio` (as in `balance_ratio`) | 0.5 |
# | `unique` | there is no group of exact duplicates | |
#
# Both comparisons include the threshold itself: exactly 50 photos is enough, and a ratio of exactly 0.5 is
# balanced. An empty class fails both `enough_photos` and `balanced`. The function gets plain data (the counts and
# the duplicate groups you computed above), opens no files, and returns real `bool`s.

# %% [solution] checklist
def checklist(counts, duplicate_groups, min_per_class=50, min_ratio=0.5):
    """Verdicts of the data quality checklist.

    Inputs:
    - counts: dict {class name: number of photos (int >= 0)}, at least one class,
      as count_photos returns it.
    - duplicate_groups: list of groups of identical files, as find_duplicates returns it.
    - min_per_class: int, the fewest photos a class may have (inclusive).
    - min_ratio: float in [0, 1], the lowest smallest/largest class ratio that still counts
      as roughly balanced (inclusive); the ratio is 0.0 when the largest count is 0.

    Returns a dict with exactly three bool values:
    - "enough_photos": every count >= min_per_class;
    - "balanced": min(counts) / max(counts) >= min_ratio;
    - "unique": duplicate_groups is empty.
    """
    verdicts = {}
    # YOUR CODE HERE
    raise NotImplementedError()
    return verdicts

# %% [check] check_checklist
# Visible check: (1) the real counts with the real photos' three duplicate groups, expected
# enough_photos=True, balanced=True, unique=False; (2) a clean made-up data set, all True.
run_check("ch03", "check_checklist", checklist)

# %% [check] hidden_checklist
# Hidden test: checklist on other counts and thresholds.

# %% [markdown]
# > **Demo, not graded.** The checklist filled in with your own functions' findings on the real photos.

# %% [demo]
# DEMO (not graded): your checklist on the real findings; it needs the real photos.
verdicts = checklist(counts, duplicate_groups)
for item, verdict in verdicts.items():
    print(f"[{'x' if verdict else ' '}] {item}")
print(f"[{'x' if not unreadable else ' '}] every file decodes")
print("[?] photos vary within each class: look at them (chapter 4, plot_examples)")

# %% [markdown]
# ## What the audit says about tf_flowers
#
# * **Enough photos:** yes, 537 to 780 per class, ten times the minimum.
# * **Balanced:** roughly, at a ratio of about 0.69. Keep an eye on per-class results later: a confusion matrix
#   in a later chapter shows whether the smaller classes (daisy, roses) suffer.
# * **Unique:** no. Three pairs of identical files, one photo under two labels and one pair split across train
#   and test. Small numbers, but now you know where they are and why they matter.
# * **Readable:** every one of the 3,124 files decodes.
#
# The same seven functions audit any folder laid out one class per sub-folder: run them on your own data set
# before training on it. Chapter 4 loads these photos into arrays.

# %% [markdown]
# ## Going further (not graded)
#
# Nothing below is graded; each exercise takes the audit one step further.
#
# 1. **Copies that are not byte-identical.** Re-saving or resizing a photo changes every byte, so SHA-256 no
#    longer matches. Write a tiny *perceptual* fingerprint: shrink each photo to 8 x 8 pixels in grey
#    (`image.convert('L').resize((8, 8))`), then record for each of the 64 pixels whether it is brighter than
#    their mean. List the pairs whose fingerprints differ in at most 4 of the 64 bits and look at them. How many
#    are real copies that `find_duplicates` missed, and how many are merely similar flowers? (Comparing every
#    pair is slow for 3,124 photos: start with one class.)
# 2. **Splits that keep copies together.** `split_of` decides a photo's split from its file name, which is why
#    two copies with different names can land apart. Write a variant that gives every file of a duplicate group
#    the split of the group's first path, and confirm with `classify_duplicates` that `across_splits` comes back
#    empty.
# 3. **What imbalance costs.** Once you can train the chapter 6 model, remove all but 100 daisy photos from a
#    copy of the training split and train again. Compare daisy's recall (the share of daisy test photos
#    predicted as daisy) in both runs, then try `class_weight` in `model.fit` on the reduced copy.
# 4. **An audit of your own.** Point the seven functions at another folder with one sub-folder per class, for
#    instance photos from your phone, and add one check of your own to the checklist, such as the smallest width
#    and height among the photos.
