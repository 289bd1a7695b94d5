"""Expected access to the JSON API and the account page's token routes.

The visitors here sign in with the session cookie, which the API never reads:
every API route that needs a token answers 401 to all of them (problem+json),
and only the OpenAPI document and its documentation page are open. The token in
the routes belongs to another person, so only an admin may revoke it.
"""

from __future__ import annotations

from factcheck.api import tokens
from tests.security.expected.world import LOGIN, Expected, World

NO_TOKEN = (401, 401, 401, 401)

EXPECTED: Expected = {
    # An empty form is a valid request: a read-only token, named after its scope.
    ("accounts.create_token", "POST"): (LOGIN, 201, 201, 201),
    ("accounts.revoke_token", "POST"): (LOGIN, 403, 403, 302),
    ("api.openapi", "GET"): (200, 200, 200, 200),
    ("api.docs", "GET"): (200, 200, 200, 200),
    ("api.docs_asset", "GET"): (200, 200, 200, 200),
    ("api.me", "GET"): NO_TOKEN,
    ("api.create_document", "POST"): NO_TOKEN,
    ("api.get_document", "GET"): NO_TOKEN,
    ("api.create_claim", "POST"): NO_TOKEN,
    ("api.get_claim", "GET"): NO_TOKEN,
    ("api.update_claim", "PATCH"): NO_TOKEN,
    ("api.list_claims", "GET"): NO_TOKEN,
    ("api.claim_transitions", "GET"): NO_TOKEN,
    ("api.transition_claim", "POST"): NO_TOKEN,
    ("api.list_sources", "GET"): NO_TOKEN,
    ("api.create_source", "POST"): NO_TOKEN,
    ("api.list_comments", "GET"): NO_TOKEN,
    ("api.create_comment", "POST"): NO_TOKEN,
    ("api.list_ratings", "GET"): NO_TOKEN,
    ("api.rate_claim", "PUT"): NO_TOKEN,
    ("api.get_verdict", "GET"): NO_TOKEN,
    ("api.put_verdict", "PUT"): NO_TOKEN,
    ("api.list_publications", "GET"): NO_TOKEN,
    ("api.create_publication", "POST"): NO_TOKEN,
    ("api.get_history", "GET"): NO_TOKEN,
    ("api.export_claims", "GET"): NO_TOKEN,
}


def _token_id(world: World) -> int:
    made = tokens.issue_token(world.db, world.user, name="subject's script", scope="write")
    return made.record.id


ARGUMENTS = {
    "name": lambda _world: "swagger-ui.css",
    "token_id": lambda world: world.get("token_id", _token_id),
}
