# NaN for every ratio.
def balance_ratio(counts):
    return float("nan")
