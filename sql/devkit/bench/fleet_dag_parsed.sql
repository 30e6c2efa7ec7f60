-- Fleet benchmark (Airflow metadata database): whether the DAG processor has stored the DAG.
SELECT count(*) FROM dag WHERE dag_id = %(dag_id)s;
