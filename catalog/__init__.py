"""Catalog: products, their images, and the gender x category partitions."""
