-- A person says reads are allowed again (e.g. the app's tier was upgraded): forget the block.
DELETE FROM qbo_sync.read_blocks
 WHERE tenant_id = %(tenant_id)s
RETURNING tenant_id;
