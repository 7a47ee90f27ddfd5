#!/usr/bin/python3
"""Second code points for the characters beyond U+FFFF of the subset font (build step).

Dear ImGui as Debian builds it stores characters in 16 bits, so it cannot draw 𫖯 (U+2B5AF) or any
other character beyond U+FFFF. The kiosk draws them through the Private Use Area instead: the
n-th such character of the font, in code point order, also answers to U+E000 + n (same glyph).
The printer and escpos2png keep using the real code points. The kiosk finds the pairs by glyph
in the font itself (shell/fonts.cpp), so this file and the program cannot disagree.

usage: add_pua.py FONT.otf   (rewritten in place)
"""
import sys

from fontTools.ttLib import TTFont

PUA_FIRST, PUA_LAST = 0xE000, 0xF8FF


def main(path):
    font = TTFont(path)
    best = font.getBestCmap()
    beyond = sorted(cp for cp in best if cp > 0xFFFF)
    if len(beyond) > PUA_LAST - PUA_FIRST + 1:
        sys.exit(f"add_pua.py: {len(beyond)} characters beyond U+FFFF do not fit the Private Use Area")
    if any(PUA_FIRST <= cp <= PUA_LAST for cp in best):
        sys.exit("add_pua.py: the font already maps the Private Use Area; subset it without")
    extra = {PUA_FIRST + n: best[cp] for n, cp in enumerate(beyond)}
    for table in font["cmap"].tables:
        if table.isUnicode() and table.format in (4, 12):
            table.cmap.update(extra)
    font.save(path)
    print(f"add_pua.py: {len(extra)} characters beyond U+FFFF also at U+{PUA_FIRST:04X}..U+{PUA_FIRST + len(extra) - 1:04X}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
