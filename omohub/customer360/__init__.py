"""The customer 360: what a clerk sees when a member walks in, from every domain's data."""
