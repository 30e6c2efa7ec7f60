-- Fleet benchmark: each tenant's invoice numbers by id (to find them in QuickBooks).
SELECT tenant_id, id, number FROM billing.invoices WHERE id = ANY(%(invoice_ids)s);
