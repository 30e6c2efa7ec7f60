"""Developer tooling, apart from the product: ``make demo`` (demo.py), the billing data
generator (generator/), ``make airflow`` (standalone.py, env.py), tenant provisioning on the
emulator (provision.py), the chaos run (chaos.py) and ``make bench`` (bench/).

Tooling may import the product (``qbo_sync``, ``qbo_client``) and the emulator; the product never
imports this package (tests/test_layout.py holds that). Its SQL lives in ``sql/devkit/``.
"""
