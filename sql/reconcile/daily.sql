-- A tenant's last %(days)s days (UTC), one row a day: the invoice amount synced that day (the
-- sync log) and how many records differed between the books that day, and how many of them
-- nothing explained (the reconciliations of that day; a record counts once a day).
WITH days AS (
    SELECT generate_series((now() AT TIME ZONE 'UTC')::date - (%(days)s - 1),
                           (now() AT TIME ZONE 'UTC')::date, interval '1 day')::date AS day
),
synced AS (
    SELECT (l.logged_at AT TIME ZONE 'UTC')::date AS day, sum(l.amount) AS amount
    FROM qbo_sync.sync_log AS l
    WHERE l.tenant_id = %(tenant_id)s AND l.entity = 'invoice' AND l.status = 'synced'
      AND l.logged_at >= now() - make_interval(days => %(days)s)
    GROUP BY 1
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
SELECT d.day, coalesce(s.amount, 0), coalesce(f.differ, 0), coalesce(f.unexplained, 0)
FROM days AS d
LEFT JOIN synced AS s ON s.day = d.day
LEFT JOIN differ AS f ON f.day = d.day
ORDER BY d.day;
