"""The API's docs page: the OpenAPI document laid out for people (no script, so it
works under the site's Content-Security-Policy and on a phone), made from the very
document ``/api/openapi.json`` serves."""
from __future__ import annotations

from dataclasses import dataclass

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Line:
    name: str
    text: str
    ref: str | None = None  # a schema this line points to


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    parameters: list[Line]
    responses: list[Line]


def _resolve(spec: dict, item: dict) -> dict:
    while "$ref" in item:
        section, name = item["$ref"].split("/")[-2:]
        item = spec["components"][section][name]
    return item


def describe(schema: dict | None) -> tuple[str, str | None]:
    """A schema in a few words, and the named schema it points to, if any."""
    if not schema:
        return "any", None
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return name, name
    if schema.get("type") == "array":
        text, ref = describe(schema.get("items"))
        return f"list of {text}", ref
    kind = schema.get("type") or "object"
    text = kind if isinstance(kind, str) else " | ".join(kind)
    if schema.get("format"):
        text += f" ({schema['format']})"
    if schema.get("enum"):
        text += ": " + ", ".join(str(v) for v in schema["enum"] if v is not None)
    if "minimum" in schema or "maximum" in schema:
        text += f" [{schema.get('minimum', '')}…{schema.get('maximum', '')}]"
    if "maxLength" in schema:
        text += f", at most {schema['maxLength']} characters"
    if "pattern" in schema:
        text += f", matching {schema['pattern']}"
    if "default" in schema:
        text += f", default {schema['default']}"
    return text, None


def operations(spec: dict) -> list[Operation]:
    out = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            params = []
            for raw in [*item.get("parameters", []), *op.get("parameters", [])]:
                p = _resolve(spec, raw)
                text, ref = describe(p.get("schema"))
                where = p["in"] + (", required" if p.get("required") else "")
                note = f". {p['description']}" if p.get("description") else ""
                params.append(Line(p["name"], f"({where}) {text}{note}", ref))
            responses = []
            for status, raw in op.get("responses", {}).items():
                r = _resolve(spec, raw)
                for ctype, body in (r.get("content") or {"": {}}).items():
                    text, ref = describe(body.get("schema")) if body else ("", None)
                    bits = [r.get("description", ""), ctype, text if body else ""]
                    responses.append(Line(status, " · ".join(b for b in bits if b), ref))
            out.append(Operation(method.upper(), path, op.get("summary", ""), params,
                                 responses))
    return out


def schemas(spec: dict) -> list[tuple[str, str, list[Line]]]:
    out = []
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        required = set(schema.get("required", []))
        lines = []
        for field, prop in (schema.get("properties") or {}).items():
            text, ref = describe(prop)
            note = f". {prop['description']}" if prop.get("description") else ""
            lines.append(Line(field + (" *" if field in required else ""), text + note, ref))
        out.append((name, schema.get("description", ""), lines))
    return out
