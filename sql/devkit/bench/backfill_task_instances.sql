-- Backfill benchmark (Airflow metadata database): every task instance of one run, with its times.
SELECT task_id, map_index, state, try_number, queued_dttm, start_date, end_date
FROM task_instance
WHERE dag_id = %(dag_id)s AND run_id = %(run_id)s
ORDER BY start_date NULLS LAST, task_id, map_index;
