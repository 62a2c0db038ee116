"""Files a phone, a careless user or an attacker might upload, built here with Pillow and zlib."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg_bytes(size: tuple[int, int] = (800, 600), mode: str = "RGB", exif: Image.Exif | None = None) -> bytes:
    image = Image.new(mode, size, "white" if mode != "CMYK" else (0, 0, 0, 0))
    # A little structure, so the encoder has something to compress and resizing has edges.
    for x in range(0, size[0], 40):
        for y in range(size[1] // 3):
            image.putpixel((x, y), (200, 30, 30) if mode == "RGB" else image.getpixel((0, 0)))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=90, **({"exif": exif} if exif is not None else {}))
    return output.getvalue()


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.Base.Model] = "Camera 12"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (29.0, 33.0, 12.5),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (106.0, 34.0, 45.2),
    }
    return exif


def png_bytes(image: Image.Image) -> bytes:
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def sixteen_bit_png() -> bytes:
    image = Image.new("I;16", (300, 200))
    for x in range(300):
        image.putpixel((x, 50), x * 200)
    return png_bytes(image)


def webp_bytes() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 120, 200)).save(output, "WEBP")
    return output.getvalue()


def heic_bytes() -> bytes:
    import pillow_heif  # noqa: F401  (registers the HEIF plugin for saving)

    output = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 120, 200)).save(output, "HEIF")
    return output.getvalue()


def huge_bilevel_png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of any size in a few kilobytes: rows of zeros compress to almost nothing.

    Written chunk by chunk because Pillow would need a byte per pixel in memory to build it.
    """

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    data = jpeg_bytes((1200, 900))
    return data[: len(data) // 2]


def html_with_jpeg_header() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + (
        b"<html><body><script>alert(document.cookie)</script></body></html>"
    )


def jpeg_with_html_appended() -> bytes:
    """A polyglot: a JPEG that decodes, with a page after its end marker."""
    return jpeg_bytes((200, 150)) + b"<html><script>fetch('/steal?c='+document.cookie)</script></html>"


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        b"<script>alert(1)</script><rect width='100' height='100'/></svg>"
    )


def text_as_jpeg() -> bytes:
    return "这是一份会议记录，不是照片。\n".encode() * 20


def over_size_limit(limit: int) -> bytes:
    """A real JPEG padded past the limit with data after its end marker."""
    data = jpeg_bytes((100, 100))
    return data + b"\x00" * (limit + 1 - len(data))
