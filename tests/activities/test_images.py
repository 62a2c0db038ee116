"""The bad-upload set against the image checks: each file gets the right outcome and message."""

import io

import pytest
from PIL import ExifTags, Image

from activities import images
from activities.errors import ImageRefused
from tests.activities import image_files as files


def _stored(clean: images.CleanImage) -> Image.Image:
    return Image.open(io.BytesIO(clean.content))


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        ("notes.jpg", files.text_as_jpeg, "不是支持的图片格式"),
        ("half.jpg", files.truncated_jpeg, "损坏或不完整"),
        ("bomb.png", lambda: files.huge_bilevel_png(20000, 20000), "尺寸过大"),
        ("120mp.png", lambda: files.huge_bilevel_png(12000, 10000), "12000×10000"),
        ("page.jpg", files.html_with_jpeg_header, "不是支持的图片格式"),
        ("logo.svg", files.svg_with_script, "不是支持的图片格式"),
        ("huge.jpg", lambda: files.over_size_limit(images.MAX_UPLOAD_BYTES), "超过 15 MB"),
        ("empty.jpg", lambda: b"", "文件是空的"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(name, build, message):
    with pytest.raises(ImageRefused) as refused:
        images.clean_upload(files.upload(name, build()))
    assert message in refused.value.message


def test_120_megapixel_png_is_under_pillows_own_limit_but_over_ours():
    # Pillow only warns between 89 and 178 MP; our 40 MP limit must still refuse it before decoding.
    pixels = 12000 * 10000
    assert images.MAX_PIXELS < pixels < 2 * Image.MAX_IMAGE_PIXELS


def test_svg_without_markup_markers_is_still_not_an_image():
    svg = b'<?xml version="1.0"?><s:svg xmlns:s="http://www.w3.org/2000/svg" width="10" height="10"/>'
    with pytest.raises(ImageRefused) as refused:
        images.clean_upload(files.upload("x.svg", svg))
    assert "不是支持的图片格式" in refused.value.message


@pytest.mark.parametrize(
    ("name", "build", "extension", "size"),
    [
        ("photo.jpg", lambda: files.jpeg_bytes((800, 600)), ".jpg", (800, 600)),
        ("cmyk.jpg", lambda: files.jpeg_bytes((640, 480), mode="CMYK"), ".jpg", (640, 480)),
        ("scan.png", files.sixteen_bit_png, ".png", (300, 200)),
        ("shot.webp", files.webp_bytes, ".webp", (400, 300)),
        ("IMG_0001.HEIC", files.heic_bytes, ".jpg", (400, 300)),
    ],
)
def test_good_files_are_accepted_and_re_encoded(name, build, extension, size):
    clean = images.clean_upload(files.upload(name, build()))
    assert (clean.extension, (clean.width, clean.height)) == (extension, size)
    stored = _stored(clean)
    stored.load()
    assert stored.size == size


def test_cmyk_jpeg_is_stored_as_rgb():
    clean = images.clean_upload(files.upload("cmyk.jpg", files.jpeg_bytes((64, 64), mode="CMYK")))
    assert _stored(clean).mode == "RGB"


def test_sixteen_bit_png_keeps_its_depth_and_makes_visible_display_sizes():
    source = files.sixteen_bit_png()
    assert Image.open(io.BytesIO(source)).mode == "I;16"
    clean = images.clean_upload(files.upload("scan.png", source))
    assert _stored(clean).mode.startswith("I")
    small = Image.open(io.BytesIO(images.display_renditions(io.BytesIO(clean.content))[320]))
    assert small.mode in ("L", "RGB")
    assert small.convert("L").getextrema()[1] > 100  # the bright line did not turn black


def test_gps_and_all_exif_are_stripped_and_orientation_applied():
    source = files.jpeg_bytes((400, 200), exif=files.gps_exif(orientation=6))
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    clean = images.clean_upload(files.upload("gps.jpg", source))
    stored = _stored(clean)
    assert stored.size == (200, 400)  # rotated upright: orientation 6 is a quarter turn
    assert dict(stored.getexif()) == {}
    assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert "exif" not in stored.info and b"Exif" not in clean.content and b"Phone" not in clean.content


def test_stored_original_is_our_own_encoding_ending_at_the_jpeg_end_marker():
    # Whatever trailed the upload's image data is not carried over: only decoded pixels are.
    source = files.jpeg_bytes((200, 150)) + b"\x00trailing bytes of unknown purpose"
    clean = images.clean_upload(files.upload("ok.jpg", source))
    assert clean.content.startswith(b"\xff\xd8") and clean.content.endswith(b"\xff\xd9")


def test_display_renditions_fit_their_boxes():
    clean = images.clean_upload(files.upload("wide.jpg", files.jpeg_bytes((3200, 1800))))
    renditions = images.display_renditions(io.BytesIO(clean.content))
    sizes = {box: Image.open(io.BytesIO(data)).size for box, data in renditions.items()}
    assert sizes == {320: (320, 180), 1600: (1600, 900)}
    assert all(Image.open(io.BytesIO(data)).format == "JPEG" for data in renditions.values())


def test_display_renditions_of_a_grey_photo_decoded_at_reduced_scale_are_rgb_at_the_original_proportions():
    # A grey original decoded at half scale (1750×1167), then resampled to the original's proportions.
    clean = images.clean_upload(files.upload("grey.jpg", files.jpeg_bytes((3500, 2333), mode="L")))
    assert _stored(clean).mode == "L"
    renditions = {
        box: Image.open(io.BytesIO(data)) for box, data in images.display_renditions(io.BytesIO(clean.content)).items()
    }
    assert {box: (image.size, image.mode) for box, image in renditions.items()} == {
        320: ((320, 213), "RGB"),
        1600: ((1600, 1067), "RGB"),
    }
