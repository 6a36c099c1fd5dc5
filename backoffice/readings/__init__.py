"""The rules of a meter reading (F-C1…F-C3), shared by the portal's screen and files, staff imports and the
`import_readings` command — so a value refused on the screen is refused in a file too.

- `window.py`       the submission window of a customer group: which period is open, until when, and the days
                    until the next one opens;
- `values.py`       one typed or imported value: «,» or «.», digits within the meter's capacity, never a float;
- `plausibility.py` the SAP IS-U style check of a consumption against the register's own history;
- `integral.py`     «Шаблон интегральных показаний» and its upload (the nine columns of seed 001 §5.2);
- `interval.py`     the hourly profile of price categories III–VI (seed 001 §5.3.1): template and upload.

The writes are `backoffice.services.readings`.
"""
