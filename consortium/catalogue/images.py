"""Item pictures: an upload is checked to be a real JPEG, PNG or WebP image (never trusting its
name or the browser), no larger than a sane number of pixels (a decompression bomb is refused
before it is decoded), then redrawn at most 600 pixels a side without its metadata (no camera
GPS, no embedded scripts) as a JPEG, transparency on white."""

from __future__ import annotations

import io

from consortium.core.errors import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
SIDE = 600
ACCEPTED = {"JPEG", "PNG", "WEBP"}


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed("Check the picture", field_errors={"image": message})


def prepare(content: bytes) -> tuple[bytes, str]:
    """(the picture as we serve it, its media type), or a refusal naming what is wrong."""
    from PIL import Image, UnidentifiedImageError

    if len(content) > MAX_BYTES:
        raise _refuse("The picture must be 5 MB or smaller")
    if not content:
        raise _refuse("Choose a picture")
    try:
        with Image.open(io.BytesIO(content)) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in ACCEPTED:
                raise _refuse("The picture must be a JPEG, PNG or WebP image")
            if width * height > MAX_PIXELS:
                raise _refuse(f"The picture is {width} × {height} pixels: at most 40 megapixels")
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            rgba = image.convert("RGBA")
            picture = Image.new("RGB", rgba.size, (255, 255, 255))
            picture.paste(rgba, mask=rgba.getchannel("A"))
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse("The file is not a picture we can read: use a JPEG, PNG or WebP image") from None
    picture.thumbnail((SIDE, SIDE))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), "image/jpeg"
