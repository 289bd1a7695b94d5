"""The OpenAPI 3.1 document and the validation of requests, by spectree and pydantic.

Routes opt in with ``@spec.validate(...)`` (strict mode: nothing else is
described). A request that breaks its schema never reaches the view: the hook
below turns pydantic's errors into a 422 problem with per-field messages.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from flask import Flask, Response, request
from spectree import SecurityScheme, SpecTree
from spectree.models import SecuritySchemeData

from factcheck.api.core import PROBLEM_JSON, problem
from factcheck.api.schemas import Problem

DESCRIPTION = (
    "The factcheck desk's JSON API. Authenticate with `Authorization: Bearer <token>` "
    "(tokens are made on the account page or with `factcheck tokens create`). Errors are "
    "`application/problem+json` (RFC 9457). See docs/api.md."
)


def _field_name(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location) or "body"


def _validation_problem(
    _request: Any, response: Response | None, error: Exception | None, _instance: Any, *_rest: Any
) -> None:
    """spectree's before-hook: on a validation error, rewrite its response as a problem."""
    if error is None or response is None:
        return
    errors: dict[str, list[str]] = {}
    for item in error.errors():  # type: ignore[attr-defined]
        message = str(item.get("msg", "is not valid")).removeprefix("Value error, ")
        errors.setdefault(_field_name(tuple(item.get("loc", ()))), []).append(message)
    where = "query string" if request.method in ("GET", "HEAD") else "request body"
    body = problem(422, f"The {where} has invalid fields: {', '.join(errors)}.", errors=errors)
    response.set_data(body.get_data())
    response.mimetype = PROBLEM_JSON


spec = SpecTree(
    "flask",
    mode="strict",
    title="factcheck API",
    version="1",
    description=DESCRIPTION,
    before=_validation_problem,
    validation_error_status=422,
    validation_error_model=Problem,
    security_schemes=[
        SecurityScheme(
            name="bearer", data=SecuritySchemeData(type="http", scheme="bearer", bearer_format="fct_…")
        )
    ],
    security={"bearer": []},
    annotations=True,
    # Plain names in the document (ClaimOut, ClaimState), shared by every schema that uses them.
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
)

_document: dict[str, Any] | None = None


def openapi_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document, with every 4xx body typed application/problem+json and the
    server's base path (made once per process: the routes do not change)."""
    global _document
    if _document is None:
        with app.app_context():
            document = copy.deepcopy(spec.spec)
        for path_item in document["paths"].values():
            for operation in path_item.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if status.startswith("4") and "application/json" in content:
                        content[PROBLEM_JSON] = content.pop("application/json")
        _document = json.loads(json.dumps(document))
    return _document
