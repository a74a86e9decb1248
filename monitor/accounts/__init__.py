"""Users, Parties, organisations and roles."""
