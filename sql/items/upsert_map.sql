-- A catalog item's QuickBooks Item. A new Item Id (or another company) starts the row
-- afresh; the same Item only refreshes what QuickBooks says of it now.
INSERT INTO qbo_sync.item_map AS m (
    tenant_id, catalog_item_id, realm_id, qbo_item_id, matched_by, app_name, app_sku,
    qbo_name, qbo_type, qbo_active
) VALUES (
    %(tenant_id)s, %(catalog_item_id)s, %(realm_id)s, %(qbo_item_id)s, %(matched_by)s,
    %(app_name)s, %(app_sku)s, %(qbo_name)s, %(qbo_type)s, %(qbo_active)s
)
ON CONFLICT (tenant_id, catalog_item_id) DO UPDATE SET
    realm_id = excluded.realm_id,
    qbo_item_id = excluded.qbo_item_id,
    matched_by = CASE WHEN m.qbo_item_id = excluded.qbo_item_id AND m.realm_id = excluded.realm_id
                      THEN m.matched_by ELSE excluded.matched_by END,
    app_name = CASE WHEN m.qbo_item_id = excluded.qbo_item_id AND m.realm_id = excluded.realm_id
                    THEN m.app_name ELSE excluded.app_name END,
    app_sku = CASE WHEN m.qbo_item_id = excluded.qbo_item_id AND m.realm_id = excluded.realm_id
                   THEN m.app_sku ELSE excluded.app_sku END,
    mapped_at = CASE WHEN m.qbo_item_id = excluded.qbo_item_id AND m.realm_id = excluded.realm_id
                     THEN m.mapped_at ELSE now() END,
    qbo_name = excluded.qbo_name,
    qbo_type = excluded.qbo_type,
    qbo_active = excluded.qbo_active,
    checked_at = now();
