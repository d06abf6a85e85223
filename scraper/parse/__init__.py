"""Listing pages to posts: split, extract fields, strip chrome. No network here."""

from .page import PageResult, parse_document, parse_page

__all__ = ["PageResult", "parse_page", "parse_document"]
