"""Catalog: products (styles) and their SKUs (size × colour), barcodes and list prices."""
