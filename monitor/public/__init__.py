"""Pages for everyone: the start page, the dashboard, published reports."""
