"""Planted parameters of the demo store: categories, channels, devices, calendar effects.

Everything here is recorded in ``truth.json`` so that tests and benchmarks can compare what
the analytics recover against what the generator used.
"""

from __future__ import annotations

DAYS = 730  # two years of history, ending at as_of inclusive
SKUS_PER_SCALE = 300
MAX_SKUS = 30_000
LINES_PER_SCALE = 290_000  # expected positive order lines at scale 1 (before returns)
BURN_IN_DAYS = 365  # customer history simulated before the window (not written)

# code, name, share of SKUs, median price, elasticity mean, lead time range,
# yearly amplitude, yearly peak (day of year), holiday sensitivity, return rate, nouns
CATEGORIES = [
    ("KIT", "Kitchen", 0.11, 24.0, -1.4, (20, 40), 0.10, 340, 1.3, 0.010,
     ["Chef Knife", "Skillet", "Mixing Bowl", "Cutting Board", "Spatula", "Colander", "Teapot", "Grater"]),
    ("DEC", "Home Decor", 0.10, 34.0, -1.8, (25, 45), 0.15, 320, 1.2, 0.015,
     ["Vase", "Candle", "Picture Frame", "Wall Clock", "Throw Pillow", "Mirror", "Planter"]),
    ("BED", "Bedding", 0.08, 58.0, -1.2, (30, 45), 0.12, 285, 1.0, 0.020,
     ["Duvet Cover", "Sheet Set", "Pillow", "Blanket", "Mattress Topper", "Quilt"]),
    ("BTH", "Bath", 0.07, 19.0, -1.0, (14, 30), 0.05, 30, 0.8, 0.010,
     ["Bath Towel", "Bath Mat", "Shower Curtain", "Soap Dish", "Robe", "Hand Towel"]),
    ("OUT", "Outdoor", 0.08, 45.0, -2.0, (20, 40), 0.45, 160, 0.7, 0.015,
     ["Camping Chair", "Cooler", "Lantern", "Hammock", "Picnic Blanket", "Water Bottle"]),
    ("GRD", "Garden", 0.08, 17.0, -1.6, (10, 25), 0.55, 125, 0.5, 0.010,
     ["Trowel", "Watering Can", "Seed Kit", "Pruner", "Garden Gloves", "Hose Nozzle"]),
    ("TOY", "Toys & Games", 0.09, 22.0, -2.2, (25, 45), 0.35, 345, 1.6, 0.010,
     ["Puzzle", "Board Game", "Building Set", "Plush Bear", "Card Game", "Kite"]),
    ("PET", "Pet Supplies", 0.07, 15.0, -0.7, (5, 15), 0.03, 200, 0.6, 0.005,
     ["Dog Leash", "Cat Toy", "Pet Bed", "Food Bowl", "Chew Toy", "Grooming Brush"]),
    ("BEA", "Beauty", 0.08, 18.0, -1.5, (7, 20), 0.15, 340, 1.3, 0.010,
     ["Face Cream", "Lip Balm", "Hair Oil", "Body Lotion", "Face Mask", "Nail Kit"]),
    ("APP", "Apparel Basics", 0.12, 28.0, -2.4, (20, 45), 0.20, 300, 1.2, 0.045,
     ["T-Shirt", "Hoodie", "Socks", "Beanie", "Leggings", "Scarf", "Cap"]),
    ("ELE", "Tech Accessories", 0.07, 30.0, -2.6, (14, 35), 0.25, 335, 1.7, 0.020,
     ["Phone Case", "USB-C Cable", "Charger", "Earbuds", "Laptop Sleeve", "Power Bank"]),
    ("STA", "Stationery", 0.05, 10.0, -0.9, (5, 15), 0.20, 240, 0.9, 0.005,
     ["Notebook", "Pen Set", "Planner", "Sticky Notes", "Desk Organizer", "Sketchbook"]),
]
ADJECTIVES = ["Classic", "Everyday", "Premium", "Nordic", "Urban", "Cozy", "Eco", "Vintage",
              "Compact", "Deluxe", "Essential", "Artisan", "Modern", "Coastal", "Alpine", "Studio"]
VARIANTS = ["Black", "White", "Sage", "Navy", "Sand", "Terracotta", "Grey", "Oak", "Blush", "Olive"]
SUPPLIERS = ["Northwind Trading", "Bluepeak Supply", "Harbor & Finch", "Kestrel Goods", "Lumen Works",
             "Maple Row Imports", "Orchard Lane Co", "Pinecrest Manufacturing", "Quarry Street Ltd",
             "Riverside Textiles", "Sierra Outfitters", "Tidewater Brands", "Upland Crafts",
             "Vantage Electronics", "Willow & Stone", "Zephyr Home"]

# Mover classes: share of SKUs, lognormal base-demand mean (log units/day), line-count
# dispersion (gamma shape; small = bursty), mean units per line
MOVERS = {
    "fast": (0.15, 1.6, 6.0, 1.25),
    "regular": (0.35, 0.2, 3.0, 1.15),
    "slow": (0.35, -1.4, 1.5, 1.10),
    "intermittent": (0.15, -2.0, 0.25, 2.6),
}

CHANNELS = ["organic", "paid_search", "social", "email", "referral"]
# acquisition share of new customers, repeat probability (chance of each further order),
# mean days between orders, return-visit channel mix, conversion factor
CHANNEL_PARAMS = {
    "organic": (0.36, 0.60, 75.0, 0.30, 1.00),
    "paid_search": (0.27, 0.42, 105.0, 0.12, 0.85),
    "social": (0.17, 0.38, 110.0, 0.06, 0.45),
    "email": (0.08, 0.80, 55.0, 0.42, 2.00),
    "referral": (0.12, 0.72, 65.0, 0.10, 1.25),
}
SAME_CHANNEL_ON_REPEAT = 0.45  # chance a repeat order comes through the acquisition channel
CHANNEL_PROMO_SHARE = 0.22  # share of demand reached by a channel-only (email) promotion

DEVICES = ["desktop", "mobile", "tablet"]
DEVICE_TRAFFIC_SHARE = [0.34, 0.58, 0.08]
DEVICE_CONVERSION_FACTOR = [1.45, 0.70, 1.00]
BASE_CONVERSION = 0.027  # organic desktop-neutral session conversion

# Non-buying sessions: P(view_item), P(add_to_cart | view), P(begin_checkout | add_to_cart)
# before channel/device factors (raised to the power FUNNEL_FACTOR_POWER)
FUNNEL = {"view_item": 0.46, "add_to_cart": 0.13, "begin_checkout": 0.30}
FUNNEL_FACTOR_POWER = 0.5

# Landing page type mix per channel: home, collection, product, sale, blog
LANDING_MIX = {
    "organic": [0.32, 0.20, 0.30, 0.03, 0.15],
    "paid_search": [0.10, 0.20, 0.68, 0.02, 0.00],
    "social": [0.15, 0.10, 0.55, 0.15, 0.05],
    "email": [0.20, 0.25, 0.20, 0.35, 0.00],
    "referral": [0.40, 0.10, 0.35, 0.00, 0.15],
}
BLOG_SLUGS = ["gift-guide", "spring-garden-tips", "hosting-checklist", "cozy-bedroom-ideas",
              "camping-essentials", "desk-setup"]

WEEKLY = [1.06, 1.02, 1.00, 0.97, 0.92, 0.95, 1.08]  # Monday .. Sunday
TREND_PER_YEAR = 0.12  # log growth of demand and traffic per year
DAILY_SHOCK_SIGMA = 0.07  # common day-level noise (weather, marketing), lognormal
# Holiday multipliers relative to Thanksgiving (US, 4th Thursday of November); scaled per
# category by its holiday sensitivity: 1 + sensitivity * (multiplier - 1)
THANKSGIVING_OFFSETS = {-7: 1.05, -6: 1.06, -5: 1.08, -4: 1.08, -3: 1.10, -2: 1.12, -1: 1.15,
                        0: 1.25, 1: 2.10, 2: 1.60, 3: 1.45, 4: 1.90, 5: 1.30, 6: 1.15}
DECEMBER = {"1-18": 1.30, "19-22": 1.15, "24": 0.70, "25": 0.50, "26": 0.85, "31": 0.85}
NEW_YEAR = 0.75

HOURLY = [0.25, 0.15, 0.10, 0.08, 0.08, 0.12, 0.25, 0.45, 0.65, 0.80, 0.90, 0.95,
          1.00, 0.95, 0.90, 0.90, 0.95, 1.00, 1.10, 1.25, 1.35, 1.25, 0.90, 0.50]

BASKET_MEAN_LINES = 2.6  # geometric number of lines per order
CANCEL_RATE = 0.03
COUPON_FIRST_ORDER = {"email": 0.35, "social": 0.20}  # share of first orders using WELCOME10
COUPON_OTHER = 0.03  # other orders using a 5-15 % code

# Customer profiles (customers feed): who the customer ids are, for email audiences
FIRST_NAMES = ["Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Liam",
               "Maya", "Noah", "Olivia", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wes", "Yara",
               "Zoe", "Aiko", "Bruno", "Carmen", "Dario", "Emma", "Felix", "Greta", "Hana", "Ivan", "Julia",
               "Kofi", "Lena", "Marco", "Nina", "Omar"]
LAST_NAMES = ["Abbott", "Baker", "Castro", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen",
              "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Schmidt", "Tanaka",
              "Usman", "Varga", "Walsh", "Xu", "Young", "Zhang", "Almeida", "Brennan", "Chen", "Diaz"]
EMAIL_DOMAINS = ["example.com", "example.net", "example.org"]   # reserved for examples: nobody receives mail
PROFILE_EMAIL_MISSING = 0.03    # customers known by phone only: no email address
PROFILE_CONSENT = 0.58          # share of customers who accept email marketing
PROFILE_COUNTRIES = {"US": 0.62, "CA": 0.10, "GB": 0.10, "AU": 0.05, "DE": 0.05, "FR": 0.04, "NL": 0.04}
