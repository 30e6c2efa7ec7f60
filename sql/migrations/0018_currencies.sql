-- Currencies (issue 13, item 2; docs/operations.md "Currencies"). An invoice in a currency
-- other than the company's home currency goes to QuickBooks with its CurrencyRef and
-- ExchangeRate, to a customer in that currency: QuickBooks fixes a customer's currency when
-- it is created, so a client billed in another currency gets a second customer.

-- The app's own rate, when it has one: home-currency units per ONE unit of the invoice's
-- currency (QuickBooks' ExchangeRate). NULL: QuickBooks' rate for the invoice's date is used.
ALTER TABLE billing.invoices ADD COLUMN IF NOT EXISTS exchange_rate numeric(18,8)
    CHECK (exchange_rate IS NULL OR exchange_rate > 0);

-- How the second customer of a client is named: {display_name} (the client's usual customer
-- name, from display_name_template), {name}, {tag}, {id}, {currency}.
ALTER TABLE qbo_sync.tenant_settings ADD COLUMN currency_name_template text NOT NULL
    DEFAULT '{display_name} ({currency})';

-- A client's customer in a currency other than the home currency (its usual customer, in the
-- home currency, stays in entity_map).
CREATE TABLE qbo_sync.currency_customers (
    tenant_id      bigint NOT NULL,
    client_id      bigint NOT NULL,
    currency       char(3) NOT NULL,
    realm_id       text NOT NULL,
    qbo_id         text NOT NULL,
    display_name   text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, client_id, currency),
    UNIQUE (realm_id, qbo_id)
);

-- What a foreign-currency invoice was sent with: its currency, the rate and where it came from,
-- and the customer it went to (its payments and credit notes follow both).
CREATE TABLE qbo_sync.invoice_currencies (
    tenant_id        bigint NOT NULL,
    invoice_id       bigint NOT NULL,
    currency         char(3) NOT NULL,
    exchange_rate    numeric(18,8) NOT NULL,
    rate_source      text NOT NULL CHECK (rate_source IN ('app', 'quickbooks')),
    customer_qbo_id  text NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, invoice_id)
);
