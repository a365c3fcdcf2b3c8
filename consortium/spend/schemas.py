"""What the spend API and pages accept."""

from __future__ import annotations

from ninja import Field

from consortium.core.schemas import RecordId, StrictIn


class SupplierMatchIn(StrictIn):
    supplier_name: str = Field(..., min_length=1, max_length=200, title="Supplier name in the file")
    supplier_id: RecordId = Field(..., title="Supplier")
    confirm: bool = Field(..., description="true: it is this supplier; false: it is not")
