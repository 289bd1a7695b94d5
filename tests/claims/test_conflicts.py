"""Two people editing the same claim: the second save is refused with what the first changed,
and keeps what the second typed."""

from __future__ import annotations

import pytest
from sqlalchemy.orm.exc import StaleDataError

from factcheck.accounts.models import Role
from factcheck.claims import editing, views
from factcheck.claims.models import ClaimState
from factcheck.claims.workflow import transition
from factcheck.web.conflicts import EditConflict
from tests.claims.desk import acting_as, field_value, hidden_fields, make_claim, page_text, stored_claim
from tests.conftest import PASSWORD


@pytest.fixture
def people(make_user):
    return {
        "anna": make_user(Role.REVIEWER, name="Anna Reviewer"),
        "ben": make_user(Role.REVIEWER, name="Ben Reviewer"),
    }


@pytest.fixture
def claim(db_session, people):
    return make_claim(
        db_session, people["anna"], text="The treaty banned missiles with ranges of 500 to 5,500 km."
    )


def signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def typed(form_page, **changes):
    """What a person sends after loading the edit form and typing ``changes`` into it."""
    fields = hidden_fields(form_page)
    data = {
        "text": field_value(form_page, "text"),
        "claimant": field_value(form_page, "claimant"),
        "claimed_on": field_value(form_page, "claimed_on"),
        "review_by": field_value(form_page, "review_by"),
        "version": fields["version"],
    }
    data.update(changes)
    return data


def test_the_second_save_gets_a_conflict_page_and_can_then_save(app, db_session, people, claim):
    anna = signed_in(app, people["anna"])
    ben = signed_in(app, people["ben"])
    anna_form = anna.get(f"/claims/{claim.id}/edit")
    ben_form = ben.get(f"/claims/{claim.id}/edit")

    first = anna.post(
        f"/claims/{claim.id}/edit",
        data=typed(
            anna_form, text="The treaty banned ground-launched missiles with ranges of 500 to 5,500 km."
        ),
    )
    assert first.status_code == 302

    ben_text = "The INF Treaty banned missiles with ranges of 500 to 5,500 km."
    second = ben.post(
        f"/claims/{claim.id}/edit", data=typed(ben_form, text=ben_text, claimant="Ben's claimant")
    )

    assert second.status_code == 409
    page = page_text(second)
    assert "Someone else changed this claim while you were editing" in page
    assert "Anna Reviewer" in page
    # Anna's change, word by word.
    assert "<ins> ground-launched</ins>" in second.get_data(as_text=True)
    # Ben's typing is kept, and the form is now based on Anna's version.
    assert field_value(second, "text") == ben_text
    assert field_value(second, "claimant") == "Ben's claimant"
    assert hidden_fields(second)["version"] == "2"
    saved = stored_claim(db_session, claim)
    assert saved.text.startswith("The treaty banned ground-launched")
    assert saved.claimant == "Russian Ministry of Defence"

    # Saving again is a deliberate choice to replace Anna's wording.
    again = ben.post(f"/claims/{claim.id}/edit", data=typed(second))
    assert again.status_code == 302
    saved = stored_claim(db_session, claim)
    assert (saved.text, saved.claimant, saved.version) == (ben_text, "Ben's claimant", 3)


def test_a_conflict_saves_nothing(app, db_session, people, claim):
    anna = signed_in(app, people["anna"])
    form = anna.get(f"/claims/{claim.id}/edit")
    acting_as(db_session, people["ben"])
    claim.claimant = "NATO"
    db_session.commit()

    response = anna.post(
        f"/claims/{claim.id}/edit", data=typed(form, text="Anna's wording", claimant="Anna's")
    )

    assert response.status_code == 409
    assert "changed the claimant of the claim from Russian Ministry of Defence to NATO" in page_text(response)
    saved = stored_claim(db_session, claim)
    assert (saved.text, saved.claimant, saved.version) == (claim.text, "NATO", 2)


def test_a_workflow_step_meanwhile_is_not_a_conflict(app, db_session, people, claim):
    anna = signed_in(app, people["anna"])
    form = anna.get(f"/claims/{claim.id}/edit")
    ben = people["ben"]
    acting_as(db_session, ben)
    transition(db_session, claim, ben, ClaimState.RESEARCHING, min_ratings=2)
    db_session.commit()
    assert stored_claim(db_session, claim).version == 2

    response = anna.post(f"/claims/{claim.id}/edit", data=typed(form, text="Anna's wording"))

    assert response.status_code == 302
    saved = stored_claim(db_session, claim)
    assert (saved.text, saved.state) == ("Anna's wording", ClaimState.RESEARCHING)


def test_a_state_change_and_a_wording_change_meanwhile_is_a_conflict(app, db_session, people, claim):
    anna = signed_in(app, people["anna"])
    form = anna.get(f"/claims/{claim.id}/edit")
    ben = people["ben"]
    acting_as(db_session, ben)
    transition(db_session, claim, ben, ClaimState.RESEARCHING, min_ratings=2)
    db_session.commit()
    claim.review_by = claim.created_at.date()
    db_session.commit()

    response = anna.post(f"/claims/{claim.id}/edit", data=typed(form, text="Anna's wording"))

    assert response.status_code == 409
    page = page_text(response)
    assert "changed the review-by date of the claim" in page
    assert "changed the state of the claim from New to Researching" in page


@pytest.mark.parametrize("version", ["", "0", "99", "abc"])
def test_a_missing_or_impossible_version_is_never_saved(client, login_as, db_session, claim, version):
    login_as(Role.REVIEWER)

    response = client.post(
        f"/claims/{claim.id}/edit",
        data={"text": "Overwrite", "claimant": "X", "version": version},
    )

    assert response.status_code in (409, 422)
    assert stored_claim(db_session, claim).text != "Overwrite"


def test_a_save_racing_past_the_check_is_a_conflict_too(app, db_session, people, claim, monkeypatch):
    """Two saves in the same instant: the version check passes for both, the database refuses the second."""
    anna = signed_in(app, people["anna"])
    form = anna.get(f"/claims/{claim.id}/edit")

    # Ben's save lands while Anna's request is between its version check and its write;
    # here it is committed first, and the check is made to pass as it would in that instant.
    acting_as(db_session, people["ben"])
    claim.text = "Ben's wording, saved first."
    db_session.commit()

    def racing(db, actor, record, values, *, based_on):
        raise StaleDataError(
            "UPDATE statement on table 'claims' expected to update 1 row(s); 0 were matched."
        )

    monkeypatch.setattr(views.editing, "edit_claim", racing)
    response = anna.post(f"/claims/{claim.id}/edit", data=typed(form, text="Anna's wording"))

    assert response.status_code == 409
    assert field_value(response, "text") == "Anna's wording"
    assert "Ben Reviewer" in page_text(response)
    assert stored_claim(db_session, claim).text == "Ben's wording, saved first."


def test_the_database_refuses_a_stale_write(db_session, session_factory, people, claim):
    """The guard behind the check: SQLAlchemy's version counter, at flush."""
    other = session_factory()
    acting_as(other, people["ben"])
    theirs = other.get(type(claim), claim.id)
    acting_as(db_session, people["anna"])
    editing.edit_claim(db_session, people["anna"], claim, editing.ClaimValues("Anna's", "A"), based_on=1)
    db_session.commit()

    # Ben's session still holds version 1, and believes its check passed.
    editing.check_claim_version(other, theirs, 1)
    theirs.text = "Ben's"
    with pytest.raises(StaleDataError):
        other.flush()
    other.rollback()
    other.close()


def test_the_operation_says_which_version_it_conflicts_with(db_session, people, claim):
    acting_as(db_session, people["anna"])
    editing.edit_claim(db_session, people["anna"], claim, editing.ClaimValues("One", "A"), based_on=1)
    db_session.commit()

    with pytest.raises(EditConflict) as conflict:
        editing.edit_claim(db_session, people["ben"], claim, editing.ClaimValues("Two", "B"), based_on=1)

    assert (conflict.value.record.id, conflict.value.based_on, claim.version) == (claim.id, 1, 2)
    assert editing.columns_changed_since(db_session, claim, 1) >= {"text", "claimant", "version"}
    assert editing.columns_changed_since(db_session, claim, 2) == set()
