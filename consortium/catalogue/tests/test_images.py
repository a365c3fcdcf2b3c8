from __future__ import annotations

import io

import pytest
from PIL import Image

from consortium.catalogue import images, services
from consortium.core.errors import PermissionDenied, ValidationFailed
from consortium.organisations.constants import Role

pytestmark = pytest.mark.django_db


def _picture(fmt: str, size: tuple[int, int] = (1200, 800), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 1 if mode == "1" else (10, 200, 30)).save(out, format=fmt)
    return out.getvalue()


def test_pictures_are_checked_redrawn_small_and_described(world, market, signed_in):
    supplier = world.actor(Role.SUPPLIER_USER)
    item = services.item_image_set(
        actor=supplier,
        item_id=market.pens.pk,
        content=_picture("PNG", mode="RGBA"),
        alt="Box of 10 blue pens",
    )
    with Image.open(io.BytesIO(bytes(item.image))) as shown:
        assert shown.format == "JPEG" and max(shown.size) == 600
    buyer = signed_in(Role.MEMBER_BUYER)
    response = buyer.get(f"/marketplace/items/{item.pk}/image")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    page = buyer.get("/marketplace/?q=ballpoint").content.decode()
    assert 'alt="Box of 10 blue pens"' in page
    for bad, message in (
        (b"GIF89a not really", "not a picture"),
        (b"<svg onload=alert(1)></svg>", "not a picture"),
        (_picture("GIF"), "JPEG, PNG or WebP"),
        (b"x" * (images.MAX_BYTES + 1), "5 MB"),
    ):
        with pytest.raises(ValidationFailed) as e:
            services.item_image_set(actor=supplier, item_id=market.pens.pk, content=bad, alt="x")
        assert message in e.value.field_errors["image"]
    with pytest.raises(ValidationFailed) as e:
        services.item_image_set(actor=supplier, item_id=market.pens.pk, content=None, alt="")
    assert "image_alt" in e.value.field_errors
    with pytest.raises(PermissionDenied):
        services.item_image_set(
            actor=world.actor(Role.MEMBER_BUYER), item_id=market.pens.pk, content=None, alt="x"
        )


def test_a_decompression_bomb_is_refused_before_it_is_decoded(world, market):
    bomb = _picture("PNG", size=(8000, 6000), mode="1")
    with pytest.raises(ValidationFailed) as e:
        services.item_image_set(
            actor=world.actor(Role.SUPPLIER_USER), item_id=market.pens.pk, content=bomb, alt="x"
        )
    assert "megapixels" in e.value.field_errors["image"]
