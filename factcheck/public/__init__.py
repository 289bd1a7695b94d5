"""The public site: verdict pages, the index, feeds, sitemap, methodology, corrections, about."""
