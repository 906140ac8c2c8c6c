"""How small p3's PNGs are against zlib's fastest level (make bench BENCH=render).

For each PNG named on the command line: the bytes of its image data (the
zlib stream in its IDAT chunks, header and Adler-32 included) beside the
size zlib level 1 makes of the same rows, inflated from the file, as one
stream with zlib's defaults (compress2 at level 1). One line per file, then
the totals; the ratio is ours over zlib's, so at most 1 meets the target.
Exits 1 when a file is not a PNG or its image data does not inflate.

    python3 bench/png_idat.py FILE.png...
"""
import struct
import sys
import zlib


def idat_stream(path):
    """The concatenated IDAT data of the PNG at path."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    at, stream = 8, []
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            stream.append(data[at + 8:at + 8 + length])
        at += 12 + length
    return b"".join(stream)


def main(paths):
    ours_total = zlib_total = 0
    for path in paths:
        try:
            stream = idat_stream(path)
            rows = zlib.decompress(stream)
        except (OSError, ValueError, zlib.error) as e:
            print(f"png_idat: {path}: error: {e}", file=sys.stderr)
            return 1
        level1 = len(zlib.compress(rows, 1))
        ours_total += len(stream)
        zlib_total += level1
        print(f"{path}: IDAT {len(stream)} bytes, zlib -1 {level1} bytes, "
              f"ratio {len(stream) / level1:.4f}")
    if zlib_total:
        print(f"total ({len(paths)} files): IDAT {ours_total} bytes, zlib -1 "
              f"{zlib_total} bytes, ratio {ours_total / zlib_total:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
