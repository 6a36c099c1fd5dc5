"""Import and export of the system of record (F-D8): CSV and XLSX, validated whole, stored whole.

- `widgets.py`   reading and writing one cell (dates DD.MM.YYYY, decimals with «,» or «.», choice labels);
- `resources.py` one django-import-export `ModelResource` per kind of data: the columns, the natural key
                 and the rules the models cannot check cheaply; used by import and export alike;
- `formats.py`   CSV/XLSX files in and out;
- `importer.py`  the set-based engine: prefetch, validate every row, then write in one transaction;
- `writers.py`   bulk writes (COPY on PostgreSQL);
- `services.py`  `import_file`, `import_job_run`, `import_job_confirm`, `export_write`;
- `views.py`     the Wagtail admin screens.
"""
