"""``/api/docs``: a browsable reference generated from the OpenAPI document on the server, as
plain HTML with no script (works offline in a venue and under the strict CSP; Swagger UI would
load from a CDN)."""

from __future__ import annotations

import html
from typing import Any

JSON = dict[str, Any]
STYLE = """body{font:15px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;margin:2em auto;
max-width:70em;padding:0 1em;color:#222}code,pre{font:13px ui-monospace,monospace}
h2{border-bottom:1px solid #ccc;margin-top:2em}h3{margin-bottom:.2em}
.op{margin:1em 0;padding:.5em 1em;border-left:4px solid #4a7}.m{font-weight:bold;color:#375}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left;
vertical-align:top}nav a{margin-right:1em}"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _type(schema: JSON) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f'<a href="#{_e(name)}">{_e(name)}</a>'
    if schema.get("type") == "array":
        return f"[{_type(schema.get('items', {}))}]"
    if "enum" in schema:
        return "enum: " + ", ".join(_e(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    fmt = schema.get("format")
    return _e(f"{kind} ({fmt})" if fmt else kind)


def _schema_table(name: str, schema: JSON) -> str:
    rows = "".join(
        f"<tr><td><code>{_e(field)}</code></td><td>{_type(sub)}</td></tr>"
        for field, sub in schema.get("properties", {}).items()
    )
    body = f"<table><tr><th>field</th><th>type</th></tr>{rows}</table>" if rows else _type(schema)
    return f'<h3 id="{_e(name)}">{_e(name)}</h3>{body}'


def docs_html(document: JSON) -> str:
    title, version = _e(document["info"]["title"]), _e(document["info"]["version"])
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{title} <small>{version}</small></h1>",
        f"<p>{_e(document['info']['description'])}</p>",
        '<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1). '
        "Errors: <code>{reason, message, status}</code>; reasons in docs/errors.md.</p>",
    ]
    by_tag: dict[str, list[tuple[str, str, JSON]]] = {}
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            by_tag.setdefault(op["tags"][0], []).append((path, method, op))
    parts.append(
        "<nav>" + "".join(f'<a href="#tag-{_e(t)}">{_e(t)}</a>' for t in by_tag) + "</nav>"
    )
    for tag, ops in by_tag.items():
        parts.append(f'<h2 id="tag-{_e(tag)}">{_e(tag)}</h2>')
        for path, method, op in ops:
            request = op.get("requestBody", {}).get("content", {})
            response = op.get("responses", {}).get("200", {}).get("content", {})
            req = next(iter(request.values()), {}).get("schema")
            resp = next(iter(response.values()), {}).get("schema")
            parts.append(
                f'<div class="op"><span class="m">{_e(method.upper())}</span> '
                f"<code>{_e(path)}</code> — {_e(op['summary'])}"
                + (f"<br>{_e(op['description'])}" if op.get("description") else "")
                + (f"<br>request: {_type(req)}" if req else "")
                + (f"<br>answer: {_type(resp)}" if resp else "")
                + "</div>"
            )
    parts.append("<h2>Schemas</h2>")
    for name, schema in document["components"]["schemas"].items():
        parts.append(_schema_table(name, schema))
    parts.append("</body></html>")
    return "".join(parts)
