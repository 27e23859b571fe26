"""The JSON Schema of the program format, for editors' TOML tooling (taplo, Even Better TOML)."""

from __future__ import annotations

from typing import Any

from spasmtimer.program import ProgramFile

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _without_nulls(node: Any) -> Any:
    """Drop the ``null`` alternatives pydantic writes for optional fields: TOML has no null."""
    if isinstance(node, list):
        return [_without_nulls(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _without_nulls(v) for k, v in node.items() if not (k == "default" and v is None)}
    options = out.get("anyOf")
    if isinstance(options, list):
        options = [o for o in options if o != {"type": "null"}]
        if len(options) == 1:
            del out["anyOf"]
            out = {**options[0], **out}
        else:
            out["anyOf"] = options
    return out


def program_schema() -> dict[str, Any]:
    schema: dict[str, Any] = _without_nulls(ProgramFile.model_json_schema())
    return {"$schema": SCHEMA_DIALECT, **schema}
