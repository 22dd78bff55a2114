"""Scraper: site profiles, Selenium browsing, pure page parsing, ScrapeRuns and the demo store."""
