"""The shipped plaque font draws every name StarQR knows of, and refuses, before printing, one it cannot."""

import pathlib
import re

import pytest

from starqr.fonts import build_fonts
from starqr.plaque import LayoutError, fonts, render_plaque
from tests.helpers import plaque_content

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
HANZI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MONGOLIAN = re.compile(r"[\u1800-\u18af]")


def _characters_in(paths, pattern):
    chars = set()
    for path in paths:
        chars.update(pattern.findall(path.read_text(encoding="utf-8")))
    return chars


def test_every_gb2312_hanzi_is_drawable():
    wanted = build_fonts.gb2312_hanzi()
    assert len(wanted) == 6763  # GB 18030 level 1 (3,755) + level 2 (3,008)
    assert fonts.undrawable("zh", "".join(sorted(wanted))) == ""


def test_every_name_in_the_demo_and_the_tests_is_drawable():
    sources = [
        REPOSITORY / "starqr" / "services" / "demo_names.py",
        REPOSITORY / "starqr" / "services" / "demo.py",
        *sorted((REPOSITORY / "tests").rglob("*.py")),
    ]
    hanzi = _characters_in(sources, HANZI)
    missing = fonts.undrawable("zh", "".join(sorted(hanzi)))
    assert missing == "", f"add {missing} to the font: python starqr/fonts/build_fonts.py (see its docstring)"
    mongolian = _characters_in(sources, MONGOLIAN)
    assert fonts.undrawable("mn", "".join(sorted(mongolian))) == ""


def test_demo_names_draw():
    from starqr.services import demo_names

    texts = [value for value in vars(demo_names).values() if isinstance(value, (str, list, tuple))]
    flat = "".join(v if isinstance(v, str) else "".join(x for x in v if isinstance(x, str)) for v in texts)
    assert fonts.undrawable("zh", "".join(HANZI.findall(flat))) == ""


@pytest.mark.parametrize("fmt", ["pdf", "png", "svg"])
def test_a_name_the_font_lacks_is_refused_before_printing(fmt):
    # 𪚥 (U+2A6A5, four dragons) is outside GB 18030's level 1 and 2 and not shipped.
    content = plaque_content("ABCDE12345", "member", ("王𪚥", ""), ("仁宝勒格嘎查党支部", ""))
    with pytest.raises(LayoutError, match="中的 𪚥"):
        render_plaque(content, fmt, "card-85x54")


def test_font_is_small_enough():
    size = (REPOSITORY / "starqr" / "fonts" / "NotoSerifSC-Bold-subset.ttf").stat().st_size
    assert size < 7 * 1024 * 1024
