"""The JSON API at /api/v1/ (docs/api.md): tokens, conventions, the OpenAPI document, resources."""
