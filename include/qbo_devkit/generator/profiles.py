"""What the demo's businesses look like: one profile per region, and name pools.

Everything here is static data. The tenants cycle AU, UK, US; a fourth tenant is AU again.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

D = Decimal


@dataclass(frozen=True)
class Item:
    name: str
    kind: str  # 'service' | 'product'
    sku: str
    unit_price: Decimal
    tax: str  # the tax rate name the business habitually charges on it
    quantities: tuple[Decimal, ...]  # typical quantities, picked uniformly


@dataclass(frozen=True)
class Region:
    code: str
    currency: str
    timezone: str
    business_names: tuple[str, ...]
    number_prefix: str  # invoice numbers: prefix + zero-padded sequence
    number_width: int
    number_start: int  # US companies are used to QuickBooks' own 1001, 1002, ...
    credit_prefix: str
    long_number_prefix: str  # a branch-and-year scheme that exceeds 21 characters
    # (name, rate, QuickBooks tax code name); rates are fractions: 0.1000 = 10 %.
    tax_rates: tuple[tuple[str, Decimal, str], ...]
    tax_modes: tuple[tuple[str, int], ...]  # (tax_mode, weight)
    product_share: float  # share of lines that sell a product
    items: tuple[Item, ...]
    payment_methods: tuple[tuple[str, int], ...]
    # Extra tax rates only the bad cases add: (name, rate, code or None)
    unmapped_rate: tuple[str, Decimal]
    inactive_code_rate: tuple[str, Decimal, str] | None
    phone_prefix: str  # numbers reserved for fiction in each country
    phone_digits: int
    email_domain: str


_Q1 = (D(1),)
_HOURS = (D("0.5"), D(1), D(1), D(1), D("1.5"), D(2), D("2.25"))
_UNITS = (D(1), D(1), D(1), D(2), D(2), D(3), D(4))

AU = Region(
    code="AU",
    currency="AUD",
    timezone="Australia/Sydney",
    business_names=("Harbourside Physio", "Bondi Allied Health", "Parramatta Sports Clinic"),
    number_prefix="INV-",
    number_width=6,
    number_start=1,
    credit_prefix="CN-",
    long_number_prefix="HARBOURSIDE-SYD-",
    tax_rates=(("GST", D("0.1000"), "GST"), ("GST free", D("0.0000"), "GST free")),
    tax_modes=(("inclusive", 6), ("exclusive", 3), ("none", 1)),
    product_share=0.22,
    items=(
        Item("Initial consultation", "service", "PHY-IC", D("95.00"), "GST free", _Q1),
        Item("Standard consultation", "service", "PHY-SC", D("85.00"), "GST free", _Q1),
        Item("Extended consultation", "service", "PHY-EC", D("120.00"), "GST free", _Q1),
        Item("Dry needling", "service", "PHY-DN", D("45.00"), "GST free", _Q1),
        Item("Hydrotherapy session", "service", "PHY-HY", D("65.00"), "GST free", _Q1),
        Item("Pilates class", "service", "PHY-PC", D("35.00"), "GST", (D(1), D(1), D(4), D(8))),
        Item("Telehealth review", "service", "PHY-TH", D("70.00"), "GST free", _Q1),
        Item("Knee brace", "product", "PRD-KB01", D("49.95"), "GST", _UNITS),
        Item("Theraband (per metre)", "product", "PRD-TB", D("4.5000"), "GST", (D("1.5"), D(2), D("2.25"), D(3))),
        Item("Foam roller", "product", "PRD-FR", D("39.00"), "GST", _UNITS),
        Item("Heat pack", "product", "PRD-HP", D("24.95"), "GST", _UNITS),
        Item("Massage gel 250g", "product", "PRD-MG", D("18.3750"), "GST", _UNITS),
        Item("Kinesiology tape", "product", "PRD-KT", D("12.95"), "GST", _UNITS),
    ),
    payment_methods=(("card", 55), ("bank_transfer", 28), ("cash", 10), ("other", 5), ("cheque", 2)),
    unmapped_rate=("GST on imports", D("0.1000")),
    inactive_code_rate=("Out of scope", D("0.0000"), "Out of scope"),
    phone_prefix="0491 570 ",
    phone_digits=3,
    email_domain="example.com",
)

UK = Region(
    code="UK",
    currency="GBP",
    timezone="Europe/London",
    business_names=("Greenleaf Home Energy Ltd", "Brightwater Surveyors LLP", "Kestrel Lane Consulting"),
    number_prefix="GHE-",
    number_width=5,
    number_start=1,
    credit_prefix="CR-",
    long_number_prefix="GREENLEAF-LDN-2024-",
    tax_rates=(
        ("VAT 20%", D("0.2000"), "20.0% S"),
        ("VAT 5%", D("0.0500"), "5.0% R"),
        ("Zero rated", D("0.0000"), "0.0% Z"),
    ),
    tax_modes=(("exclusive", 15), ("inclusive", 3), ("none", 2)),
    # Sells services only: the default Product item of this company can be made
    # inactive (default_item_inactive) without failing hundreds of ordinary invoices.
    product_share=0.0,
    items=(
        Item("Home energy assessment", "service", "SVC-HEA", D("180.00"), "VAT 20%", _Q1),
        Item("Boiler service", "service", "SVC-BS", D("95.00"), "VAT 20%", _Q1),
        Item("Heat pump installation labour", "service", "SVC-HPL", D("62.50"), "Zero rated", _HOURS),
        Item("Insulation fitting", "service", "SVC-INS", D("48.00"), "Zero rated", _HOURS),
        Item("Call-out fee", "service", "SVC-CO", D("65.00"), "VAT 20%", _Q1),
        Item("Domestic fuel delivery", "service", "SVC-FD", D("0.6125"), "VAT 5%", (D(250), D(500), D(750), D(1000))),
        Item("Smart thermostat setup", "service", "SVC-STS", D("75.00"), "VAT 20%", _Q1),
        Item("Thermostatic radiator valve", "product", "PRD-TRV", D("24.99"), "VAT 20%", _UNITS),
        Item("Loft insulation roll", "product", "PRD-LIR", D("32.50"), "VAT 20%", _UNITS),
    ),
    payment_methods=(("bank_transfer", 55), ("card", 35), ("cash", 5), ("cheque", 3), ("other", 2)),
    unmapped_rate=("VAT 17.5% (old rate)", D("0.1750")),
    inactive_code_rate=("Exempt", D("0.0000"), "Exempt"),
    phone_prefix="07700 900",
    phone_digits=3,
    email_domain="example.org",
)

US = Region(
    code="US",
    currency="USD",
    timezone="America/Los_Angeles",
    business_names=("Desert Air HVAC", "Sunset Plumbing & Heating", "Mesa Electric Co"),
    number_prefix="",
    number_width=4,
    number_start=1001,
    credit_prefix="CM-",
    long_number_prefix="DESERTAIR-PHX-SVC-",
    # The line codes of a US company are TAX / NON; the rate comes from the company.
    tax_rates=(("Sales tax", D("0.0825"), "TAX"), ("Non-taxable", D("0.0000"), "NON")),
    tax_modes=(("exclusive", 1),),
    product_share=0.35,
    items=(
        Item("Service call", "service", "SVC-CALL", D("89.00"), "Non-taxable", _Q1),
        Item("Labor (per hour)", "service", "SVC-LAB", D("115.00"), "Non-taxable", _HOURS),
        Item("Duct cleaning", "service", "SVC-DUCT", D("349.00"), "Non-taxable", _Q1),
        Item("AC tune-up", "service", "SVC-ACT", D("129.00"), "Non-taxable", _Q1),
        Item("Furnace inspection", "service", "SVC-FUR", D("99.00"), "Non-taxable", _Q1),
        Item("Air filter 16x25x1", "product", "FLT-16251", D("14.99"), "Sales tax", _UNITS),
        Item("Programmable thermostat", "product", "TST-PRG", D("129.00"), "Sales tax", _Q1),
        Item("Capacitor 45/5 MFD", "product", "CAP-455", D("22.50"), "Sales tax", _UNITS),
        Item(
            "Refrigerant R-410A (per lb)",
            "product",
            "REF-410A",
            D("18.7450"),
            "Sales tax",
            (D(1), D("1.5"), D(2), D("2.5"), D(3)),
        ),
        Item("Condensate pump", "product", "PMP-CND", D("89.00"), "Sales tax", _Q1),
    ),
    payment_methods=(("card", 50), ("cheque", 30), ("cash", 10), ("bank_transfer", 7), ("other", 3)),
    unmapped_rate=("City tax", D("0.0100")),
    inactive_code_rate=None,  # TAX/NON are pseudo codes: nothing to make inactive
    phone_prefix="(555) 555-01",
    phone_digits=2,
    email_domain="example.net",
)

REGIONS = (AU, UK, US)

# Common names, so that two clients called Jane Smith happen in ordinary data.
FIRST_NAMES = (
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Sandra",
    "Mark",
    "Emily",
    "Paul",
    "Ashley",
    "Steven",
    "Kimberly",
    "Andrew",
    "Michelle",
    "Joshua",
    "Amanda",
    "Kevin",
    "Melissa",
    "Brian",
    "Stephanie",
    "George",
    "Rebecca",
    "Olivia",
    "Liam",
    "Noah",
    "Charlotte",
    "Amelia",
    "Jack",
    "Chloe",
    "Oliver",
    "Priya",
    "Wei",
    "Aroha",
    "Mohammed",
    "Sofia",
    "Lucas",
    "Isla",
    "Ethan",
    "Grace",
    "Zoe",
)
LAST_NAMES = (
    "Smith",
    "Jones",
    "Williams",
    "Brown",
    "Taylor",
    "Wilson",
    "Johnson",
    "Davies",
    "Miller",
    "Anderson",
    "Thomas",
    "Jackson",
    "White",
    "Harris",
    "Martin",
    "Thompson",
    "Garcia",
    "Martinez",
    "Robinson",
    "Clark",
    "Rodriguez",
    "Lewis",
    "Lee",
    "Walker",
    "Hall",
    "Allen",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
    "Campbell",
    "Mitchell",
    "Roberts",
    "Carter",
    "Phillips",
    "Evans",
    "Turner",
    "Nguyen",
    "Patel",
    "Kelly",
    "O'Brien",
    "Murphy",
    "Ryan",
    "Chen",
    "Singh",
    "Walsh",
    "Edwards",
    "Collins",
    "Stewart",
    "Morris",
    "Murray",
    "Cook",
    "Bell",
    "Cooper",
    "Ward",
)
TRADES = (
    "Plumbing",
    "Cafe",
    "Builders",
    "Dental",
    "Accounting",
    "Landscaping",
    "Motors",
    "Bakery",
    "Legal",
    "Electrical",
    "Fitness",
    "Florist",
    "Joinery",
    "Logistics",
    "Printing",
    "Roofing",
)
COMPANY_SUFFIX = {"AU": "Pty Ltd", "UK": "Ltd", "US": "LLC"}

# Names no ordinary client can have (absent from the pools above): the bad cases use
# them so that a clash is exactly the one the case intends, never an accidental one.
SPECIAL_NAMES = (
    ("Marlowe", "Quince"),
    ("Tamsin", "Vale"),
    ("Rowan", "Ashdown"),
    ("Perrin", "Holloway"),
    ("Oakley", "Brandt"),
    ("Saoirse", "Penhaligon"),
    ("Ignatius", "Fairweather"),
    ("Lysander", "Thorncroft"),
)

INVOICE_NOTES = (
    "Thank you for your business.",
    "Payment due within terms.",
    "Please quote the invoice number.",
    "Follow-up booked.",
    "Warranty 12 months on parts.",
)
CREDIT_REASONS = (
    "Service not delivered",
    "Returned goods",
    "Goodwill discount",
    "Billing error",
    None,
)
