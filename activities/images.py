"""Safe handling of uploaded photos: what gets in, and what is stored.

An upload is checked in order of cost: its byte size, the image header (format and pixel count,
read before any decoding), a structural verify, then a full decode. Only what passes is
re-encoded, with EXIF orientation applied, its colours converted to sRGB and every piece of
metadata (ICC profile, EXIF with GPS, XMP, comments, text chunks) left behind, so the stored
original is our own clean file.

Safety comes from the decode and re-encode, not from searching the bytes: a file that is not a
decodable JPEG/PNG/WebP/HEIC is refused, and what is stored is pixels we encoded ourselves, so
nothing the uploader appended or hid in metadata survives. (Searching the upload for "<svg"
refused about one valid photo in 120 by chance: compressed data holds any four bytes somewhere.)
"""

import contextlib
import io
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from .errors import ImageRefused

try:  # iPhones upload HEIC; without pillow-heif those files are refused as unsupported.
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - pillow-heif is in requirements.txt
    HEIC_SUPPORTED = False

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
DISPLAY_SIZES = (320, 1600)

# Pillow format name -> (format we store, file extension). HEIC becomes JPEG: browsers cannot show it.
_STORED_AS = {
    "JPEG": ("JPEG", ".jpg"),
    "PNG": ("PNG", ".png"),
    "WEBP": ("WEBP", ".webp"),
}
if HEIC_SUPPORTED:
    _STORED_AS["HEIF"] = ("JPEG", ".jpg")
ALLOWED_FORMATS = tuple(_STORED_AS)

# Real colour profiles are a few KB (a printer's rarely 1 MB); a bigger one is not a camera's and
# is ignored (the pixels are taken as sRGB) rather than parsed.
MAX_ICC_BYTES = 1024 * 1024
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))

# Never decode a file Pillow itself considers cut short.
ImageFile.LOAD_TRUNCATED_IMAGES = False


@dataclass(frozen=True)
class CleanImage:
    """An accepted upload, re-encoded without metadata, ready to store."""

    content: bytes
    extension: str
    width: int
    height: int


def _unsupported() -> ImageRefused:
    formats = "JPEG、PNG、WebP" + ("、HEIC" if HEIC_SUPPORTED else "")
    return ImageRefused(_("不是支持的图片格式（只接受 %(formats)s 照片）。") % {"formats": formats})


def _damaged() -> ImageRefused:
    return ImageRefused(_("图片已损坏或不完整，请重新导出后上传。"))


def _too_many_pixels(width: int, height: int) -> ImageRefused:
    return ImageRefused(
        _("图片尺寸过大（%(width)s×%(height)s 像素），单张照片不能超过 %(limit)s 万像素。")
        % {"width": width, "height": height, "limit": MAX_PIXELS // 10_000}
    )


def _open(data: bytes) -> Image.Image:
    """Open the header only: format and size are known, no pixel is decoded yet."""
    with warnings.catch_warnings():
        # Pillow warns from 89 MP; our own limit is far lower and is checked right after.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            return Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        except Image.DecompressionBombError as exc:
            raise ImageRefused(
                _("图片尺寸过大，单张照片不能超过 %(limit)s 万像素。") % {"limit": MAX_PIXELS // 10_000}
            ) from exc
        except UnidentifiedImageError as exc:
            raise _unsupported() from exc
        except Exception as exc:  # Plugins raise SyntaxError, OSError, ValueError, struct.error on junk.
            raise _damaged() from exc


def _read(upload: UploadedFile) -> bytes:
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ImageRefused(_("文件超过 %(limit)s MB，请压缩后再上传。") % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)})
    upload.seek(0)
    # Read one byte past the limit: a wrong declared size cannot smuggle a bigger file in.
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageRefused(_("文件超过 %(limit)s MB，请压缩后再上传。") % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)})
    if not data:
        raise ImageRefused(_("文件是空的。"))
    return data


def _decode(data: bytes) -> Image.Image:
    """Check the header's size, verify the structure, then decode every pixel."""
    probe = _open(data)
    width, height = probe.size
    if width < 1 or height < 1:
        raise _damaged()
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(width, height)
    try:
        probe.verify()
    except Exception as exc:
        raise _damaged() from exc
    # verify() leaves the image unusable: reopen for the real decode, letting the probe (and the
    # metadata it read, up to the whole file) go first.
    probe.close()
    del probe
    image = _open(data)
    try:
        image.load()
    except Exception as exc:  # Truncated data raises OSError here.
        raise _damaged() from exc
    return image


def _is_srgb(profile: ImageCms.ImageCmsProfile) -> bool:
    try:
        return "srgb" in ImageCms.getProfileDescription(profile).lower()
    except ImageCms.PyCMSError:
        return False


def to_srgb(image: Image.Image) -> Image.Image:
    """The pixels in sRGB, converted through the image's own colour profile when it has another
    (Display P3 from a phone, Adobe RGB, a CMYK print profile); the profile itself is not kept.

    A profile that is missing, oversized, unreadable or already sRGB leaves the pixels as they are.
    """
    icc = image.info.get("icc_profile")
    if not icc or len(icc) > MAX_ICC_BYTES or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if _is_srgb(source):
            return image
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            image, source, _SRGB, renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode=output_mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # A broken profile must not cost the teacher the photo: its pixels as they are.
    return converted if converted is not None else image


def _for_storage(image: Image.Image, stored_format: str) -> tuple[Image.Image, dict]:
    """The pixels in sRGB and a mode the stored format keeps, and the only info worth keeping."""
    transparency = image.info.get("transparency")
    image = to_srgb(image)
    if stored_format == "JPEG" and image.mode not in ("L", "RGB"):
        # CMYK and alpha JPEGs become plain RGB.
        image = flatten_to_rgb(image)
    elif stored_format == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() or transparency is not None else "RGB")
    # Only PNG transparency is carried over: no colour profile (the pixels are sRGB now), no EXIF,
    # GPS, XMP, comments, text chunks or maker notes.
    image.info = {}
    params: dict = {}
    if stored_format == "PNG" and transparency is not None:
        params["transparency"] = transparency
    if stored_format == "JPEG":
        params["quality"] = 92
    elif stored_format == "WEBP":
        params["quality"] = 90
    return image, params


def clean_upload(upload: UploadedFile) -> CleanImage:
    """Accept a JPEG, PNG, WebP or HEIC photo and re-encode it clean, or raise ImageRefused.

    Nothing is written anywhere: the caller stores `content` under a random name.
    """
    data = _read(upload)
    image = _decode(data)
    stored_format, extension = _STORED_AS[image.format]
    # A broken orientation tag must not cost the teacher the photo.
    with contextlib.suppress(Exception):
        ImageOps.exif_transpose(image, in_place=True)
    image, params = _for_storage(image, stored_format)
    image.info = {}  # the original's metadata (an ICC profile may be megabytes) is not needed any more
    output = io.BytesIO()
    try:
        image.save(output, stored_format, **params)
    except Exception as exc:
        raise _damaged() from exc
    return CleanImage(content=output.getvalue(), extension=extension, width=image.width, height=image.height)


def flatten_to_rgb(image: Image.Image) -> Image.Image:
    """Any mode as 8-bit RGB: 16-bit greys scaled down, transparency laid on white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode != "RGB":
        return image.convert("RGB")
    return image


def _fit(size: tuple[int, int], box: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, box / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def display_renditions(source: BinaryIO, sizes: tuple[int, ...] = DISPLAY_SIZES) -> dict[int, bytes]:
    """JPEGs whose longer side is at most each size, from one decode of a stored original.

    A JPEG original is decoded at the smallest DCT scale still covering the largest size
    (`draft`: for 1600 px out of 4000×3000 that is half scale, a quarter of the pixels), then
    resampled with LANCZOS; each smaller size is resampled from the one above it rather than
    decoded again. Decoding dominates the cost, so this is no slower than decoding afresh for
    each size (bench/photos.py measures it); the old 2x draft meant a full-scale decode. The
    pixels differ from a full decode resampled with LANCZOS by far less than the q82 encoding.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(source, formats=ALLOWED_FORMATS)
    original_size = image.size
    image.draft("RGB", _fit(original_size, max(sizes)))
    current = flatten_to_rgb(image)
    renditions = {}
    for size in sorted(sizes, reverse=True):
        # Targets come from the original's size, so rounding in a larger rendition does not carry over.
        target = _fit(original_size, size)
        if current.size != target:
            current = current.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
        output = io.BytesIO()
        current.save(output, "JPEG", quality=82, optimize=True, progressive=True)
        renditions[size] = output.getvalue()
    return renditions
