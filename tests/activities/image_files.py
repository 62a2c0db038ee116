"""Files a phone, a careless user or an attacker might upload, built here with Pillow and zlib."""

import io
import random
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


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + _s15(x) + _s15(y) + _s15(z)


def rgb_icc_profile(description: str = "Swapped primaries", *, swap_red_green: bool = True, pad_to: int = 0) -> bytes:
    """A minimal ICC v2 RGB display profile. With swap_red_green its red primary is sRGB's green
    (and the other way round), so converting through it to sRGB visibly moves red to green."""
    red, green, blue = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)
    if swap_red_green:
        red, green = green, red
    text = description.encode("ascii") + b"\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + b"\0" * (4 + 4 + 2 + 1 + 67)
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"
    tags = [
        (b"desc", desc),
        (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz(*red)),
        (b"gXYZ", _xyz(*green)),
        (b"bXYZ", _xyz(*blue)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text\0\0\0\0test\0\0\0\0"),
    ]
    if pad_to:
        tags.append((b"zzzz", b"zzzz\0\0\0\0" + b"\0" * pad_to))
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + b"\0\0\0\0"
        + b"\x02\x10\0\0"
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 24
        + b"\0\0\0\0"
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
        + b"\0" * 48
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def xmp_packet() -> bytes:
    return (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="Chongqing"/></rdf:RDF>'
        b'</x:xmpmeta><?xpacket end="w"?>'
    )


def random_photo(size: tuple[int, int], seed: int, quality: int = 95) -> bytes:
    """A JPEG of random pixels: compressed data as close to random bytes as a photo gets."""
    noise = random.Random(seed).randbytes(size[0] * size[1] * 3)
    output = io.BytesIO()
    Image.frombytes("RGB", size, noise).save(output, "JPEG", quality=quality)
    return output.getvalue()


def pdf_bytes(
    pages: int = 1, *, javascript: bool = False, embedded_file: bool = False, open_action: bool = False
) -> bytes:
    """A real PDF made with pypdf, optionally with the active content certificates may not carry."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if javascript:
        # A document-level script in the /Names /JavaScript tree, as Acrobat writes one.
        script = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('hi');")}
        )
        tree = DictionaryObject(
            {NameObject("/Names"): ArrayObject([TextStringObject("hello"), writer._add_object(script)])}
        )
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    if embedded_file:
        writer.add_attachment("payload.html", b"<script>alert(1)</script>")
    if open_action:
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def pdf_content_bomb(megabytes: int = 768) -> bytes:
    """A one-page PDF of about a megabyte whose content stream inflates to `megabytes` of spaces.

    It passes the document checks (nothing active, one page), but rendering it needs the whole
    stream in memory: more than the certificate renderer's limit, so PDFium gives up.
    """
    compressor = zlib.compressobj(1)
    chunk = b" " * (1 << 20)
    stream = b"".join(compressor.compress(chunk) for _ in range(megabytes)) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> /Contents 4 0 R >>",
        b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    output = io.BytesIO()
    output.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(output.tell())
        output.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = output.tell()
    output.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    output.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    output.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return output.getvalue()
