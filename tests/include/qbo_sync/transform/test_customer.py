from __future__ import annotations

from qbo_sync.extract.records import Client
from qbo_sync.transform.customer import customer_payload, display_name, has_name, without_tab_or_newline


def client(cid=123456, first="Jane", last="Smith", company=None, email="jane@example.com", parent=None):
    return Client(cid, 1, first, last, company, email, "0400 000 000", parent)


def test_default_template_tags_the_last_five_digits():
    assert display_name(client()) == "Jane Smith (23456)"
    assert display_name(client(cid=42)) == "Jane Smith (00042)"


def test_two_people_with_one_name_get_different_display_names():
    assert display_name(client(cid=1)) != display_name(client(cid=2))


def test_company_only_client_uses_the_company_name():
    assert display_name(client(first=None, last=None, company="Acme Pty Ltd"), "{name}") == "Acme Pty Ltd"


def test_plain_template_with_differentiator_suffix():
    assert display_name(client(), "{name}", suffix=2) == "Jane Smith - 2"


def test_colon_is_not_allowed_in_a_display_name():
    assert ":" not in display_name(client(first="Dr:", last="Who"), "{name}")


def test_tab_and_newline_are_replaced_in_the_display_name_and_its_parts():
    weird = client(first="Jane\tAnn", last="Smith\r\nJones", company="Acme\n\tPty")
    # A tenant's template may carry them too: the rule applies to the finished name.
    name = display_name(weird, "{name}\t({tag})")
    assert name == "Jane Ann Smith Jones (23456)"
    body = customer_payload(weird, display=name)
    for key in ("DisplayName", "GivenName", "FamilyName", "CompanyName"):
        assert not any(c in body[key] for c in "\t\r\n"), key
    assert without_tab_or_newline("a\t\tb\nc") == "a b c"
    assert without_tab_or_newline("plain: name") == "plain: name"  # the colon has its own rule


def test_display_name_fits_quickbooks_limit():
    assert len(display_name(client(first="A" * 600))) <= 500
    assert display_name(client(first="A" * 600)).endswith("(23456)")


def test_has_name_needs_first_and_last_or_company():
    assert has_name(client())
    assert has_name(client(first=None, last=None, company="Acme"))
    assert not has_name(client(first="Jane", last=None))
    assert not has_name(client(first="  ", last="", company=None))


def test_sub_customer_payload_points_at_its_parent():
    payload = customer_payload(client(parent=5), display="Jane Smith (23456)", parent_qbo_id="77")
    assert payload["Job"] is True and payload["ParentRef"] == {"value": "77"}
    assert payload["PrimaryEmailAddr"] == {"Address": "jane@example.com"}
    assert payload["GivenName"] == "Jane" and payload["FamilyName"] == "Smith"


def test_overlong_email_is_not_sent():
    payload = customer_payload(client(email="x" * 101), display="x")
    assert "PrimaryEmailAddr" not in payload
