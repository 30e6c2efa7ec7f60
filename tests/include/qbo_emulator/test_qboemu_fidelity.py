"""Independent open-source clients, UNCHANGED, against the emulator.

python-quickbooks and intuit-oauth (intuitlib) only get their base URL and discovery URL
pointed at the emulator, the way one would point them at Intuit's sandbox.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import intuitlib.config
import pytest
from intuitlib.client import AuthClient
from intuitlib.exceptions import AuthClientError
from quickbooks import QuickBooks, exceptions
from quickbooks.batch import batch_create
from quickbooks.cdc import change_data_capture
from quickbooks.objects.base import LinkedTxn, Ref
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.payment import Payment, PaymentLine


@pytest.fixture
def pointed(qbo, monkeypatch):
    """Point intuitlib's sandbox discovery URL and python-quickbooks' sandbox API URL at the emulator."""
    monkeypatch.setitem(intuitlib.config.DISCOVERY_URL, "sandbox", qbo.sandbox_discovery_url)
    monkeypatch.setattr(QuickBooks, "sandbox_api_url_v3", qbo.api_url)
    # requests-oauthlib refuses plain http unless told the transport is a test one.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    return qbo


@pytest.fixture
def client(pointed):
    info = pointed.create_company(region="AU")
    auth = AuthClient(info["client_id"], info["client_secret"], "https://billing.example.com/callback", "sandbox")
    auth.refresh(refresh_token=info["refresh_token"])
    qb = QuickBooks(auth_client=auth, refresh_token=auth.refresh_token, company_id=info["realm_id"], minorversion=75)
    return qb, info, auth


def _ref(value):
    ref = Ref()
    ref.value = value
    return ref


def _invoice(qb, info, customer, amount=100, doc_number=None):
    line = SalesItemLine()
    line.Amount = amount
    line.Description = "Consultation"
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = _ref(info["service_item_id"])
    line.SalesItemLineDetail.TaxCodeRef = _ref(info["tax_codes"]["GST"])
    invoice = Invoice()
    invoice.CustomerRef = customer.to_ref()
    invoice.Line.append(line)
    invoice.DocNumber = doc_number
    return invoice.save(qb=qb)


def test_intuitlib_refresh_rotates_and_revoke(pointed):
    info = pointed.create_company(region="US")
    auth = AuthClient(info["client_id"], info["client_secret"], "https://billing.example.com/callback", "sandbox")
    assert auth.token_endpoint == pointed.token_url
    auth.refresh(refresh_token=info["refresh_token"])
    assert auth.access_token and auth.refresh_token != info["refresh_token"]
    assert auth.expires_in == 3600 and auth.x_refresh_token_expires_in == 8726400
    bad = AuthClient(info["client_id"], "wrong-secret", "https://billing.example.com/callback", "sandbox")
    with pytest.raises(AuthClientError) as raised:
        bad.refresh(refresh_token=auth.refresh_token)
    assert raised.value.status_code == 401
    assert auth.revoke(token=auth.refresh_token) is True
    with pytest.raises(AuthClientError) as raised:
        auth.refresh()
    assert raised.value.status_code == 400 and "invalid_grant" in raised.value.content.decode()


def test_customer_invoice_query_void(client):
    qb, info, _ = client
    customer = Customer()
    customer.DisplayName = "Fidelity Customer"
    customer.PrimaryEmailAddr = None
    customer = customer.save(qb=qb)
    assert customer.Id and customer.SyncToken == "0"

    invoice = _invoice(qb, info, customer, 100, "FID-1")
    assert invoice.TotalAmt == 110.0 and invoice.Balance == 110.0
    fetched = Invoice.get(invoice.Id, qb=qb)
    assert fetched.DocNumber == "FID-1" and fetched.TxnTaxDetail.TotalTax == 10.0

    assert [c.Id for c in Customer.filter(DisplayName="Fidelity Customer", qb=qb)] == [customer.Id]
    assert Customer.count("DisplayName LIKE 'Fidelity%'", qb=qb) == 1
    assert {i.Name for i in Item.all(qb=qb)} >= {"Services", "Product"}
    assert [i.Id for i in Invoice.where(f"CustomerRef = '{customer.Id}'", order_by="TxnDate DESC", qb=qb)] == [
        invoice.Id
    ]

    fetched.void(qb=qb)
    voided = Invoice.get(invoice.Id, qb=qb)
    assert voided.TotalAmt == 0 and voided.PrivateNote == "Voided"


def test_full_update_round_trip_of_a_fetched_invoice(client):
    qb, info, _ = client
    customer = Customer()
    customer.DisplayName = "Round Trip"
    customer = customer.save(qb=qb)
    invoice = Invoice.get(_invoice(qb, info, customer, 40).Id, qb=qb)
    invoice.PrivateNote = "edited"
    updated = invoice.save(qb=qb)
    assert updated.SyncToken == "1" and updated.PrivateNote == "edited" and updated.TotalAmt == 44.0


def test_payment_and_void_with_python_quickbooks(client):
    qb, info, _ = client
    customer = Customer()
    customer.DisplayName = "Payer PQ"
    customer = customer.save(qb=qb)
    invoice = _invoice(qb, info, customer, 50)
    payment = Payment()
    payment.CustomerRef = customer.to_ref()
    payment.TotalAmt = 55.0
    line = PaymentLine()
    line.Amount = 55.0
    link = LinkedTxn()
    link.TxnId = invoice.Id
    link.TxnType = "Invoice"
    line.LinkedTxn.append(link)
    payment.Line.append(line)
    payment = payment.save(qb=qb)
    assert Invoice.get(invoice.Id, qb=qb).Balance == 0
    payment.void(qb=qb)
    assert Invoice.get(invoice.Id, qb=qb).Balance == 55.0
    assert Payment.get(payment.Id, qb=qb).TotalAmt == 0


def test_batch_create_matches_by_bid(client):
    qb, _, _ = client
    customers = []
    for index in range(35):  # more than 30: python-quickbooks splits into two batches
        customer = Customer()
        customer.DisplayName = f"Batch PQ {index}"
        customers.append(customer)
    duplicate = Customer()
    duplicate.DisplayName = "Batch PQ 0"
    result = batch_create(customers + [duplicate], qb=qb)
    assert len(result.successes) == 35
    assert len(result.faults) == 1
    assert result.faults[0].Error[0].code == "6240"
    assert result.faults[0].original_object is duplicate


def test_change_data_capture(client):
    qb, info, _ = client
    since = datetime.now(UTC) - timedelta(minutes=1)
    customer = Customer()
    customer.DisplayName = "CDC PQ"
    customer = customer.save(qb=qb)
    invoice = _invoice(qb, info, customer)
    result = change_data_capture([Invoice, Customer], since, qb=qb)
    assert [i.Id for i in result.Invoice] == [invoice.Id]
    assert customer.Id in [c.Id for c in result.Customer]


def test_exception_classes_by_code(client, pointed):
    qb, info, _ = client
    customer = Customer()
    customer.DisplayName = "Exceptions"
    customer = customer.save(qb=qb)

    empty = Invoice()
    empty.CustomerRef = customer.to_ref()
    with pytest.raises(exceptions.ValidationException) as raised:
        empty.save(qb=qb)
    assert raised.value.error_code == 2020

    duplicate = Customer()
    duplicate.DisplayName = "exceptions"
    with pytest.raises(exceptions.QuickbooksException) as raised:
        duplicate.save(qb=qb)
    assert raised.value.error_code == 6240

    invoice = _invoice(qb, info, customer)
    invoice.delete(qb=qb)
    with pytest.raises(exceptions.ObjectNotFoundException) as raised:
        Invoice.get(invoice.Id, qb=qb)
    assert raised.value.error_code == 610

    pointed.inject_fault(info["realm_id"], "server_error")
    with pytest.raises(exceptions.SevereException) as raised:
        Customer.get(customer.Id, qb=qb)
    assert raised.value.error_code == 10000

    pointed.inject_fault(info["realm_id"], "throttle")
    with pytest.raises(exceptions.QuickbooksException) as raised:
        Customer.get(customer.Id, qb=qb)
    assert "ThrottleExceeded" in raised.value.message  # the XML body cannot be read as JSON

    pointed.advance_clock(3601)
    try:
        with pytest.raises(exceptions.AuthorizationException) as raised:
            Customer.get(customer.Id, qb=qb)
        assert raised.value.error_code == 401 and "003200" in raised.value.detail
    finally:
        pointed.store.clock.offset -= 3601
