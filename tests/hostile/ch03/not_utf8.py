# %% [solution] count_photos
def count_photos(data_dir, class_names):
    return {"daisy": 1}
# été (saved as Latin-1, not UTF-8)
