"""Per-tenant integration settings: the seeds' "Configure your integration settings"
and "Link your tax rates" checklist, as a library and a command line."""
