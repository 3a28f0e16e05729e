# The function was renamed: one letter short.
count_photo = count_photos
del count_photos
