"""Expected access to the rating scale's translations: admins only (an empty form is refused: 422)."""

from __future__ import annotations

from sqlalchemy import select

from factcheck.ratings.models import RatingLabel
from tests.security.expected.world import LOGIN, Expected

# (endpoint, method): (anonymous, reviewer, editor, admin)
EXPECTED: Expected = {
    ("rating_scale.index", "GET"): (LOGIN, 403, 403, 200),
    ("rating_scale.edit", "GET"): (LOGIN, 403, 403, 200),
    ("rating_scale.edit", "POST"): (LOGIN, 403, 403, 422),
}
# A label of the scale the migrations install.
ARGUMENTS = {
    "label_id": lambda world: world.db.scalars(select(RatingLabel.id).order_by(RatingLabel.id)).first()
}
