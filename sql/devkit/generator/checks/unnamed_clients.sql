-- Seeds: "No Name Provided": neither first and last name nor a company name.
SELECT id FROM billing.clients
WHERE NOT ((coalesce(btrim(first_name), '') <> '' AND coalesce(btrim(last_name), '') <> '')
           OR coalesce(btrim(company_name), '') <> '')
ORDER BY id;
