-- The locations a tenant's invoices name in the billing app, with how many invoices each.
SELECT min(btrim(i.location)) AS app_location, count(*) AS invoices
FROM billing.invoices AS i
WHERE i.tenant_id = %(tenant_id)s AND i.location IS NOT NULL AND btrim(i.location) <> ''
GROUP BY lower(btrim(i.location))
ORDER BY 1;
