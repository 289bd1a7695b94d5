"""The API's own pages: who am I, the OpenAPI document and its documentation page."""

from __future__ import annotations

import os

import flask_swagger_ui
from flask import Response, current_app, g, render_template, send_from_directory
from flask_login import current_user
from spectree import Response as Responses
from werkzeug.exceptions import NotFound

from factcheck.api.core import bp, json_response
from factcheck.api.schemas import MeOut, Problem
from factcheck.api.spec import openapi_document, spec
from factcheck.security.permissions import Permission, can, public, requires

# Swagger UI's files as the flask-swagger-ui package ships them: served from here, never a CDN.
SWAGGER_UI_DIR = os.path.join(os.path.dirname(flask_swagger_ui.__file__), "dist")
SWAGGER_UI_FILES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"})


@bp.get("/me")
@requires(Permission.USE_ACCOUNT)
@spec.validate(resp=Responses(HTTP_200=MeOut, HTTP_401=Problem), tags=["me"])
def me() -> Response:
    """The token's user, their permissions, and the token."""
    token = g.api_token
    return json_response(
        {
            "id": current_user.id,
            "name": current_user.name,
            "email": current_user.email,
            "role": str(current_user.role),
            "permissions": [str(permission) for permission in Permission if can(current_user, permission)],
            "token": {
                "prefix": token.prefix,
                "name": token.name,
                "scope": str(token.scope),
                "created_at": token.created_at,
                "expires_at": token.expires_at,
            },
        }
    )


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    return json_response(openapi_document(current_app))


@bp.get("/docs")
@public
def docs() -> Response:
    # The page loads Swagger UI and static/js/api-docs.js: no inline script, as the CSP demands.
    return render_template("api/docs.html")


@bp.get("/docs/assets/<name>")
@public
def docs_asset(name: str) -> Response:
    if name not in SWAGGER_UI_FILES:
        raise NotFound()
    return send_from_directory(SWAGGER_UI_DIR, name, max_age=86400)
