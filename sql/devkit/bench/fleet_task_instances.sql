-- Fleet benchmark (Airflow metadata database): one run's task instances by task and state.
SELECT task_id, state, count(*), min(start_date), max(end_date), sum(try_number)
FROM task_instance WHERE dag_id = %(dag_id)s AND run_id = %(run_id)s
GROUP BY task_id, state ORDER BY task_id, state;
