-- {dbname} is filled with a quoted identifier (psycopg.sql.Identifier).
DROP DATABASE IF EXISTS {dbname} WITH (FORCE);
