"""OpenAPI 3 document built from the marshmallow schemas of the API."""
import re

from marshmallow import RAISE, fields, validate

SIMPLE_TYPES = (
    (fields.Integer, {"type": "integer"}),
    (fields.Float, {"type": "number"}),
    (fields.Boolean, {"type": "boolean"}),
    (fields.DateTime, {"type": "string", "format": "date-time"}),
    (fields.Date, {"type": "string", "format": "date"}),
    (fields.String, {"type": "string"}),
    (fields.Dict, {"type": "object"}),
)


def field_schema(field):
    """Return the JSON Schema of one marshmallow FIELD."""
    if isinstance(field, fields.Nested):
        schema = {"$ref": f"#/components/schemas/{schema_name(field.schema)}"}
    elif isinstance(field, fields.List):
        schema = {"type": "array", "items": field_schema(field.inner)}
    else:
        schema = next((dict(s) for kind, s in SIMPLE_TYPES
                       if isinstance(field, kind)), {})
    for rule in field.validators:
        schema.update(validator_schema(rule))
    if field.allow_none and "$ref" not in schema:
        schema["nullable"] = True
    if field.metadata.get("description"):
        schema["description"] = field.metadata["description"]
    return schema


def validator_schema(rule):
    if isinstance(rule, validate.OneOf):
        return {"enum": list(rule.choices)}
    if isinstance(rule, validate.Length):
        return {key: value for key, value in
                (("minLength", rule.min), ("maxLength", rule.max)) if value}
    if isinstance(rule, validate.Regexp):
        return {"pattern": rule.regex.pattern}
    if isinstance(rule, validate.Range):
        return {key: value for key, value in
                (("minimum", rule.min), ("maximum", rule.max)) if value is not None}
    return {}


def schema_name(schema):
    name = type(schema).__name__
    return name[:-len("Schema")] if name.endswith("Schema") else name


def object_schema(schema, strict=False):
    """Return the JSON Schema of a marshmallow SCHEMA instance.

    STRICT forbids other properties, as loading a request body does
    (marshmallow raises on unknown fields by default).
    """
    result = {"type": "object", "properties": {
        name: field_schema(field) for name, field in schema.fields.items()}}
    required = [name for name, field in schema.fields.items() if field.required]
    if required:
        result["required"] = required
    if strict and schema.unknown == RAISE:
        result["additionalProperties"] = False
    return result


def body(schema, many=False):
    ref = {"$ref": f"#/components/schemas/{schema_name(schema)}"}
    if many:
        ref = {"type": "array", "items": ref}
    return {"content": {"application/json": {"schema": ref}}}


def collect(schema, found, strict=False):
    found[schema_name(schema)] = object_schema(schema, strict)
    for field in schema.fields.values():
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            collect(inner.schema, found, strict)


def operation(route, error_schema):
    op = {"summary": route.summary, "responses": {
        "default": {"description": "lỗi", **body(error_schema)}}}
    if route.response is not None:
        op["responses"]["200"] = {"description": "OK",
                                  **body(route.response, route.many)}
    else:
        op["responses"]["200"] = {"description": "OK"}
    if route.files:
        op["responses"]["200"] = {"description": "OK", "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in route.files}}
    if route.request is not None:
        op["requestBody"] = {"required": True, **body(route.request)}
    params = path_parameters(route) + query_parameters(route.query)
    if params:
        op["parameters"] = params
    if route.method != "GET" and route.path != "/api/v1/login":
        op["security"] = [{"session": [], "csrf": []}]
    return op


def path_parameters(route):
    """Return the path parameters of ROUTE, typed by its path schema."""
    declared = route.path_schema.fields if route.path_schema else {}
    params = []
    for name in route.path_params:
        if name in declared:
            schema = field_schema(declared[name])
        elif name in route.int_params:
            schema = {"type": "integer"}
        else:
            schema = {"type": "string"}
        params.append({"name": name, "in": "path", "required": True,
                       "schema": schema})
    return params


def query_parameters(schema):
    """Return the query parameters that the marshmallow SCHEMA reads."""
    if schema is None:
        return []
    return [{"name": name, "in": "query", "required": field.required,
             "schema": field_schema(field)}
            for name, field in schema.fields.items()]


def build_document(routes, error_schema):
    """Return the OpenAPI 3.0 document describing ROUTES."""
    paths, components = {}, {}
    collect(error_schema, components)
    for route in routes:
        if route.response is not None:
            collect(route.response, components)
        if route.request is not None:
            collect(route.request, components, strict=True)
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.path)
        paths.setdefault(path, {})[route.method.lower()] = operation(
            route, error_schema)
    return {
        "openapi": "3.0.3",
        "info": {"title": "THADS decisions API", "version": "1"},
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "thads_session"},
            "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
        }},
    }
