"""Citizens' photos: checked as images before anything else, then re-encoded so nothing of
the original file survives — no location or camera metadata, no hidden payload."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs long before Pillow's own limit
LONGEST_SIDE = 2000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


@dataclass(frozen=True)
class Photo:
    content: bytes
    width: int
    height: int


def clean_photo(content: bytes, *, number: int) -> Photo:
    """One uploaded photo re-encoded as a JPEG; ValueError with a message naming the photo."""
    if len(content) > MAX_PHOTO_BYTES:
        raise ValueError(f"Photo {number} must be 5 MB or smaller")
    try:
        with Image.open(io.BytesIO(content)) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValueError(f"Photo {number} must be a JPG, PNG, WebP or GIF image") from None
    if kind not in ACCEPTED_FORMATS:
        raise ValueError(f"Photo {number} must be a JPG, PNG, WebP or GIF image")
    if width * height > MAX_PIXELS:
        raise ValueError(f"Photo {number} is too large: at most {MAX_PIXELS // 1_000_000} million pixels")
    try:
        with Image.open(io.BytesIO(content)) as original:
            upright = ImageOps.exif_transpose(original)  # keep it the right way up, then drop the EXIF
            picture = upright.convert("RGB")
            picture.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
            out = io.BytesIO()
            picture.save(out, format="JPEG", quality=85, optimize=True)  # no exif= : metadata is gone
            return Photo(out.getvalue(), picture.width, picture.height)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValueError(f"Photo {number} could not be read as an image") from None
