"""The notice under the headline of a corrected or updated check, linking to its note."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from factcheck.claims.models import Claim
from factcheck.publishing.models import Publication, PublicationKind
from tests.public.conftest import when
from tests.public.reader import text_of, tree

PublishedCheck = Callable[..., Claim]
ReviseCheck = Callable[..., Publication]


def test_a_corrected_check_says_so_under_the_headline_and_links_to_the_note(
    client: FlaskClient, published_check: PublishedCheck, revise_check: ReviseCheck
) -> None:
    claim = published_check(published_at=when(5))
    revise_check(
        claim, PublicationKind.UPDATE, "Russia displayed the missile on 23 January.", published_at=when(7)
    )
    revise_check(
        claim,
        PublicationKind.CORRECTION,
        "The first version gave the wrong treaty date.",
        published_at=when(9),
    )
    response = client.get(f"/checks/{claim.slug}")
    notice = text_of(response, "revision-notice")
    assert notice == "This fact check was corrected on 9 February 2019. Read the correction note."
    assert tree(response).xpath('//p[@id="revision-notice"]/a/@href') == ["#note-3"]
    note = tree(response).xpath('//li[@id="note-3"]')[0]
    assert "The first version gave the wrong treaty date." in note.text_content()


def test_an_updated_check_says_updated(
    client: FlaskClient, published_check: PublishedCheck, revise_check: ReviseCheck
) -> None:
    claim = published_check(published_at=when(5))
    revise_check(
        claim, PublicationKind.UPDATE, "Russia displayed the missile on 23 January.", published_at=when(7)
    )
    response = client.get(f"/checks/{claim.slug}")
    assert text_of(response, "revision-notice").startswith("This fact check was updated on 7 February 2019.")


def test_no_notice_before_any_revision_nor_beside_a_retraction(
    client: FlaskClient, published_check: PublishedCheck, revise_check: ReviseCheck
) -> None:
    claim = published_check(published_at=when(5))
    assert 'id="revision-notice"' not in client.get(f"/checks/{claim.slug}").get_data(as_text=True)
    revise_check(claim, PublicationKind.RETRACTION, "The quote was not the ministry's.", published_at=when(8))
    page = client.get(f"/checks/{claim.slug}").get_data(as_text=True)
    assert 'id="revision-notice"' not in page
    assert 'id="retraction-notice"' in page
