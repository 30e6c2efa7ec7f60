"""JSON for money: every non-integer number is a Decimal, both ways.

QuickBooks sends amounts as JSON numbers (55.0). Parsing them as float would turn
0.1 + 0.2 into 0.30000000000000004 on the way to the books, so we parse with
``parse_float=Decimal`` and write Decimals back as plain JSON numbers. Floats are
refused on the way out: a float in a payload is a bug upstream.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any


def loads(raw: bytes | str) -> Any:
    return json.loads(raw, parse_float=Decimal)


def dumps(obj: Any) -> str:
    parts: list[str] = []
    _write(obj, parts)
    return "".join(parts)


# Exact types first (one dict lookup per value, strings through json's C escaper); anything
# else, subclasses included, goes through the checks in ``_write_other``. An invoice has
# ~35 values: calling json.dumps per string cost more than the rest of the transform.
_string = encode_basestring  # what json.dumps(ensure_ascii=False) uses for str


def _write(obj: Any, out: list[str]) -> None:
    writer = _WRITERS.get(type(obj))
    if writer is None:
        _write_other(obj, out)
    else:
        writer(obj, out)


def _write_dict(obj: dict, out: list[str]) -> None:
    append = out.append
    append("{")
    first = True
    for key, value in obj.items():
        if first:
            first = False
        else:
            append(",")
        append(_string(key if type(key) is str else str(key)))
        append(":")
        writer = _WRITERS.get(type(value))
        if writer is None:
            _write_other(value, out)
        else:
            writer(value, out)
    append("}")


def _write_list(obj: list | tuple, out: list[str]) -> None:
    append = out.append
    append("[")
    for index, value in enumerate(obj):
        if index:
            append(",")
        writer = _WRITERS.get(type(value))
        if writer is None:
            _write_other(value, out)
        else:
            writer(value, out)
    append("]")


def _write_decimal(obj: Decimal, out: list[str]) -> None:
    if not obj.is_finite():
        raise ValueError(f"cannot send a non-finite number ({obj}) to QuickBooks")
    # 'f' avoids exponent forms such as 1E+2 that some parsers read as floats.
    out.append(format(obj, "f"))


_WRITERS: dict[type, Callable[[Any, list[str]], None]] = {
    str: lambda obj, out: out.append(_string(obj)),
    int: lambda obj, out: out.append(int.__repr__(obj)),
    bool: lambda obj, out: out.append("true" if obj else "false"),
    type(None): lambda obj, out: out.append("null"),
    Decimal: _write_decimal,
    dict: _write_dict,
    list: _write_list,
    tuple: _write_list,
}


def _write_other(obj: Any, out: list[str]) -> None:
    if obj is None or isinstance(obj, (bool, str)):
        out.append(json.dumps(obj, ensure_ascii=False))
    elif isinstance(obj, int):
        out.append(str(int(obj)))
    elif isinstance(obj, Decimal):
        _write_decimal(obj, out)
    elif isinstance(obj, float):
        raise TypeError("float in a QuickBooks payload: use decimal.Decimal for amounts and quantities")
    elif isinstance(obj, dict):
        _write_dict(obj, out)
    elif isinstance(obj, (list, tuple)):
        _write_list(obj, out)
    elif isinstance(obj, (datetime, date)):
        out.append(json.dumps(obj.isoformat()))
    else:
        raise TypeError(f"cannot serialise {type(obj).__name__} for QuickBooks")
