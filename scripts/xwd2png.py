#!/usr/bin/env python3
"""Converts an X window dump (XWD, e.g. the frame buffer file `Xvfb -fbdir DIR` keeps up to date) of a
24/32-bit TrueColor screen to PNG, and says whether the picture is blank.

usage: scripts/xwd2png.py SCREEN.xwd OUT.png
Prints "WIDTHxHEIGHT, N colours, top colour P%" and exits 0 when the picture shows something (at least
16 distinct colours and no single colour covering more than 98% of it), 1 when it is blank, 2 when
the file is not a dump this script reads.
"""
import struct
import sys
import zlib


def fail(msg, code=2):
    print(f"xwd2png: {msg}", file=sys.stderr)
    sys.exit(code)


def main():
    if len(sys.argv) != 3:
        fail("usage: xwd2png.py SCREEN.xwd OUT.png")
    data = open(sys.argv[1], "rb").read()
    if len(data) < 100:
        fail(f"{sys.argv[1]}: too short for an XWD header")
    # XWDFileHeader: 25 CARD32, always most significant byte first.
    h = struct.unpack(">25I", data[:100])
    (header_size, version, fmt, depth, width, height, _xoff, byte_order, _unit, _bit_order, _pad, bpp,
     bytes_per_line, _vclass, rmask, gmask, bmask, _bits_rgb, _cmap_entries, ncolors) = h[:20]
    if version != 7 or fmt != 2:
        fail(f"{sys.argv[1]}: not an XWD version 7 ZPixmap (version {version}, format {fmt})")
    if bpp != 32 or depth not in (24, 32):
        fail(f"{sys.argv[1]}: {depth}-bit depth at {bpp} bits per pixel is not supported (24/32 only)")
    offset = header_size + ncolors * 12
    if offset + bytes_per_line * height > len(data) or width * 4 > bytes_per_line:
        fail(f"{sys.argv[1]}: truncated ({len(data)} bytes for {width}x{height})")

    def shift(mask):
        return (mask & -mask).bit_length() - 1

    # Byte position of each channel inside a pixel's 4 bytes.
    order = "little" if byte_order == 0 else "big"
    pos = []
    for mask in (rmask, gmask, bmask):
        byte = shift(mask) // 8
        pos.append(byte if order == "little" else 3 - byte)

    raw = bytearray()
    counts = {}
    for y in range(height):
        row = data[offset + y * bytes_per_line: offset + y * bytes_per_line + width * 4]
        rgb = bytearray(width * 3)
        rgb[0::3] = row[pos[0]::4]
        rgb[1::3] = row[pos[1]::4]
        rgb[2::3] = row[pos[2]::4]
        raw += b"\x00" + rgb
        if y % 4 == 0:
            for x in range(0, width, 4):
                px = bytes(rgb[3 * x: 3 * x + 3])
                counts[px] = counts.get(px, 0) + 1

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(raw), 6)) + chunk(b"IEND", b"")
    with open(sys.argv[2], "wb") as f:
        f.write(png)

    sampled = sum(counts.values())
    top = max(counts.values()) / sampled if sampled else 1.0
    print(f"{width}x{height}, {len(counts)} colours, top colour {100 * top:.1f}%")
    sys.exit(0 if len(counts) >= 16 and top <= 0.98 else 1)


if __name__ == "__main__":
    main()
