"""moto's JSON request parsing, compiled once per shape (the local runtime's DynamoDB calls).

moto turns a request body into parameters by walking the decoded JSON along the
operation's botocore shapes (``moto.core.parse.JSONParser``): every member of every
structure is looked up by its wire name, every list item and map value is walked, blobs are
base64-decoded, timestamps parsed, numbers of integer/float shapes converted. For a
BatchWriteItem that is every attribute of every item, each step a dynamic method lookup.

Here each shape is compiled, once, into a function that does the same conversion: a string
or boolean is kept as it is, a list of them is copied, a structure keeps its members in the
shape's order, by their wire names, dropping absent and null ones, exactly as moto does.
Anything the compiler does not know, an error, or nesting deeper than ``_MAX_DEPTH``
(where moto's own recursion could run out) makes the request parse through moto's parser
instead, so the result (or the error) is always moto's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["compiled_parser", "parse_json_body"]

Converter = Callable[[Any, int], Any]

_MAX_DEPTH = 64  # shape levels; moto spends two frames on each, far below the recursion limit
_compiled: dict[tuple[Any, ...], Converter | None] = {}  # (service, api version, shape) → parser


class _Unparseable(Exception):
    """This request goes through moto's parser (too deep for the compiled path)."""


def parse_json_body(parser: Any, raw_body: Any, shape: Any) -> Any:
    """What ``JSONParser._parse_json_body`` returns for ``raw_body``, by compiled shapes."""
    parsed_json = parser._parse_body_as_json(raw_body)
    service = parser.operation_model.service_model
    convert = compiled_parser((service.service_name, service.api_version), shape)
    if convert is not None:
        try:
            return convert(parsed_json, 0)
        except Exception:
            pass  # moto's parser below gives its own result or its own error
    return parser._parse_shape(shape, parsed_json)


def compiled_parser(service: tuple[str, str], shape: Any) -> Converter | None:
    """The compiled form of ``shape`` of ``service`` (cached), or None: moto's parser does it.

    moto builds a new service model for every request, so shapes are known by their
    service, name and definition rather than by identity.
    """
    key = (*service, shape.name, repr(shape._shape_model))
    try:
        return _compiled[key]
    except KeyError:
        pass
    converter = _compiled[key] = _Compiler().compile(shape)
    return converter


def _identity(value: Any, depth: int) -> Any:
    return value


def _blob(value: Any, depth: int) -> Any:
    from moto.core.parse import default_blob_parser

    return default_blob_parser(value)


def _timestamp(value: Any, depth: int) -> Any:
    from moto.core.parse import default_timestamp_parser

    return default_timestamp_parser(value)


def _integer(value: Any, depth: int) -> Any:
    return int(value)


def _float(value: Any, depth: int) -> Any:
    return float(value)


class _Compiler:
    """Compiles shapes to converters; a recursive shape refers to its own converter."""

    def __init__(self) -> None:
        self._done: dict[tuple[str, str], Converter] = {}
        self._unknown = False

    def compile(self, shape: Any) -> Converter | None:
        converter = self._shape(shape)
        return None if self._unknown else converter

    def _shape(self, shape: Any) -> Converter:
        from moto.core.parse import BaseJSONParser, JSONParser, RequestParser

        key = (shape.name, repr(shape._shape_model))
        if key in self._done:
            return self._done[key]
        handler = getattr(JSONParser, f"_parse_{shape.type_name}", JSONParser._default_handle)
        simple: dict[Any, Converter] = {
            RequestParser._default_handle: _identity,
            BaseJSONParser._parse_blob: _blob,
            BaseJSONParser._parse_timestamp: _timestamp,
            BaseJSONParser._parse_integer: _integer,
            BaseJSONParser._parse_float: _float,
        }
        if handler in simple:
            return simple[handler]
        if handler is BaseJSONParser._parse_structure:
            if shape.is_document_type:
                return _identity
            return self._structure(shape, key)
        if handler is RequestParser._parse_list:
            return self._list(shape, key)
        if handler is RequestParser._parse_map:
            return self._map(shape, key)
        self._unknown = True  # a handler this compiler does not reproduce
        return _identity

    def _late(self, key: tuple[str, str]) -> Callable[[Converter], None]:
        """Registers ``key`` as being compiled; a recursive reference calls it once resolved."""
        cell: list[Converter] = []

        def forward(value: Any, depth: int) -> Any:
            return cell[0](value, depth)

        self._done[key] = forward
        return cell.append

    def _structure(self, shape: Any, key: tuple[str, str]) -> Converter:
        resolve = self._late(key)
        members = []
        for name, member in shape.members.items():
            wire_name = member.serialization.get("name", name)
            convert = self._shape(member)
            members.append((name, wire_name, None if convert is _identity else convert))
        by_wire_name = {wire: (name, convert) for name, wire, convert in members}
        one_key_fast = len(by_wire_name) == len(members)

        def structure(value: Any, depth: int) -> Any:
            if value is None:
                return None
            if depth > _MAX_DEPTH:
                raise _Unparseable
            depth += 1
            if one_key_fast and type(value) is dict and len(value) == 1:
                # The usual AttributeValue: one member, no need to try the other nine.
                for wire, raw in value.items():
                    member = by_wire_name.get(wire)
                    if member is None or raw is None:
                        return {}
                    name, convert = member
                    return {name: raw if convert is None else convert(raw, depth)}
            parsed = {}
            for name, wire, convert in members:
                raw = value.get(wire)
                if raw is not None:
                    parsed[name] = raw if convert is None else convert(raw, depth)
            return parsed

        resolve(structure)
        return structure

    def _list(self, shape: Any, key: tuple[str, str]) -> Converter:
        resolve = self._late(key)
        convert = self._shape(shape.member)

        def plain_list(value: Any, depth: int) -> Any:
            return list(value)  # iterates as moto does: a string's characters, a dict's keys

        def list_of(value: Any, depth: int) -> Any:
            if depth > _MAX_DEPTH:
                raise _Unparseable
            depth += 1
            return [convert(item, depth) for item in value]

        resolve(plain_list if convert is _identity else list_of)
        return plain_list if convert is _identity else list_of

    def _map(self, shape: Any, key: tuple[str, str]) -> Converter:
        resolve = self._late(key)
        convert_key = self._shape(shape.key)
        convert_value = self._shape(shape.value)

        def plain_map(value: Any, depth: int) -> Any:
            return dict(value.items())  # moto's walk: a new dict, keys in order

        def map_of(value: Any, depth: int) -> Any:
            if depth > _MAX_DEPTH:
                raise _Unparseable
            depth += 1
            if convert_key is _identity:
                return {name: convert_value(item, depth) for name, item in value.items()}
            return {
                convert_key(name, depth): convert_value(item, depth) for name, item in value.items()
            }

        plain = convert_key is _identity and convert_value is _identity
        resolve(plain_map if plain else map_of)
        return plain_map if plain else map_of
