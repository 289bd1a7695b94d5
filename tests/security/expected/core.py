"""Expected access to the foundation's routes: accounts, admin, claims pages, audit."""

from __future__ import annotations

from tests.security.expected.world import LOGIN, Expected

# (endpoint, method): (anonymous, reviewer, editor, admin)
EXPECTED: Expected = {
    # Public: the gate lets static files through by name, so list them here explicitly.
    ("static", "GET"): (200, 200, 200, 200),
    # Signed out, the home page leads to the published checks; signed in, it is what waits for you.
    ("main.home", "GET"): (302, 200, 200, 200),
    ("main.health", "GET"): (200, 200, 200, 200),
    # Signed-in visitors are sent on from the login page.
    ("accounts.login", "GET"): (200, 302, 302, 302),
    ("accounts.login", "POST"): (422, 302, 302, 302),
    # The language switcher, on every page: signed out a cookie, signed in the person's setting;
    # then back to the page (an empty form changes nothing).
    ("language.choose", "POST"): (302, 302, 302, 302),
    # Any account; signing out ends on the sign-in page too.
    ("accounts.logout", "POST"): (LOGIN, LOGIN, LOGIN, LOGIN),
    ("accounts.account", "GET"): (LOGIN, 200, 200, 200),
    ("accounts.account", "POST"): (LOGIN, 422, 422, 422),
    # Admins only.
    ("user_admin.index", "GET"): (LOGIN, 403, 403, 200),
    ("user_admin.create", "GET"): (LOGIN, 403, 403, 200),
    ("user_admin.create", "POST"): (LOGIN, 403, 403, 422),
    ("user_admin.edit", "GET"): (LOGIN, 403, 403, 200),
    # An empty form keeps the user's role and enables them: a valid save.
    ("user_admin.edit", "POST"): (LOGIN, 403, 403, 302),
    # The desk: every team member.
    ("claims.index", "GET"): (LOGIN, 200, 200, 200),
    ("claims.show", "GET"): (LOGIN, 200, 200, 200),
    ("claims.history", "GET"): (LOGIN, 200, 200, 200),
    ("claims.revision", "GET"): (LOGIN, 200, 200, 200),
    # The system-wide audit log: editors and admins.
    ("audit.log", "GET"): (LOGIN, 403, 200, 200),
    ("audit.export_csv", "GET"): (LOGIN, 403, 200, 200),
    ("audit.export_ndjson", "GET"): (LOGIN, 403, 200, 200),
    # The chain status and the security log: admins.
    ("audit.chain_status", "GET"): (LOGIN, 403, 403, 200),
    ("audit.verify_now", "POST"): (LOGIN, 403, 403, 302),
    ("audit.security_log", "GET"): (LOGIN, 403, 403, 200),
}


ARGUMENTS = {
    "filename": lambda _world: "css/app.css",
    "user_id": lambda world: world.user.id,
    "claim_id": lambda world: world.claim.id,
    "revision": lambda world: world.revision,
}
