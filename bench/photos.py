"""Photos benchmark: the display sizes of a 12-megapixel JPEG against what Pillow can do at best.

"ours" is `activities.images.display_renditions`, the image work of the Celery task
`make_photo_display_sizes` (the task otherwise only reads the original and writes two small
files). The floor decodes the original afresh for each size at the smallest DCT scale that
still covers it (`draft`), resizes with LANCZOS and saves with our JPEG settings; the naive way
decodes at full scale for each size and lets `thumbnail` do the shrinking. All three are timed
in turn, so a noisy machine slows them alike.

Standalone: `python bench/photos.py [--repeats N]` prints the records as JSON.
"""

import io
import random
from typing import Any

from PIL import Image

PHOTO_SIZE = (4000, 3000)
ORIGINAL_QUALITY = 92  # what activities.images.clean_upload stores JPEG originals at
# What display_renditions saves with; the floor and the naive way must pay the same encoder.
DISPLAY_SAVE = {"quality": 82, "optimize": True, "progressive": True}


def _noise(rng: random.Random, cells: tuple[int, int], size: tuple[int, int]) -> Image.Image:
    """Random grey values on a grid of cells, smoothly stretched to `size`: one octave of texture."""
    grid = Image.frombytes("L", cells, rng.randbytes(cells[0] * cells[1]))
    return grid if grid.size == size else grid.resize(size, Image.Resampling.BICUBIC)


def _channel(rng: random.Random, size: tuple[int, int], angle: int) -> Image.Image:
    """Sky-like gradient, large shapes, mid-scale texture and a little sensor grain."""
    width, height = size
    gradient = Image.linear_gradient("L").rotate(angle).resize(size, Image.Resampling.BICUBIC)
    shapes = _noise(rng, (width // 250, height // 250), size)
    texture = _noise(rng, (width // 8, height // 8), size)
    grain = _noise(rng, size, size)
    channel = Image.blend(gradient, shapes, 0.45)
    channel = Image.blend(channel, texture, 0.3)
    return Image.blend(channel, grain, 0.06)


def photo_jpeg(size: tuple[int, int] = PHOTO_SIZE, *, seed: int = 12) -> bytes:
    """A deterministic photo-like JPEG, stored the way clean_upload stores originals.

    Flat colour would flatter both the decoder and the encoder, whose cost follows the detail.
    """
    rng = random.Random(seed)
    bands = [_channel(rng, size, angle) for angle in (0, 35, 80)]
    output = io.BytesIO()
    Image.merge("RGB", bands).save(output, "JPEG", quality=ORIGINAL_QUALITY)
    return output.getvalue()


def _fit(size: tuple[int, int], box: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, box / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _encoded(image: Image.Image) -> bytes:
    output = io.BytesIO()
    image.save(output, "JPEG", **DISPLAY_SAVE)
    return output.getvalue()


def floor_renditions(data: bytes, sizes: tuple[int, ...]) -> dict[int, bytes]:
    """Per size: open, draft to the size, LANCZOS resize to it, save."""
    renditions = {}
    for size in sizes:
        image = Image.open(io.BytesIO(data))
        target = _fit(image.size, size)
        image.draft("RGB", target)
        renditions[size] = _encoded(image.resize(target, Image.Resampling.LANCZOS))
    return renditions


def naive_renditions(data: bytes, sizes: tuple[int, ...]) -> dict[int, bytes]:
    """Per size: open, thumbnail at full decode (no draft, no reducing gap), save."""
    renditions = {}
    for size in sizes:
        image = Image.open(io.BytesIO(data))
        image.thumbnail((size, size), Image.Resampling.LANCZOS, reducing_gap=None)
        renditions[size] = _encoded(image)
    return renditions


def _dimensions(renditions: dict[int, bytes]) -> dict[int, tuple[int, int]]:
    return {size: Image.open(io.BytesIO(data)).size for size, data in renditions.items()}


def run(*, repeats: int = 7, photo_size: tuple[int, int] = PHOTO_SIZE) -> list[dict[str, Any]]:
    """One record: our display sizes against the floor and the naive way, on the same JPEG."""
    # Imported here: standalone, the repo root joins sys.path and Django is set up first.
    from activities import images
    from bench.measure import interleaved_medians, ratio_result

    data = photo_jpeg(photo_size)
    sizes = images.DISPLAY_SIZES
    ours = images.display_renditions(io.BytesIO(data), sizes)
    floor = floor_renditions(data, sizes)
    if _dimensions(ours) != _dimensions(floor):
        raise AssertionError(f"ours {_dimensions(ours)} and the floor {_dimensions(floor)} differ in size")
    medians = interleaved_medians(
        {
            "ours": lambda: images.display_renditions(io.BytesIO(data), sizes),
            "floor": lambda: floor_renditions(data, sizes),
            "naive": lambda: naive_renditions(data, sizes),
        },
        repeats=repeats,
    )
    return [
        ratio_result(
            "photos: display sizes of a 12 MP JPEG",
            median=medians["ours"],
            floor=medians["floor"],
            goal=1.2,
            naive_s=round(medians["naive"], 4),
            ratio_to_naive=round(medians["ours"] / medians["naive"], 2),
            sizes=list(sizes),
            megapixels=round(photo_size[0] * photo_size[1] / 1_000_000, 1),
            original_bytes=len(data),
            output_bytes={size: len(ours[size]) for size in sizes},
            floor_output_bytes={size: len(floor[size]) for size in sizes},
            repeats=repeats,
        )
    ]


if __name__ == "__main__":
    import argparse
    import json
    import os
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    print(json.dumps(run(repeats=parser.parse_args().repeats), indent=2))
