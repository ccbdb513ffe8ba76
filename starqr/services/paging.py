"""One window of a listing: the rows a page shows, and how many there are in all."""


def rows(query, limit, offset=None):
    """LIMIT rows of QUERY from OFFSET, as a list."""
    return list(query.limit(limit).offset(offset))


def window(query, limit, offset):
    """(rows, total): LIMIT rows of QUERY from OFFSET, and the number of rows QUERY has."""
    return rows(query, limit, offset), query.count()
