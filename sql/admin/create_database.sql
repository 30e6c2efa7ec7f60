-- {dbname} is filled with a quoted identifier (psycopg.sql.Identifier): CREATE DATABASE takes no bind parameters.
CREATE DATABASE {dbname};
