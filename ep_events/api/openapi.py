"""The OpenAPI 3.1 description of the read-only events API."""

from flask import current_app

from ep_events.bookings.kinds import all_kinds

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "parameter": {"type": "string"}},
    }},
}

EVENT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "kind", "programme", "title", "starts_at", "ends_at", "online", "venue", "places_left", "url",
                 "details"],
    "properties": {
        "id": {"type": "string", "description": "Stable identifier, e.g. surgery-date-12"},
        "kind": {"type": "string", "description": "The kind of programme; says which fields `details` has"},
        "programme": {"type": "object", "additionalProperties": False, "required": ["slug", "name"],
                      "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}},
        "title": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time", "description": "ISO 8601 with UTC offset"},
        "ends_at": {"type": "string", "format": "date-time", "description": "ISO 8601 with UTC offset"},
        "online": {"type": "boolean", "description": "Held online (Microsoft Teams) rather than at a venue"},
        "venue": {"type": ["string", "null"], "description": "Where it is held, when in person"},
        "places_left": {"type": "integer", "minimum": 0},
        "url": {"type": "string", "format": "uri", "description": "The page to book on"},
    },
}


def _details_schemas() -> dict:
    """One schema per programme kind for the event's `details`: the fields that kind adds."""
    return {f"{kind.key}_details": {
        "type": "object", "title": f"{kind.label}: details", "additionalProperties": False,
        "description": f"The `details` of an event whose `kind` is `{kind.key}`",
        "required": [field.name for field in kind.api_fields],
        "properties": {field.name: {"type": field.type, "description": field.description}
                       for field in kind.api_fields},
    } for kind in all_kinds()}


def _event_schema(details: dict) -> dict:
    properties = dict(EVENT["properties"])
    properties["details"] = {"description": "The fields this kind of programme adds",
                             "oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in details]}
    return EVENT | {"properties": properties}


def _json(schema_ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": schema_ref}}}


def openapi_document() -> dict:
    details = _details_schemas()
    return {
        "openapi": "3.1.0",
        "info": {"title": "EP Events API", "version": "1.0.0",
                 "description": "Read-only list of upcoming Early Permanence practice events."},
        "servers": [{"url": current_app.config["BASE_URL"]}],
        "paths": {
            "/api/v1/events": {"get": {
                "operationId": "listEvents",
                "summary": "Upcoming events of all programmes",
                "parameters": [
                    {"name": "programme", "in": "query", "required": False, "schema": {"type": "string"},
                     "description": "Only this programme's events (its slug)"},
                    {"name": "from", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
                     "description": "Only events starting on or after this date (UTC)"},
                    {"name": "to", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
                     "description": "Only events starting on or before this date (UTC)"},
                ],
                "responses": {
                    "200": {"description": "Events, earliest first",
                            "content": {"application/json": {"schema": {
                                "type": "array", "items": {"$ref": "#/components/schemas/Event"}}}}},
                    "400": {"description": "A parameter is not valid", "content": _json("#/components/schemas/Error")},
                },
            }},
            "/api/v1/events/{id}": {"get": {
                "operationId": "getEvent",
                "summary": "One upcoming event",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "The event", "content": _json("#/components/schemas/Event")},
                    "404": {"description": "No upcoming event has this id",
                            "content": _json("#/components/schemas/Error")},
                },
            }},
        },
        "components": {"schemas": {"Event": _event_schema(details), "Error": ERROR} | details},
    }
