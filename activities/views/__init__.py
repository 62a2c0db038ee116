"""Pages of the activities app, one module per area (files, activity logs, photos, achievements, portraits)."""
