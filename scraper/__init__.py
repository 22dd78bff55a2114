"""Scraper: site profiles, Selenium browsing, pure page parsing, image fetching and ScrapeRuns."""
