"""«Отчёты» (F-I4): reports computed in the database, shown in the admin and downloaded as xlsx (see common.py)."""
