from tests.outreach.conftest import import_x  # noqa: F401  (the same importer fixture)
