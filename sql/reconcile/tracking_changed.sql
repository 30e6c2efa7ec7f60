-- For invoices whose class or location differs between the books: when the invoice was last
-- sent (its latest synced outcome) and when the tenant's class and location settings (its own
-- class and location, or a link of an app location) last changed. Settings changed after the
-- invoice was sent explain the difference: QuickBooks keeps what the invoice was sent with.
WITH settings AS (
    SELECT greatest(
               (SELECT s.updated_at FROM qbo_sync.tenant_settings AS s WHERE s.tenant_id = %(tenant_id)s),
               (SELECT max(k.updated_at) FROM qbo_sync.location_links AS k WHERE k.tenant_id = %(tenant_id)s)
           ) AS changed_at
)
SELECT w.invoice_id, sent.logged_at, settings.changed_at
FROM unnest(%(ids)s::bigint[]) AS w(invoice_id)
CROSS JOIN settings
CROSS JOIN LATERAL (
    SELECT max(l.logged_at) AS logged_at
    FROM qbo_sync.sync_log AS l
    WHERE l.tenant_id = %(tenant_id)s AND l.entity = 'invoice' AND l.source_id = w.invoice_id
      AND l.status = 'synced' AND l.action IN ('create', 'update')
) AS sent
WHERE sent.logged_at IS NOT NULL AND settings.changed_at > sent.logged_at;
