COPY billing.catalog_items (id, tenant_id, name, kind, sku, unit_price, active, updated_at) FROM STDIN
