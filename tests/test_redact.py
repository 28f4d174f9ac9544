"""One place masks secrets: URLs, any message of the error tree, excerpts of bodies."""

from __future__ import annotations

from yenflow.errors import FetchError, ParseError, StoreError
from yenflow.redact import Redactor, redact, redact_url, register_secret

KEY = "fedcba9876543210fedcba9876543210"


def test_query_parameters_and_known_secrets_are_masked():
    assert (
        redact_url("https://x.test/a?api_key=zz&id=3") == "https://x.test/a?api_key=REDACTED&id=3"
    )
    r = Redactor((KEY,))
    assert r(f"see {KEY} and %s" % KEY.upper()) == f"see REDACTED and {KEY.upper()}"
    assert r(f"https://x/?q=1&token={KEY}") == "https://x/?q=1&token=REDACTED"


def test_a_key_cut_in_the_middle_of_an_excerpt_is_masked():
    r = Redactor((KEY,))
    assert KEY[:14] not in r(f'{{"error_message": "api_key {KEY[:14]}...')


def test_every_error_of_the_tree_is_redacted_when_created():
    register_secret(KEY)
    body = f'{{"error_code": 400, "error_message": "Bad Request. api_key {KEY} is not registered"}}'
    errors = [
        ParseError("not JSON observations", source="fred", location="fred/X.json", found=body),
        FetchError(f"HTTP 400: {body}", source="fred", location=f"https://api.test/?k={KEY}"),
        StoreError(f"cannot write {KEY}"),
    ]
    for err in errors:
        assert KEY not in str(err) and "REDACTED" in str(err)
    assert KEY not in (errors[0].found or "") and KEY not in (errors[1].location or "")
    assert KEY not in redact(f"anything {KEY}")
