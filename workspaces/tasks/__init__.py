"""Background work on every machine (PRODUCT.md section 11): one task queue in PostgreSQL, no broker.

`registry` holds the task functions (`@task`, `enqueue`), `models` the `Task` rows, `worker` the loop that claims
due rows with `FOR UPDATE SKIP LOCKED`, so workers on any number of machines never run the same job at once.
`manage.py worker` runs it. The modules that register tasks are listed in `settings.TASK_MODULES`."""
