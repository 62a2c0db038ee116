"""Pleasant placeholder photos for the demo, drawn by Pillow in memory (nothing is downloaded).

Each picture is a soft two-tone gradient with a sun, hills and a few translucent shapes,
chosen by a seed so that the same activity always gets the same pictures. No text: a CJK
font may not be installed.
"""

import io
import random

from PIL import Image, ImageDraw

PHOTO_SIZE = (1200, 800)

# (sky top, sky bottom, hills) in soft colours, from morning to evening.
_PALETTES = [
    ((255, 214, 170), (255, 244, 226), (196, 92, 74)),
    ((166, 206, 240), (236, 246, 252), (70, 130, 110)),
    ((250, 190, 200), (255, 238, 228), (150, 70, 90)),
    ((200, 226, 190), (246, 250, 236), (92, 128, 70)),
    ((210, 200, 240), (246, 240, 252), (110, 90, 160)),
    ((255, 226, 150), (255, 250, 226), (200, 60, 50)),
]


def _gradient(top: tuple[int, int, int], bottom: tuple[int, int, int], size: tuple[int, int]) -> Image.Image:
    # A 1×2 image stretched with bilinear resampling is a smooth vertical gradient, and fast.
    seed = Image.new("RGB", (1, 2))
    seed.putpixel((0, 0), top)
    seed.putpixel((0, 1), bottom)
    return seed.resize(size, Image.Resampling.BILINEAR)


def _hill(width: int, height: int, base: int, amplitude: int, rng: random.Random) -> list[tuple[int, int]]:
    points = [(0, height)]
    step = width // 8
    for x in range(0, width + step, step):
        points.append((x, base - rng.randint(0, amplitude)))
    points.append((width, height))
    return points


def demo_photo(seed: int, size: tuple[int, int] = PHOTO_SIZE) -> bytes:
    """A JPEG of `size` pixels; the same seed always draws the same picture."""
    rng = random.Random(seed)
    width, height = size
    top, bottom, hills = _PALETTES[seed % len(_PALETTES)]
    image = _gradient(top, bottom, size).convert("RGBA")
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    sun_x, sun_y, radius = rng.randint(width // 5, width * 4 // 5), rng.randint(height // 8, height // 3), height // 9
    draw.ellipse((sun_x - radius, sun_y - radius, sun_x + radius, sun_y + radius), fill=(255, 255, 255, 150))
    for _ in range(rng.randint(3, 6)):
        x, y, r = rng.randint(0, width), rng.randint(0, height // 2), rng.randint(height // 20, height // 8)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*bottom, rng.randint(60, 120)))
    far = tuple(min(255, channel + 70) for channel in hills)
    draw.polygon(_hill(width, height, height * 3 // 5, height // 6, rng), fill=(*far, 170))
    draw.polygon(_hill(width, height, height * 4 // 5, height // 8, rng), fill=(*hills, 220))
    image = Image.alpha_composite(image, overlay).convert("RGB")
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85)
    return output.getvalue()
