# The answer written down instead of a function.
find_unreadable = ["roses/broken_download.jpg"]
