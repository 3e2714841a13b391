"""Results store: SQLAlchemy tables, migrations, ingest from results repos, archives and model cards."""
