"""``make bench``: run.py runs the sections; env.py builds what each needs; load.py measures
throughput against QuickBooks' limits; overhead.py our own CPU and memory."""
