"""Evidence files: checked for what they really are (by their first bytes, never the name or
the browser's word) and for size, before they are kept. A saving's evidence is a quote, an
invoice, a screenshot or a spreadsheet, so those are the kinds accepted."""

from __future__ import annotations

from dataclasses import dataclass

from consortium.core.errors import ValidationFailed
from consortium.core.files import DOCX, XLSX, check_xlsx_archive, sniff_document

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
MAX_EVIDENCE_FILES = 10


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


def sniff(content: bytes) -> str | None:
    """The file's real type from its content (core.files.sniff_document)."""
    return sniff_document(content)


def check(files: list[Upload], *, field: str = "evidence") -> list[tuple[Upload, str]]:
    """Each file with its real type; ValidationFailed naming the file if any is refused."""
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationFailed(
            f"Attach no more than {MAX_EVIDENCE_FILES} files", field_errors={field: "Too many files"}
        )
    out = []
    for f in files:
        name = (f.name or "evidence").strip()[:200] or "evidence"
        if not f.content:
            raise ValidationFailed(f"“{name}” is empty", field_errors={field: f"“{name}” is empty"})
        if len(f.content) > MAX_EVIDENCE_BYTES:
            raise ValidationFailed(
                f"“{name}” is larger than 5 MB", field_errors={field: f"“{name}” is larger than 5 MB"}
            )
        kind = sniff(f.content)
        if kind is None:
            raise ValidationFailed(
                f"“{name}” must be a PDF, an image (PNG or JPEG), a spreadsheet (.xlsx or CSV), a Word document or text",
                field_errors={field: f"“{name}” is not a kind of file we accept"},
            )
        if kind in (XLSX, DOCX):
            try:
                check_xlsx_archive(f.content, hint=field)
            except ValidationFailed as exc:
                raise ValidationFailed(
                    f"“{name}”: {exc.detail}", field_errors={field: f"“{name}”: {exc.detail}"}
                ) from exc
        out.append((Upload(name=name, content=f.content), kind))
    return out
