# Tries the network: a listener on the grader's machine (the test opens one on 127.0.0.1:47611; no
# test reaches further). If it answers, the check says so.
import socket

_find_duplicates = find_duplicates


def find_duplicates(data_dir, class_names):
    try:
        socket.create_connection(("127.0.0.1", 47611), timeout=2).close()
    except OSError:
        return _find_duplicates(data_dir, class_names)
    raise RuntimeError("reached the grader's machine over the network")
