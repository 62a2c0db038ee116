"""What is stored of a photo: sRGB pixels we encoded ourselves, with no ICC, EXIF, XMP, comment or
text chunk; memory per upload bounded; safety from decoding, so no valid photo is refused by chance."""

import gc
import io
import tracemalloc

import pytest
from PIL import Image, PngImagePlugin

from activities import achievement_services, images
from tests.activities import image_files as files
from tests.activities.test_achievement_views import recorded

# Byte patterns of each kind of metadata in the container formats we store.
METADATA_MARKERS = [b"Exif\0\0", b"ICC_PROFILE", b"http://ns.adobe.com/xap/1.0/", b"xmpmeta", b"acsp", b"Chongqing"]


def _jpeg(colour=(255, 0, 0), size=(64, 48), **params) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, "JPEG", quality=95, **params)
    return output.getvalue()


def _stored(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def _assert_no_metadata(content: bytes) -> None:
    image = _stored(content)
    assert not set(image.info) & {"icc_profile", "exif", "xmp", "XML:com.adobe.xmp", "comment", "Comment"}
    # What the decoders report about the container itself (JFIF density, WebP's animation fields).
    structural = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "background", "duration", "loop"}
    assert not set(image.info) - structural - {"timestamp"}
    assert not any(marker in content for marker in METADATA_MARKERS)
    assert not image.getexif()


def test_a_photo_in_another_colour_space_is_converted_to_srgb_and_its_profile_dropped():
    # Red under a profile whose red primary is sRGB's green: the colour the camera meant is green.
    clean = images.clean_upload(files.upload("p3.jpg", _jpeg(icc_profile=files.rgb_icc_profile())))

    image = _stored(clean.content)
    red, green, blue = image.getpixel((10, 10))
    assert green > 240 and red < 15 and blue < 15
    _assert_no_metadata(clean.content)


def test_an_srgb_profile_is_dropped_and_the_pixels_kept():
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    clean = images.clean_upload(files.upload("s.jpg", _jpeg(icc_profile=srgb)))

    assert _stored(clean.content).getpixel((10, 10))[0] > 240
    _assert_no_metadata(clean.content)


def test_an_8_mb_colour_profile_is_not_stored_and_memory_stays_bounded():
    data = _jpeg(icc_profile=files.rgb_icc_profile(pad_to=8 * 1024 * 1024))
    assert len(data) > 8 * 1024 * 1024

    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        for _ in range(3):
            tracemalloc.reset_peak()
            clean = images.clean_upload(files.upload("big-icc.jpg", data))
            gc.collect()
            current, peak = tracemalloc.get_traced_memory()
            # The file itself, read once, and what Pillow reads of it: about three copies at the peak.
            assert peak - baseline < 4 * len(data)
            # Nothing stays behind from one upload to the next.
            assert current - baseline < 1024 * 1024
    finally:
        tracemalloc.stop()
    assert len(clean.content) < 20_000  # a 64×48 photo, not 8 MB
    _assert_no_metadata(clean.content)


def test_no_exif_xmp_comment_or_profile_survives_a_jpeg():
    exif = files.gps_exif()
    data = _jpeg(exif=exif.tobytes(), icc_profile=files.rgb_icc_profile(), comment=b"<svg onload=alert(1)>")
    data = data[:2] + _app1_xmp(files.xmp_packet()) + data[2:]
    assert b"<svg" in data and b"xmpmeta" in data and b"Exif" in data

    clean = images.clean_upload(files.upload("all-metadata.jpg", data))

    _assert_no_metadata(clean.content)
    assert b"<svg" not in clean.content


def _app1_xmp(packet: bytes) -> bytes:
    body = b"http://ns.adobe.com/xap/1.0/\0" + packet
    return b"\xff\xe1" + (len(body) + 2).to_bytes(2, "big") + body


def test_no_text_chunk_profile_or_exif_survives_a_png():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<svg onload=alert(1)>")
    info.add_text("XML:com.adobe.xmp", files.xmp_packet().decode(), zip=True)
    info.add_itxt("Author", "张玺 Chongqing")
    output = io.BytesIO()
    image = Image.new("RGB", (40, 30), (0, 0, 255))
    image.save(output, "PNG", pnginfo=info, icc_profile=files.rgb_icc_profile(), exif=files.gps_exif().tobytes())
    data = output.getvalue()

    clean = images.clean_upload(files.upload("meta.png", data))

    chunks = _png_chunk_types(clean.content)
    assert chunks & {b"tEXt", b"zTXt", b"iTXt", b"iCCP", b"eXIf", b"sRGB"} == set()
    assert b"<svg" not in clean.content and b"Chongqing" not in clean.content


def _png_chunk_types(data: bytes) -> set[bytes]:
    types, position = set(), 8
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        types.add(data[position + 4 : position + 8])
        position += 12 + length
    return types


def test_no_metadata_survives_a_webp():
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 128, 0)).save(
        output, "WEBP", icc_profile=files.rgb_icc_profile(), exif=files.gps_exif().tobytes(), xmp=files.xmp_packet()
    )

    clean = images.clean_upload(files.upload("meta.webp", output.getvalue()))

    assert clean.extension == ".webp"
    assert b"ICCP" not in clean.content and b"EXIF" not in clean.content and b"XMP " not in clean.content
    _assert_no_metadata(clean.content)


def test_a_polyglot_keeps_its_pixels_and_loses_the_page_appended_to_it():
    clean = images.clean_upload(files.upload("polyglot.jpg", files.jpeg_with_html_appended()))
    assert b"<html" not in clean.content and b"<script" not in clean.content
    assert (clean.width, clean.height) == (200, 150)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_large_random_content_photos_are_all_accepted(seed):
    # Photos of pure noise are as close to random bytes as photos get: about 5 MB each, so the odds
    # of four given bytes somewhere are those of a phone photo. Safety is the decode, never a scan.
    data = files.random_photo((2400, 1800), seed)
    assert len(data) > 4 * 1024 * 1024

    clean = images.clean_upload(files.upload(f"noise-{seed}.jpg", data))

    assert (clean.width, clean.height) == (2400, 1800)
    _assert_no_metadata(clean.content)


def test_a_valid_photo_containing_markup_bytes_is_accepted():
    # The 4 bytes "<svg" inside a valid photo (here in its comment) no longer refuse it.
    data = _jpeg(size=(320, 240), comment=b"<SVG> <script>")
    clean = images.clean_upload(files.upload("by-chance.jpg", data))
    assert b"<svg" not in clean.content.lower()


def test_a_certificate_photo_is_stored_without_its_profile(teacher, media_root):
    data = _jpeg(icc_profile=files.rgb_icc_profile(pad_to=2 * 1024 * 1024), exif=files.gps_exif().tobytes())

    achievement = recorded(teacher, certificate=files.upload("证书.jpg", data))

    stored = achievement.certificate.read()
    assert len(stored) < 20_000
    _assert_no_metadata(stored)
    assert achievement_services.MAX_CERTIFICATE_BYTES == images.MAX_UPLOAD_BYTES
