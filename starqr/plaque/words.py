"""Where a Chinese name may break onto the next line of a plaque: only between words.

A personal name never breaks (the caller shrinks it to fit). An organisation name breaks
only at word boundaries that jieba finds, with two rules for the Mongolian place and
personal names that jieba cannot know ("阿拉腾宝力格" comes out as 阿拉/腾/宝/力/格):

- unit words (嘎查, 苏木, 党支部, 有限公司...) are words of their own;
- a stretch between unit words that jieba can only explain with some single characters
  is a transliterated name and stays whole: no break inside it.
"""

import functools
import logging

# Words a banner's organisation names are built from; jieba's dictionary lacks several.
UNIT_WORDS = (
    "嘎查",
    "苏木",
    "村",
    "镇",
    "嘎查村",
    "党支部",
    "党总支",
    "党委",
    "工委",
    "社区",
    "委员会",
    "有限公司",
    "有限责任公司",
    "专业合作社",
    "合作社",
    "协会",
    "总会",
    "中心",
    "办公室",
    "服务中心",
    "分局",
)
# Single characters that are words in their own right between two proper words.
FUNCTION_CHARACTERS = set("和与及")


@functools.lru_cache(maxsize=1)
def _tokenizer():
    # jieba (and its dictionary) loads only when a name must be broken into lines
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in UNIT_WORDS:
        tokenizer.add_word(word, freq=10**6)
    return tokenizer


def _pieces(text):
    """TEXT cut around its unit words (longest first, left to right): [(piece, is_unit_word)]."""
    pieces, stretch, i = [], "", 0
    longest_first = sorted(UNIT_WORDS, key=len, reverse=True)
    while i < len(text):
        word = next((w for w in longest_first if text.startswith(w, i)), None)
        if word:
            if stretch:
                pieces.append((stretch, False))
                stretch = ""
            pieces.append((word, True))
            i += len(word)
        else:
            stretch += text[i]
            i += 1
    if stretch:
        pieces.append((stretch, False))
    return pieces


def _chunks(stretch):
    """jieba's words of a stretch; if jieba can only explain it with single characters anywhere,
    it is a transliterated name and stays whole."""
    tokens = [token for token in _tokenizer().cut(stretch, HMM=False) if token]
    if any(len(token) == 1 and token not in FUNCTION_CHARACTERS for token in tokens):
        return [stretch]
    return tokens


@functools.lru_cache(maxsize=4096)
def break_points(text):
    """Positions (1..len-1) where TEXT may be cut into lines, as a sorted tuple."""
    if len(text) < 2:
        return ()
    chunks = []
    for piece, is_unit in _pieces(text):
        chunks.extend([piece] if is_unit else _chunks(piece))
    points, position = [], 0
    for chunk in chunks[:-1]:
        position += len(chunk)
        points.append(position)
    return tuple(points)


def lines_at(text, cuts):
    bounds = (0,) + tuple(cuts) + (len(text),)
    return [text[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]
