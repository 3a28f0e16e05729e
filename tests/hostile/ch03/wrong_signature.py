# One argument too many.
def balance_ratio(counts, total):
    return min(counts.values()) / total
