"""The demo storefront: procedurally generated products, their photos, and a small shop site.

Everything in this package is Django-free so the training code can render the same products.
"""
