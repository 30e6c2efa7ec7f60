"""JSON for money: every non-integer number is a Decimal, both ways.

QuickBooks sends amounts as JSON numbers (55.0). Parsing them as float would turn
0.1 + 0.2 into 0.30000000000000004 on the way to the books, so we parse with
``parse_float=Decimal`` and write Decimals back as plain JSON numbers. Floats are
refused on the way out: a float in a payload is a bug upstream.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def loads(raw: bytes | str) -> Any:
    return json.loads(raw, parse_float=Decimal)


def dumps(obj: Any) -> str:
    parts: list[str] = []
    _write(obj, parts)
    return "".join(parts)


def _write(obj: Any, out: list[str]) -> None:
    if obj is None or isinstance(obj, (bool, str)):
        out.append(json.dumps(obj, ensure_ascii=False))
    elif isinstance(obj, int):
        out.append(str(int(obj)))
    elif isinstance(obj, Decimal):
        if not obj.is_finite():
            raise ValueError(f"cannot send a non-finite number ({obj}) to QuickBooks")
        # 'f' avoids exponent forms such as 1E+2 that some parsers read as floats.
        out.append(format(obj, "f"))
    elif isinstance(obj, float):
        raise TypeError(
            "float in a QuickBooks payload: use decimal.Decimal for amounts and quantities"
        )
    elif isinstance(obj, dict):
        out.append("{")
        first = True
        for key, value in obj.items():
            if not first:
                out.append(",")
            first = False
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _write(value, out)
        out.append("}")
    elif isinstance(obj, (list, tuple)):
        out.append("[")
        for index, value in enumerate(obj):
            if index:
                out.append(",")
            _write(value, out)
        out.append("]")
    elif isinstance(obj, (datetime, date)):
        out.append(json.dumps(obj.isoformat()))
    else:
        raise TypeError(f"cannot serialise {type(obj).__name__} for QuickBooks")
