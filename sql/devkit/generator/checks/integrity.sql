-- Demo tests: referential and temporal integrity of the generated data, one count per
-- rule; every count must be 0. Records of bad cases that break a rule on purpose are
-- left out by id.
SELECT
  (SELECT count(*) FROM billing.invoices AS i
    WHERE i.id <> ALL(%(bad_invoices)s)
      AND NOT EXISTS (SELECT 1 FROM billing.clients AS c
                      WHERE c.id = i.client_id AND c.tenant_id = i.tenant_id)) AS invoice_client,
  (SELECT count(*) FROM billing.invoices AS i
    WHERE i.id <> ALL(%(bad_invoices)s)
      AND NOT EXISTS (SELECT 1 FROM billing.tenants AS t
                      WHERE t.id = i.tenant_id AND t.currency = i.currency)) AS invoice_tenant,
  (SELECT count(*) FROM billing.invoice_lines AS l
    WHERE NOT EXISTS (SELECT 1 FROM billing.invoices AS i WHERE i.id = l.invoice_id)) AS line_invoice,
  (SELECT count(*) FROM billing.invoice_lines AS l
     JOIN billing.invoices AS i ON i.id = l.invoice_id
    WHERE l.tax_rate_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM billing.tax_rates AS r
                      WHERE r.id = l.tax_rate_id AND r.tenant_id = i.tenant_id)) AS line_tax_rate,
  (SELECT count(*) FROM billing.invoice_lines AS l
     JOIN billing.invoices AS i ON i.id = l.invoice_id
    WHERE NOT EXISTS (SELECT 1 FROM billing.catalog_items AS c
                      WHERE c.id = l.item_id AND c.tenant_id = i.tenant_id)) AS line_item,
  (SELECT count(*) FROM billing.clients AS c
    WHERE c.parent_client_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM billing.clients AS p
                      WHERE p.id = c.parent_client_id AND p.tenant_id = c.tenant_id
                        AND p.id < c.id)) AS client_parent,
  (SELECT count(*) FROM billing.credit_notes AS cn
    WHERE NOT EXISTS (SELECT 1 FROM billing.invoices AS i
                      WHERE i.id = cn.invoice_id AND i.tenant_id = cn.tenant_id
                        AND i.client_id = cn.client_id AND i.status = 'finalized')) AS credit_invoice,
  (SELECT count(*) FROM billing.credit_note_lines AS cl
     JOIN billing.credit_notes AS cn ON cn.id = cl.credit_note_id
     JOIN billing.invoice_lines AS l ON l.id = cl.invoice_line_id
    WHERE l.invoice_id <> cn.invoice_id
       OR l.tax_rate_id IS DISTINCT FROM cl.tax_rate_id) AS credit_line_invoice_line,
  (SELECT count(*) FROM billing.credit_note_lines AS cl
    WHERE NOT EXISTS (SELECT 1 FROM billing.credit_notes AS cn WHERE cn.id = cl.credit_note_id)
       OR NOT EXISTS (SELECT 1 FROM billing.invoice_lines AS l WHERE l.id = cl.invoice_line_id))
    AS credit_line_orphan,
  (SELECT count(*) FROM billing.payments AS p
    WHERE NOT EXISTS (SELECT 1 FROM billing.invoices AS i
                      WHERE i.id = p.invoice_id AND i.tenant_id = p.tenant_id
                        AND i.finalized_at IS NOT NULL AND p.paid_at >= i.finalized_at)) AS payment_invoice,
  (SELECT count(*) FROM billing.invoices
    WHERE (status = 'draft') <> (finalized_at IS NULL)
       OR (status = 'voided') <> (voided_at IS NOT NULL)
       OR finalized_at < created_at OR updated_at < coalesce(finalized_at, created_at)
       OR voided_at < finalized_at OR updated_at > %(now)s
       OR (finalized_at AT TIME ZONE 'UTC')::date - issue_date NOT BETWEEN 0 AND 1) AS invoice_times,
  (SELECT count(*) FROM billing.credit_notes AS cn
     JOIN billing.invoices AS i ON i.id = cn.invoice_id
    WHERE cn.created_at < i.finalized_at OR cn.updated_at > %(now)s
       OR (cn.status = 'finalized') <> (cn.finalized_at IS NOT NULL)) AS credit_times,
  (SELECT count(*) FROM billing.payments
    WHERE created_at < paid_at OR created_at > %(now)s OR voided_at < paid_at
       OR voided_at > %(now)s) AS payment_times,
  (SELECT count(*) FROM billing.clients WHERE updated_at < created_at OR updated_at > %(now)s)
    AS client_times;
