"""QuickBooks' query language (the subset real clients send) and its execution.

    SELECT * | COUNT(*) | Field[, Field] FROM Entity
      [WHERE cond [AND cond]...]          cond: Field (= < > <= >=) value | Field IN (v, ...) | Field LIKE '%x%'
      [ORDERBY | ORDER BY Field [ASC|DESC][, ...]] [STARTPOSITION n] [MAXRESULTS n]

Keywords and entity names are case-insensitive; string literals use single quotes with
backslash escapes. Only filterable attributes may appear in WHERE and ORDER BY, named in
any case, and Id takes only = and IN (filterable.py). Like QuickBooks, name lists (customers,
items...) answer only active records unless the query filters on Active, and MAXRESULTS is
capped at 1000 silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from . import faults
from .entities.common import ENTITY_BY_LOWER, WriteContext, public
from .entities.preferences import company_info_json, preferences_json
from .filterable import FILTERABLE, ID_OPERATORS, canonical
from .util import parse_datetime

MAX_RESULTS = 1000
DEFAULT_MAX_RESULTS = 100
ACTIVE_ONLY_BY_DEFAULT = {
    "Customer",
    "Vendor",
    "Employee",
    "Item",
    "Account",
    "TaxCode",
    "PaymentMethod",
    "Class",  # like the other lists (field reports; unconfirmed for Class and Department)
    "Department",
}

# Which entities can be queried, and on which attributes: filterable.py (with its sources).
QUERYABLE = FILTERABLE

_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<string>'(?:\\.|[^'\\])*')"
    r"|(?P<number>-?\d+(?:\.\d+)?)(?![A-Za-z_])"
    r"|(?P<op><=|>=|!=|<>|=|<|>)"
    r"|(?P<punct>[(),*])"
    r"|(?P<ident>[A-Za-z_][A-Za-z0-9_.]*)"
    r")"
)


@dataclass
class Token:
    kind: str
    text: str
    value: Any = None


@dataclass
class Condition:
    field: str
    op: str  # = < > <= >= IN LIKE
    values: list[Any]


@dataclass
class Query:
    entity: str
    count: bool = False
    fields: list[str] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    start: int = 1
    max_results: int = DEFAULT_MAX_RESULTS


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    text = text.strip().rstrip(";")
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            if text[position:].strip() == "":
                break
            raise faults.query_parse_error(
                f'Encountered "{text[position : position + 10]}" at line 1, column {position + 1}.'
            )
        position = match.end()
        kind = match.lastgroup
        raw = match.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", raw[1:-1])
            tokens.append(Token("string", raw, value))
        elif kind == "number":
            tokens.append(Token("number", raw, Decimal(raw)))
        else:
            tokens.append(Token(kind, raw, raw))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise faults.query_parse_error('Encountered "<EOF>" at end of the statement.')
        self.index += 1
        return token

    def keyword(self, *words: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "ident" and token.text.upper() in words:
            self.index += 1
            return True
        return False

    def expect_keyword(self, word: str) -> None:
        if not self.keyword(word):
            token = self.peek()
            found = "<EOF>" if token is None else token.text
            raise faults.query_parse_error(f'Encountered "{found}"; was expecting "{word}".')

    def expect_punct(self, char: str) -> None:
        token = self.take()
        if token.text != char:
            raise faults.query_parse_error(f'Encountered "{token.text}"; was expecting "{char}".')

    def literal(self) -> Any:
        token = self.take()
        if token.kind in ("string", "number"):
            return token.value
        if token.kind == "ident" and token.text.lower() in ("true", "false"):
            return token.text.lower() == "true"
        raise faults.query_parse_error(f'Encountered "{token.text}"; was expecting a value.')

    def integer(self) -> int:
        token = self.take()
        if token.kind != "number" or token.value != token.value.to_integral_value():
            raise faults.query_parse_error(f'Encountered "{token.text}"; was expecting an integer.')
        return int(token.value)

    def parse(self) -> Query:
        self.expect_keyword("SELECT")
        count = False
        fields: list[str] = []
        if self.keyword("COUNT"):
            self.expect_punct("(")
            self.expect_punct("*")
            self.expect_punct(")")
            count = True
        else:
            while True:
                token = self.take()
                if token.text == "*":
                    fields.append("*")
                elif token.kind == "ident" and token.text.upper() != "FROM":
                    fields.append(token.text)
                else:
                    raise faults.query_parse_error(f'Encountered "{token.text}"; was expecting a field.')
                if self.peek() is not None and self.peek().text == ",":
                    self.index += 1
                    continue
                break
        self.expect_keyword("FROM")
        entity_token = self.take()
        if entity_token.kind != "ident":
            raise faults.query_parse_error(f'Encountered "{entity_token.text}"; was expecting an entity.')
        entity = ENTITY_BY_LOWER.get(entity_token.text.lower())
        if entity is None or entity not in QUERYABLE:
            raise faults.invalid_query(f"{entity_token.text} is not a valid entity.")
        query = Query(entity=entity, count=count, fields=fields)
        if self.keyword("WHERE"):
            while True:
                query.conditions.append(self.condition())
                if not self.keyword("AND"):
                    break
        while self.peek() is not None:
            if self.keyword("ORDERBY") or (self.keyword("ORDER") and self._by()):
                while True:
                    token = self.take()
                    if token.kind != "ident":
                        raise faults.query_parse_error(f'Encountered "{token.text}"; was expecting a field.')
                    descending = False
                    if self.keyword("DESC"):
                        descending = True
                    else:
                        self.keyword("ASC")
                    query.order.append((token.text, descending))
                    if self.peek() is not None and self.peek().text == ",":
                        self.index += 1
                        continue
                    break
            elif self.keyword("STARTPOSITION"):
                query.start = max(1, self.integer())
            elif self.keyword("MAXRESULTS"):
                query.max_results = max(0, min(MAX_RESULTS, self.integer()))
            else:
                token = self.take()
                if token.text.upper() == "OR":
                    raise faults.query_parse_error("OR is not supported in a WHERE clause.")
                raise faults.query_parse_error(f'Encountered "{token.text}" at an unexpected place.')
        return query

    def _by(self) -> bool:
        self.expect_keyword("BY")
        return True

    def condition(self) -> Condition:
        token = self.take()
        if token.kind != "ident":
            raise faults.query_parse_error(f'Encountered "{token.text}"; was expecting a field.')
        name = token.text
        if self.keyword("IN"):
            self.expect_punct("(")
            values = [self.literal()]
            while self.peek() is not None and self.peek().text == ",":
                self.index += 1
                values.append(self.literal())
            self.expect_punct(")")
            return Condition(name, "IN", values)
        if self.keyword("LIKE"):
            value = self.literal()
            if not isinstance(value, str):
                raise faults.query_parse_error("LIKE needs a string literal.")
            return Condition(name, "LIKE", [value])
        op = self.take()
        if op.kind != "op" or op.text in ("!=", "<>"):
            raise faults.query_parse_error(f'Encountered "{op.text}"; was expecting an operator.')
        return Condition(name, op.text, [self.literal()])


def parse(text: str) -> Query:
    if not text or not text.strip():
        raise faults.query_parse_error('Encountered "<EOF>"; the query is empty.')
    query = _Parser(text).parse()
    for condition in query.conditions:
        condition.field = _queryable(query.entity, condition.field)
        if condition.field == "Id" and condition.op not in ID_OPERATORS:
            # Id takes only = and IN (Intuit's API reference); the Detail's wording is ours (README).
            raise faults.invalid_query(f"operator '{condition.op}' is not supported for property 'Id'; use = or IN")
    query.order = [(_queryable(query.entity, name), descending) for name, descending in query.order]
    return query


def _queryable(entity: str, name: str) -> str:
    """QuickBooks' spelling of a filterable attribute (names are case-insensitive), or 4001."""
    attribute = canonical(entity, name)
    if attribute is None:
        raise faults.invalid_query(f"property '{name}' is not queryable")
    return attribute


# --- evaluation ---------------------------------------------------------------------------


def field_value(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    if isinstance(value, dict) and "value" in value:
        value = value["value"]  # CustomerRef = '12' compares the reference's value
    return value


def _comparable(value: Any, literal: Any) -> tuple[Any, Any] | None:
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(literal, bool):
        if isinstance(literal, str):
            literal = literal.lower() == "true"
        return (bool(value), bool(literal))
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        try:
            return (Decimal(str(value)), Decimal(str(literal)))
        except InvalidOperation:
            return None
    text = str(value)
    other = str(literal)
    if len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-" and len(other) >= 10 and other[4:5] == "-":
        if len(text) == 10 and len(other) >= 10:
            return (text, other[:10])  # dates compare as ISO strings
        left, right = parse_datetime(text), parse_datetime(other)
        if isinstance(left, datetime) and isinstance(right, datetime):
            return (left, right)
    if text.isdigit() and other.isdigit():
        return (int(text), int(other))  # Ids compare as numbers
    return (text.lower(), other.lower())


def _matches(record: dict[str, Any], condition: Condition) -> bool:
    value = field_value(record, condition.field)
    if value is None and condition.field == "Active":
        value = True  # a record without Active (the US pseudo tax codes TAX and NON) is always usable
    if condition.op == "LIKE":
        if value is None:
            return False
        pattern = "^" + ".*".join(re.escape(part) for part in str(condition.values[0]).split("%")) + "$"
        return re.match(pattern, str(value), re.IGNORECASE | re.DOTALL) is not None
    if condition.op == "IN":
        for literal in condition.values:
            pair = _comparable(value, literal)
            if pair is not None and pair[0] == pair[1]:
                return True
        return False
    pair = _comparable(value, condition.values[0])
    if pair is None:
        return False
    left, right = pair
    try:
        if condition.op == "=":
            return left == right
        if condition.op == "<":
            return left < right
        if condition.op == ">":
            return left > right
        if condition.op == "<=":
            return left <= right
        if condition.op == ">=":
            return left >= right
    except TypeError:
        return False
    return False


def _sort_key(record: dict[str, Any], name: str) -> tuple[int, int, Any]:
    """Numbers, then times, then text, then no value: an Id of TAX or NON (US pseudo tax codes)
    sorts after the numbered ones (QuickBooks' order for them is not documented)."""
    value = field_value(record, name)
    if value is None:
        return (1, 0, "")
    if isinstance(value, bool):
        return (0, 0, int(value))
    if isinstance(value, (int, Decimal)):
        return (0, 0, Decimal(str(value)))
    text = str(value)
    if text.isdigit():
        return (0, 0, Decimal(text))
    parsed = parse_datetime(text) if len(text) > 10 and text[4:5] == "-" else None
    if parsed is not None:
        return (0, 1, parsed.timestamp())
    return (0, 2, text.lower())


def _by_id(conditions: list[Condition]) -> set[str] | None:
    """The Ids an ``Id = n`` or ``Id IN (...)`` condition of whole numbers allows, so that a
    look-up by Id reads those records instead of every record of the entity (a speed-up only:
    every condition is still checked on them). Ids are stored as canonical whole numbers, and
    a literal of digits equals an Id only as that number; None when no such condition."""
    for c in conditions:
        if c.field == "Id" and c.op in ("=", "IN") and all(str(v).isdigit() for v in c.values):
            return {str(int(str(v))) for v in c.values}
    return None


def _id_in(record: dict[str, Any], ids: set[str]) -> bool:
    text = str(record.get("Id"))
    return text.isdigit() and (text if text[0] != "0" else str(int(text))) in ids


def execute(ctx: WriteContext, text: str) -> dict[str, Any]:
    """Run a query; returns the QueryResponse member."""
    query = parse(text)
    company = ctx.company
    if query.entity == "Preferences":
        candidates = [preferences_json(company)]
    elif query.entity == "CompanyInfo":
        candidates = [company_info_json(company)]
    else:
        hidden = ctx.hidden
        records = company.records[query.entity]
        by_id = _by_id(query.conditions)
        pool = records.values() if by_id is None else [r for r in records.values() if _id_in(r, by_id)]
        candidates = [r for r in pool if not hidden or (query.entity, r["Id"]) not in hidden]
    conditions = list(query.conditions)
    if query.entity in ACTIVE_ONLY_BY_DEFAULT and not any(c.field == "Active" for c in conditions):
        conditions.append(Condition("Active", "=", [True]))
    rows = [r for r in candidates if all(_matches(r, c) for c in conditions)]
    if query.count:
        return {"totalCount": len(rows)}
    if query.order:
        for name, descending in reversed(query.order):
            rows.sort(key=lambda r, n=name: _sort_key(r, n), reverse=descending)
    page = rows[query.start - 1 : query.start - 1 + query.max_results]
    if not page:
        return {}
    if "*" in query.fields:
        items = [public(r) for r in page]
    else:
        keep = set(query.fields) | {"Id"}
        items = [{**{k: v for k, v in r.items() if k in keep}, "domain": "QBO", "sparse": True} for r in page]
    return {query.entity: items, "startPosition": query.start, "maxResults": len(items)}
