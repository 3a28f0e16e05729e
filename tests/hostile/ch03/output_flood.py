# 24 MB on stdout from the cell, and 1.3 MB on descriptor 2 and stdout from inside the function;
# the function is otherwise the answer key's.
import os

for _ in range(20):
    print("flood " * 200_000)

_count_photos = count_photos


def count_photos(data_dir, class_names):
    os.write(2, b"stderr flood\n" * 100_000)
    print("stdout flood " * 100_000)
    return _count_photos(data_dir, class_names)
