"""Read the member card's barcode and QR code back out of their SVG, in plain Python.

Written from the symbologies' specifications (ISO/IEC 15417 Code 128, ISO/IEC 18004 QR),
not from the libraries that drew them, so a test that decodes what the page shows proves
a scanner would read the card number.
"""

from __future__ import annotations

import re

from barcode.charsets.code128 import CODES

# Code 128 ------------------------------------------------------------------------------------

#: The stop symbol with its termination bar, as the specification draws it.
STOP = "1100011101011"


def svg_bars(svg: str) -> str:
    """The module pattern of a one-path barcode SVG (``M{x} 0h{w}v…z`` per bar), quiet zones cut."""
    width = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))  # type: ignore[union-attr]
    modules = ["0"] * width
    for x, w in re.findall(r"M(\d+) 0h(\d+)v", svg):
        for i in range(int(x), int(x) + int(w)):
            modules[i] = "1"
    return "".join(modules).strip("0")


def decode_code128(modules: str) -> str:
    # Spot-check the pattern table against the specification before trusting it.
    assert CODES[0] == "11011001100" and CODES[105] == "11010011100" and CODES[99] == "10111011110"
    if not modules.endswith(STOP):
        raise ValueError("no stop pattern")
    body = modules[: -len(STOP)]
    values = [CODES.index(body[i : i + 11]) for i in range(0, len(body), 11)]
    start, data, check = values[0], values[1:-1], values[-1]
    if (start + sum(i * v for i, v in enumerate(data, 1))) % 103 != check:
        raise ValueError("bad check symbol")
    charset = {103: "A", 104: "B", 105: "C"}[start]
    out = []
    for v in data:
        if charset == "C" and v < 100:
            out.append(f"{v:02d}")
        elif v in (99, 100, 101) and (charset, v) not in (("C", 99), ("B", 100), ("A", 101)):
            charset = {99: "C", 100: "B", 101: "A"}[v]
        elif charset == "B" and v < 96:
            out.append(chr(v + 32))
        elif charset == "A" and v < 96:
            out.append(chr(v + 32) if v < 64 else chr(v - 64))
        else:
            raise ValueError(f"unsupported symbol {v} in set {charset}")
    return "".join(out)


# QR code --------------------------------------------------------------------------------------


def svg_qr_matrix(svg: str) -> list[list[bool]]:
    """Dark modules of a stroked QR path (``M x y.5 h n m dx dy …``), border removed."""
    size = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))  # type: ignore[union-attr]
    path = re.search(r'stroke="#000" d="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for cmd, args in re.findall(r"([MmHh])([-\d. ]+)", path):
        nums = [float(n) for n in args.split()]
        if cmd == "M":
            x, y = nums
        elif cmd == "m":
            x, y = x + nums[0], y + nums[1]
        else:
            for col in range(int(x), int(x + nums[0])):
                grid[int(y)][col] = True
            x += nums[0]
    dark = [r for r in range(size) if any(grid[r])]
    first, last = dark[0], dark[-1]
    return [row[first : last + 1] for row in grid[first : last + 1]]


_MASKS = (
    lambda x, y: (x + y) % 2 == 0,
    lambda x, y: y % 2 == 0,
    lambda x, y: x % 3 == 0,
    lambda x, y: (x + y) % 3 == 0,
    lambda x, y: (x // 3 + y // 2) % 2 == 0,
    lambda x, y: x * y % 2 + x * y % 3 == 0,
    lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
    lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
)
_EC_BITS = {"L": 1, "M": 0, "Q": 3, "H": 2}
#: Data codewords of the single-block versions: version → level → count.
_DATA_CODEWORDS = {1: {"L": 19, "M": 16, "Q": 13, "H": 9}, 2: {"L": 34, "M": 28, "Q": 22, "H": 16}}
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def decode_qr(m: list[list[bool]]) -> str:
    """Decode a version 1 or 2 QR matrix (``m[row][col]``): format, unmask, zigzag, segments."""
    size = len(m)
    version = (size - 17) // 4
    if version not in _DATA_CODEWORDS:
        raise ValueError(f"version {version} not supported here")
    level, mask = _format(m, size)
    function = _function_modules(size, version)
    bits: list[int] = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        for vert in range(size):
            for j in range(2):
                x = right - j
                y = size - 1 - vert if ((right + 1) & 2) == 0 else vert
                if not function[y][x]:
                    bits.append(int(m[y][x] ^ _MASKS[mask](x, y)))
        right -= 2
    data = bits[: 8 * _DATA_CODEWORDS[version][level]]
    return _segments(data)


def _format(m: list[list[bool]], size: int) -> tuple[str, int]:
    read = [m[8][size - 1 - i] for i in range(8)] + [m[size - 15 + i][8] for i in range(8, 15)]
    for level, ec in _EC_BITS.items():
        for mask in range(8):
            data = ec << 3 | mask
            rem = data
            for _ in range(10):
                rem = (rem << 1) ^ ((rem >> 9) * 0x537)
            word = (data << 10 | rem) ^ 0x5412
            if all(bool(word >> i & 1) == read[i] for i in range(15)):
                return level, mask
    raise ValueError("no valid format information")


def _function_modules(size: int, version: int) -> list[list[bool]]:
    f = [[False] * size for _ in range(size)]

    def box(r0: int, c0: int, r1: int, c1: int) -> None:
        for r in range(max(r0, 0), min(r1, size)):
            for c in range(max(c0, 0), min(c1, size)):
                f[r][c] = True

    box(0, 0, 9, 9)  # finder, separator and format area, top left
    box(0, size - 8, 9, size)  # top right
    box(size - 8, 0, size, 9)  # bottom left
    box(6, 0, 7, size)  # timing patterns
    box(0, 6, size, 7)
    if version == 2:
        box(16, 16, 21, 21)  # the one alignment pattern, centred on (18, 18)
    return f


def _segments(bits: list[int]) -> str:
    pos = 0

    def take(n: int) -> int:
        nonlocal pos
        value = int("".join(map(str, bits[pos : pos + n])) or "0", 2)
        pos += n
        return value

    out = []
    while pos + 4 <= len(bits):
        mode = take(4)
        if mode == 0:
            break
        if mode == 1:  # numeric: 3 digits in 10 bits
            count = take(10)
            for done in range(0, count, 3):
                n = min(3, count - done)
                out.append(f"{take({3: 10, 2: 7, 1: 4}[n]):0{n}d}")
        elif mode == 2:
            count = take(9)
            for done in range(0, count, 2):
                if count - done >= 2:
                    v = take(11)
                    out.append(_ALNUM[v // 45] + _ALNUM[v % 45])
                else:
                    out.append(_ALNUM[take(6)])
        elif mode == 4:
            count = take(8)
            out.append(bytes(take(8) for _ in range(count)).decode("utf-8"))
        else:
            raise ValueError(f"unsupported mode {mode}")
    return "".join(out)
