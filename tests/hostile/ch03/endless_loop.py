# A loop that never ends (on the first call: a second call returns nothing at once).
_calls = []


def find_unreadable(data_dir, class_names):
    _calls.append(1)
    while len(_calls) == 1:
        pass
