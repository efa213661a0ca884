"""Cursors as a client might spoil them."""


def tampered(cursor: str) -> str:
    """The cursor with one character in its middle changed. Its middle, not its end: the last
    base64 character of an unpadded token carries bits the decoder drops, so changing the end can
    leave the decoded bytes, and the cursor, as they were."""
    middle = len(cursor) // 2
    return cursor[:middle] + ("A" if cursor[middle] != "A" else "B") + cursor[middle + 1:]
