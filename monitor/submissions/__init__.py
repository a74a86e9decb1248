"""Replies of Parties, NGO submissions and their answers."""
