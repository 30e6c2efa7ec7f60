-- Issue 13, point 3 (docs/operations.md "Refunds and overpayments"): a refund of an
-- overpayment's excess is paid back by cheque, a QuickBooks Check written to the customer and
-- coded to Accounts Receivable. A Check is paid from a Bank account; the tenant's deposit
-- account is usually Undeposited Funds, so the bank account is a setting of its own
-- (python -m qbo_sync.tenants set --refund-bank-account NAME).
ALTER TABLE qbo_sync.tenant_settings ADD COLUMN refund_bank_account_id text;
