-- Fleet benchmark (Airflow metadata database): the DAG's runs.
SELECT run_id, state, data_interval_start, data_interval_end, start_date, end_date, queued_at
FROM dag_run WHERE dag_id = %(dag_id)s ORDER BY id;
