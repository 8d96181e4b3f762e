"""The Pricing & promos page: view (tabs), analysis (health, elasticities, promotions), scenarios (the
builder and comparison), results, inputs and cache (its cached computations), tables."""
