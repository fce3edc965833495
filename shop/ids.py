"""Row ids that come from outside (a URL, a form field)."""

# Primary keys are 32-bit INTEGER columns; PostgreSQL refuses a larger bound parameter with an
# error (a 500) instead of finding nothing, so such a number is checked before any query.
MAX_ROW_ID = 2**31 - 1


def is_row_id(value: int) -> bool:
    """Whether value could be a row's id at all."""
    return 0 < value <= MAX_ROW_ID
