-- {dbname}, {template}: quoted identifiers (psycopg.sql.Identifier); CREATE DATABASE takes no bind parameters.
CREATE DATABASE {dbname} TEMPLATE {template};
