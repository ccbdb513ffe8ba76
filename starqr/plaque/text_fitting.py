"""Fitting a plaque's text into its box: the largest size and the line (Chinese) or column
(vertical Mongolian) breaks that fit, breaking only between words."""

import itertools

from starqr.plaque import fonts, words


def balanced_lines(text, count, breakable=True):
    """Split Chinese text into `count` lines of nearly equal width, breaking only between words.

    Personal names (breakable=False) never break; nor does a name with too few word
    boundaries: the caller then shrinks it onto fewer lines (see starqr/plaque/words.py).
    """
    if count <= 1 or not breakable or len(text) < 2 * count or len(text) <= 4:
        return [text]  # short names (most personal names) stay on one line
    points = words.break_points(text)
    if len(points) < count - 1:
        return [text]
    best, best_cost = None, None
    for cuts in itertools.combinations(points, count - 1):
        lines = words.lines_at(text, cuts)
        # the longest line decides; a line should not end or start on 和/与/及
        cost = max(len(line) for line in lines) * 3 + sum(
            (line[-1] in words.FUNCTION_CHARACTERS) + (line[0] in words.FUNCTION_CHARACTERS) for line in lines
        )
        if best_cost is None or cost < best_cost:
            best, best_cost = lines, cost
    return best


def fit_horizontal(text, script, max_width, max_height, max_size, max_lines=2, line_gap=0.25, breakable=True):
    """Largest size (≤ max_size) and lines that fit the box; None if nothing readable fits."""
    if not text:
        return max_size, []
    best = None
    for lines_count in range(1, max_lines + 1):
        lines = balanced_lines(text, lines_count, breakable)
        if len(lines) != lines_count:
            continue
        widest = max(fonts.text_width(script, line, 1) for line in lines)
        size = min(max_size, max_width / widest, max_height / (lines_count + line_gap * (lines_count - 1)))
        # Fewer lines read better: another line must buy a clearly larger size.
        score = size * (1 - 0.15 * (lines_count - 1))
        if best is None or score > best[0]:
            best = (score, size, lines)
    return best[1], best[2]


def _mongolian_columns(text, size, max_length):
    """Break Mongolian text at spaces into columns no longer than max_length."""
    words = text.split(" ")
    columns, current = [], ""
    for word in words:
        candidate = (current + " " + word) if current else word
        if current and fonts.text_width("mn", candidate, size) > max_length:
            columns.append(current)
            current = word
        else:
            current = candidate
    if current:
        columns.append(current)
    return columns


def fit_vertical(text, max_length, max_width, max_size, max_columns=2, column_gap=0.3):
    """Largest size and columns for vertical Mongolian inside a box (length is the height)."""
    if not text:
        return max_size, []
    ascent, descent = fonts.metrics("mn")
    em_width = ascent + descent
    size = max_size
    while size > max_size * 0.2:
        columns = _mongolian_columns(text, size, max_length)
        longest = max(fonts.text_width("mn", column, size) for column in columns)
        total_width = len(columns) * em_width * size + (len(columns) - 1) * column_gap * size
        if len(columns) <= max_columns and longest <= max_length and total_width <= max_width:
            return size, columns
        size *= 0.93
    return size, _mongolian_columns(text, size, max_length)
