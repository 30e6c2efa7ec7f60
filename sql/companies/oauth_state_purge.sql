-- Authorization requests long past their lifetime: nothing can use them any more.
DELETE FROM qbo_sync.oauth_connect_states WHERE expires_at < now() - interval '1 day';
