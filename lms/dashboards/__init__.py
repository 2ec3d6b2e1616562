"""Officers' dashboards: they read other packages' tables and own none."""
