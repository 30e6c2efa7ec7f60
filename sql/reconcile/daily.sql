-- A tenant's last %(days)s days (UTC), one row a day: the invoice amount synced that day in the
-- home currency (the sync log; the company's home currency, else the tenant's), the amounts synced
-- in other currencies as text ('120.00 EUR; 30.00 USD': never added into the home figure), how
-- many records differed between the books that day, and how many of them nothing explained (the
-- reconciliations of that day; a record counts once a day), and the home currency.
WITH days AS (
    SELECT generate_series((now() AT TIME ZONE 'UTC')::date - (%(days)s - 1),
                           (now() AT TIME ZONE 'UTC')::date, interval '1 day')::date AS day
),
home AS (
    SELECT coalesce(s.home_currency, t.currency) AS currency
    FROM billing.tenants AS t
    LEFT JOIN qbo_sync.tenant_settings AS s ON s.tenant_id = t.id
    WHERE t.id = %(tenant_id)s
),
by_currency AS (
    SELECT (l.logged_at AT TIME ZONE 'UTC')::date AS day, coalesce(i.currency, t.currency) AS currency,
           sum(l.amount) AS amount
    FROM qbo_sync.sync_log AS l
    LEFT JOIN billing.invoices AS i ON i.id = l.source_id AND i.tenant_id = l.tenant_id
    LEFT JOIN billing.tenants AS t ON t.id = l.tenant_id
    WHERE l.tenant_id = %(tenant_id)s AND l.entity = 'invoice' AND l.status = 'synced'
      AND l.amount IS NOT NULL AND l.logged_at >= now() - make_interval(days => %(days)s)
    GROUP BY 1, 2
),
synced AS (
    SELECT b.day,
           sum(b.amount) FILTER (WHERE b.currency IS NOT DISTINCT FROM h.currency) AS amount,
           string_agg(to_char(b.amount, 'FM999999999990.00') || ' ' || b.currency, '; ' ORDER BY b.currency)
               FILTER (WHERE b.currency IS DISTINCT FROM h.currency) AS others
    FROM by_currency AS b
    CROSS JOIN home AS h
    GROUP BY b.day
),
differ AS (
    SELECT (c.checked_at AT TIME ZONE 'UTC')::date AS day,
           count(DISTINCT (c.entity, c.source_id)) AS differ,
           count(DISTINCT (c.entity, c.source_id)) FILTER (WHERE c.verdict = 'unexplained') AS unexplained
    FROM qbo_sync.reconciliation AS c
    WHERE c.tenant_id = %(tenant_id)s AND c.verdict <> 'agree'
      AND c.checked_at >= now() - make_interval(days => %(days)s)
    GROUP BY 1
)
SELECT d.day, coalesce(s.amount, 0), coalesce(f.differ, 0), coalesce(f.unexplained, 0), s.others,
       (SELECT h.currency FROM home AS h)
FROM days AS d
LEFT JOIN synced AS s ON s.day = d.day
LEFT JOIN differ AS f ON f.day = d.day
ORDER BY d.day;
