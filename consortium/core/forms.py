"""The form layer: pages read their input with the same schemas as the API.

A page hands `read_form` its POST data and the API's input schema; it gets back a typed
value, or a `ValidationFailed` whose field errors are keyed by the page's own field names
and worded for people ("Enter the quantity", "Annual value must be £0 or more"). The API
words its 422 errors with the same `human_messages`, so each limit is stated once — in the
schema — and explained the same way wherever it is met.

    data = read_form(QuestionIn, request.POST)          # -> QuestionIn, or raises
    services.question_ask(actor=actor, project=project, question=data.question)

Multi-row forms name the row in every message and map each error back to the input that
caused it with `where` (see orders' basket and tendering's demand return)."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from consortium.core.errors import ValidationFailed

M = TypeVar("M", bound=BaseModel)
Loc = tuple[int | str, ...]
# (the page's field name, a prefix naming the row such as "Line 2: ") for an error's location
Where = Callable[[Loc], tuple[str, str]]


def dotted(loc: Loc) -> tuple[str, str]:
    """The API's naming: rows[2].quantity, with no row prefix (the name says it)."""
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name, ""


def last_name(loc: Loc) -> tuple[str, str]:
    """A flat page form: the field's own name."""
    names = [p for p in loc if isinstance(p, str)]
    return (names[-1] if names else ""), ""


def _unwrap(annotation: Any) -> Any:
    """The model inside list[X], X | None, dict[K, X] — or the annotation itself."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                return _unwrap(arg)
    if origin in (list, tuple, set, dict, Sequence):
        args = typing.get_args(annotation)
        return _unwrap(args[-1]) if args else annotation
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    return annotation


def _field(schema: type[BaseModel], loc: Loc) -> FieldInfo | None:
    """The schema field an error's location points at, following nested schemas."""
    model: Any = schema
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return None
        model = _unwrap(info.annotation)
    return info


def _label(schema: type[BaseModel], loc: Loc) -> str:
    info = _field(schema, loc)
    if info is not None and info.title:
        return info.title
    names = [p for p in loc if isinstance(p, str)]
    return (names[-1] if names else "this").replace("_", " ").removesuffix(" id")


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and abs(value) >= 10_000 else str(value)


def human_message(error: Mapping[str, Any], label: str) -> str:
    """One pydantic error in words a person can act on, naming the field."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    label = label[:1].lower() + label[1:] if label[:2] != label[:2].upper() else label
    name = label[:1].upper() + label[1:]
    if kind in ("missing", "string_too_short") and ctx.get("min_length", 1) <= 1:
        return f"Enter {label}"
    if kind == "string_too_short":
        return f"{name} must be {ctx['min_length']} characters or more"
    if kind == "too_short" and ctx.get("min_length", 1) <= 1:
        return f"Choose {label}"
    if kind == "too_short":
        return f"Choose at least {ctx.get('min_length')} for {label}"
    if kind == "string_too_long":
        return f"{name} must be {_number(ctx.get('max_length'))} characters or fewer"
    if kind == "too_long":
        return f"{name} can have no more than {_number(ctx.get('max_length'))} entries"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{name} must be a whole number"
    if kind in ("decimal_parsing", "decimal_type", "float_parsing", "float_type", "finite_number"):
        return f"{name} must be a number"
    if kind == "decimal_max_places":
        places = ctx.get("decimal_places")
        return (
            f"{name} must have no more than {places} decimal places"
            if places
            else f"{name} must be a whole number"
        )
    if kind in ("decimal_max_digits", "decimal_whole_digits"):
        return f"{name} is too large"
    if kind == "greater_than":
        return f"{name} must be more than {_number(ctx.get('gt'))}"
    if kind == "greater_than_equal":
        return f"{name} must be {_number(ctx.get('ge'))} or more"
    if kind == "less_than":
        return f"{name} must be less than {_number(ctx.get('lt'))}"
    if kind == "less_than_equal":
        return f"{name} must be {_number(ctx.get('le'))} or less"
    if kind in ("enum", "literal_error"):
        return f"Choose {label} from the list"
    if kind == "date_parsing" and str(error.get("msg", "")).startswith("Date must include"):
        return f"{name} must include a {str(error['msg']).split(' a ', 1)[1]}"
    if kind.startswith("date") and "datetime" not in kind:
        return f"{name} must be a real date, for example 15/12/2026"
    if kind.startswith("datetime") or kind.startswith("time"):
        return f"{name} must be a real date and time, for example 15/12/2026 14:30"
    if kind in ("bool_parsing", "bool_type"):
        return f"Choose yes or no for {label}"
    if kind == "extra_forbidden":
        return f"“{label}” is not something this accepts"
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        return f"{name} is not in the right shape"
    if kind in ("value_error", "assertion_error"):
        message = str(error.get("msg", ""))
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return f"{name}: {error.get('msg', 'not valid')}"


def human_messages(
    schema: type[BaseModel] | None, errors: Sequence[Mapping[str, Any]], where: Where = dotted
) -> dict[str, str]:
    """{field name: message} for every error at once (the first per field)."""
    out: dict[str, str] = {}
    for error in errors:
        loc = tuple(error.get("loc", ()))
        field, prefix = where(loc)
        if error.get("type") == "extra_forbidden":
            label = str(loc[-1]) if loc else "field"
        else:
            label = _label(schema, loc) if schema is not None else str(loc[-1] if loc else "this")
        out.setdefault(field or "__all__", prefix + human_message(error, label))
    return out


def _is_list(info: FieldInfo) -> bool:
    annotation = info.annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        origin = next(
            (typing.get_origin(a) for a in typing.get_args(annotation) if a is not type(None)), None
        )
    return origin in (list, set, tuple)


def _given(data: Mapping[str, Any], key: str) -> Any:
    """A posted value; a GOV.UK date input's three boxes (key-day, key-month, key-year) are
    read as one date, day first, so the schema's date type parses it like any typed date."""
    if key in data:
        return data[key]
    parts = [str(data.get(f"{key}-{part}", "") or "").strip() for part in ("day", "month", "year")]
    if any(parts):
        if not all(parts):
            missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
            return f"__incomplete__:{' and '.join(missing)}"
        return "/".join(parts)
    return None


def form_data(schema: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """The schema's fields out of a POST: blanks count as not given (so defaults apply and a
    required field says "Enter …"), list fields take every value sent, and anything else the
    page carries (the CSRF token, buttons) is left out."""
    out: dict[str, Any] = {}
    getlist = getattr(data, "getlist", None)
    for name, info in schema.model_fields.items():
        key = info.alias or name
        if key not in data and _given(data, key) is None:
            continue
        if _is_list(info):
            values = getlist(key) if getlist else data[key]
            if isinstance(values, str):
                values = [values]
            out[name] = [v for v in values if not (isinstance(v, str) and not v.strip())]
        else:
            value = _given(data, key)
            if isinstance(value, str):
                value = value.strip()
                if not value:
                    continue
            out[name] = value
    return out


def read_form(
    schema: type[M],
    data: Mapping[str, Any],
    *,
    where: Where = last_name,
    summary: str = "Check what you entered",
    raw: bool = False,
) -> M:
    """Validate a page's input with an API schema: the typed value, or ValidationFailed with
    every field's error keyed by the page's field names. `raw=True` takes `data` as built by
    the view (rows already assembled) instead of reading a flat POST."""
    values = dict(data) if raw else form_data(schema, data)
    try:
        return schema.model_validate(values)
    except ValidationError as e:
        errors = human_messages(schema, e.errors(include_url=False), where)
        raise ValidationFailed(summary, field_errors=errors) from None


def rows_where(
    list_name: str,
    row_keys: Sequence[int | str],
    row_label: Callable[[int], str],
    field_names: Mapping[str, str] | None = None,
) -> Where:
    """For a multi-row form posting `<name>_<key>`: an error in list_name[i].field is put on
    the input `<field_names[field] or field>_<row_keys[i]>`, with the row named first
    ("Line 2, A4 paper: Enter a quantity")."""
    names = field_names or {}

    def where(loc: Loc) -> tuple[str, str]:
        if len(loc) >= 2 and loc[0] == list_name and isinstance(loc[1], int) and loc[1] < len(row_keys):
            field = next((p for p in loc[2:] if isinstance(p, str)), "")
            return f"{names.get(field, field)}_{row_keys[loc[1]]}", f"{row_label(loc[1])}: "
        return last_name(loc)

    return where


def posted(data: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """The named fields out of a POST, stripped, blanks left out: for a view assembling a
    nested schema's input from a flat page (then `read_form(..., raw=True)`)."""
    out: dict[str, Any] = {}
    for name in names:
        value = _given(data, name)
        if isinstance(value, str):
            value = value.strip()
        if value not in (None, ""):
            out[name] = value
    return out


def renamed(names: Mapping[str, str]) -> Where:
    """Errors at the schema's dotted locations ("lots[0].title") put on the page's inputs
    ("lot_title"); any other location on its own field name."""

    def where(loc: Loc) -> tuple[str, str]:
        name, _ = dotted(loc)
        for key, page_name in names.items():
            # an error inside a list or object ("supplier_ids[0]") belongs to its input too
            if name == key or name.startswith((f"{key}[", f"{key}.")):
                return page_name, ""
        return last_name(loc)

    return where
