COPY billing.clients (id, tenant_id, first_name, last_name, company_name, email, phone,
                      parent_client_id, active, created_at, updated_at) FROM STDIN
