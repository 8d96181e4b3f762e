"""Getting data in: files, workbooks, sheets and databases onto the feeds, through the warehouse.

    pipeline    prepare a file or frame (read, map, coerce), load it, the demo store, feed overviews
    readers     CSV / Excel / Parquet / JSON readers; mapping: headers onto canonical columns;
    profiles    known export layouts (Shopify, GA4, WooCommerce); shopify: Shopify's cancellations
    bootstrap   `python -m lib.ingest.bootstrap`: load the demo store into an empty warehouse

Imports lib.warehouse, lib.schema, lib.sources and lib.demo.
"""
from lib.ingest.pipeline import (
                                 DEMO_LOAD_ORDER,
                                 Prepared,
                                 check_prepared,
                                 demo_dir,
                                 feed_overview,
                                 freshness,
                                 load_demo,
                                 load_prepared,
                                 mapped_preview,
                                 prepare_file,
                                 prepare_frame,
                                 preview,
                                 with_feed,
)

__all__ = ["Prepared", "prepare_file", "prepare_frame", "load_prepared", "check_prepared", "mapped_preview",
           "load_demo", "feed_overview", "preview", "freshness", "demo_dir", "with_feed", "DEMO_LOAD_ORDER"]
