"""The web API and the leaderboard site: ``create_app(store, catalog)`` (FastAPI), served by
``emboard serve``. Nothing else in emboard imports this package."""
