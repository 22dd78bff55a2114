"""The synthetic world: a demo shop generated from a seed, its product photos, figures wearing them, and the lookbook.

Django-free and outside the app: the scraper reaches the demo shop over HTTP like any other shop
(`python -m synthetic.server`), and the training commands render the same products into the lookbook.
"""
