"""Management commands of the scraper."""
