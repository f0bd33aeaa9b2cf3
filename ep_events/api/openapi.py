"""The OpenAPI 3.1 description of the read-only events API."""

from flask import current_app

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
    "required": ["id", "programme", "title", "starts_at", "ends_at", "places_left", "url"],
    "properties": {
        "id": {"type": "string", "description": "Stable identifier, e.g. surgery-date-12"},
        "programme": {"type": "object", "additionalProperties": False, "required": ["slug", "name"],
                      "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}},
        "title": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time", "description": "ISO 8601 with UTC offset"},
        "ends_at": {"type": "string", "format": "date-time", "description": "ISO 8601 with UTC offset"},
        "places_left": {"type": "integer", "minimum": 0},
        "url": {"type": "string", "format": "uri", "description": "The page to book on"},
    },
}


def _json(schema_ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": schema_ref}}}


def openapi_document() -> dict:
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
        "components": {"schemas": {"Event": EVENT, "Error": ERROR}},
    }
