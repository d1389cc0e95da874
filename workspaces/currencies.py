"""ISO 4217 currency codes and their minor units.

``CURRENCY_MINOR_UNITS`` maps every active ISO 4217 alphabetic code that denotes a currency one can
invoice in to its number of minor-unit digits (2 for SAR: 1 riyal = 100 halalas, 3 for KWD, 0 for
JPY).  Fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW), precious metals (XAG, XAU, XPD, XPT),
bond-market units (XBA-XBD), XDR, XSU, XUA and the testing / "no currency" codes XTS and XXX are left
out on purpose.

A few codes in a changeover period are kept while the official list still carries them: ANG next to
its successor XCG (Curaçao and Sint Maarten), SLL next to SLE (Sierra Leone), VES next to VED
(Venezuela) and CUC next to CUP (Cuba).  Withdrawn codes (HRK, ZWL, MRO, STD, VEF, ...) are not
listed.

Pure Python: no Django import, so it can be used from settings, models, serializers and tests.
"""

from __future__ import annotations

from decimal import Decimal

CURRENCY_MINOR_UNITS: dict[str, int] = {
    "AED": 2,  # UAE Dirham
    "AFN": 2,  # Afghani
    "ALL": 2,  # Lek
    "AMD": 2,  # Armenian Dram
    "ANG": 2,  # Netherlands Antillean Guilder (being replaced by XCG)
    "AOA": 2,  # Kwanza
    "ARS": 2,  # Argentine Peso
    "AUD": 2,  # Australian Dollar
    "AWG": 2,  # Aruban Florin
    "AZN": 2,  # Azerbaijan Manat
    "BAM": 2,  # Convertible Mark
    "BBD": 2,  # Barbados Dollar
    "BDT": 2,  # Taka
    "BGN": 2,  # Bulgarian Lev
    "BHD": 3,  # Bahraini Dinar
    "BIF": 0,  # Burundi Franc
    "BMD": 2,  # Bermudian Dollar
    "BND": 2,  # Brunei Dollar
    "BOB": 2,  # Boliviano
    "BRL": 2,  # Brazilian Real
    "BSD": 2,  # Bahamian Dollar
    "BTN": 2,  # Ngultrum
    "BWP": 2,  # Pula
    "BYN": 2,  # Belarusian Ruble
    "BZD": 2,  # Belize Dollar
    "CAD": 2,  # Canadian Dollar
    "CDF": 2,  # Congolese Franc
    "CHF": 2,  # Swiss Franc
    "CLP": 0,  # Chilean Peso
    "CNY": 2,  # Yuan Renminbi
    "COP": 2,  # Colombian Peso
    "CRC": 2,  # Costa Rican Colon
    "CUC": 2,  # Peso Convertible
    "CUP": 2,  # Cuban Peso
    "CVE": 2,  # Cabo Verde Escudo
    "CZK": 2,  # Czech Koruna
    "DJF": 0,  # Djibouti Franc
    "DKK": 2,  # Danish Krone
    "DOP": 2,  # Dominican Peso
    "DZD": 2,  # Algerian Dinar
    "EGP": 2,  # Egyptian Pound
    "ERN": 2,  # Nakfa
    "ETB": 2,  # Ethiopian Birr
    "EUR": 2,  # Euro
    "FJD": 2,  # Fiji Dollar
    "FKP": 2,  # Falkland Islands Pound
    "GBP": 2,  # Pound Sterling
    "GEL": 2,  # Lari
    "GHS": 2,  # Ghana Cedi
    "GIP": 2,  # Gibraltar Pound
    "GMD": 2,  # Dalasi
    "GNF": 0,  # Guinean Franc
    "GTQ": 2,  # Quetzal
    "GYD": 2,  # Guyana Dollar
    "HKD": 2,  # Hong Kong Dollar
    "HNL": 2,  # Lempira
    "HTG": 2,  # Gourde
    "HUF": 2,  # Forint
    "IDR": 2,  # Rupiah
    "ILS": 2,  # New Israeli Sheqel
    "INR": 2,  # Indian Rupee
    "IQD": 3,  # Iraqi Dinar
    "IRR": 2,  # Iranian Rial
    "ISK": 0,  # Iceland Krona
    "JMD": 2,  # Jamaican Dollar
    "JOD": 3,  # Jordanian Dinar
    "JPY": 0,  # Yen
    "KES": 2,  # Kenyan Shilling
    "KGS": 2,  # Som
    "KHR": 2,  # Riel
    "KMF": 0,  # Comorian Franc
    "KPW": 2,  # North Korean Won
    "KRW": 0,  # Won
    "KWD": 3,  # Kuwaiti Dinar
    "KYD": 2,  # Cayman Islands Dollar
    "KZT": 2,  # Tenge
    "LAK": 2,  # Lao Kip
    "LBP": 2,  # Lebanese Pound
    "LKR": 2,  # Sri Lanka Rupee
    "LRD": 2,  # Liberian Dollar
    "LSL": 2,  # Loti
    "LYD": 3,  # Libyan Dinar
    "MAD": 2,  # Moroccan Dirham
    "MDL": 2,  # Moldovan Leu
    "MGA": 2,  # Malagasy Ariary
    "MKD": 2,  # Denar
    "MMK": 2,  # Kyat
    "MNT": 2,  # Tugrik
    "MOP": 2,  # Pataca
    "MRU": 2,  # Ouguiya
    "MUR": 2,  # Mauritius Rupee
    "MVR": 2,  # Rufiyaa
    "MWK": 2,  # Malawi Kwacha
    "MXN": 2,  # Mexican Peso
    "MYR": 2,  # Malaysian Ringgit
    "MZN": 2,  # Mozambique Metical
    "NAD": 2,  # Namibia Dollar
    "NGN": 2,  # Naira
    "NIO": 2,  # Cordoba Oro
    "NOK": 2,  # Norwegian Krone
    "NPR": 2,  # Nepalese Rupee
    "NZD": 2,  # New Zealand Dollar
    "OMR": 3,  # Rial Omani
    "PAB": 2,  # Balboa
    "PEN": 2,  # Sol
    "PGK": 2,  # Kina
    "PHP": 2,  # Philippine Peso
    "PKR": 2,  # Pakistan Rupee
    "PLN": 2,  # Zloty
    "PYG": 0,  # Guarani
    "QAR": 2,  # Qatari Rial
    "RON": 2,  # Romanian Leu
    "RSD": 2,  # Serbian Dinar
    "RUB": 2,  # Russian Ruble
    "RWF": 0,  # Rwanda Franc
    "SAR": 2,  # Saudi Riyal
    "SBD": 2,  # Solomon Islands Dollar
    "SCR": 2,  # Seychelles Rupee
    "SDG": 2,  # Sudanese Pound
    "SEK": 2,  # Swedish Krona
    "SGD": 2,  # Singapore Dollar
    "SHP": 2,  # Saint Helena Pound
    "SLE": 2,  # Leone
    "SLL": 2,  # Leone (old, being replaced by SLE)
    "SOS": 2,  # Somali Shilling
    "SRD": 2,  # Surinam Dollar
    "SSP": 2,  # South Sudanese Pound
    "STN": 2,  # Dobra
    "SVC": 2,  # El Salvador Colon
    "SYP": 2,  # Syrian Pound
    "SZL": 2,  # Lilangeni
    "THB": 2,  # Baht
    "TJS": 2,  # Somoni
    "TMT": 2,  # Turkmenistan New Manat
    "TND": 3,  # Tunisian Dinar
    "TOP": 2,  # Pa'anga
    "TRY": 2,  # Turkish Lira
    "TTD": 2,  # Trinidad and Tobago Dollar
    "TWD": 2,  # New Taiwan Dollar
    "TZS": 2,  # Tanzanian Shilling
    "UAH": 2,  # Hryvnia
    "UGX": 0,  # Uganda Shilling
    "USD": 2,  # US Dollar
    "UYU": 2,  # Peso Uruguayo
    "UZS": 2,  # Uzbekistan Sum
    "VED": 2,  # Bolívar Soberano (digital)
    "VES": 2,  # Bolívar Soberano
    "VND": 0,  # Dong
    "VUV": 0,  # Vatu
    "WST": 2,  # Tala
    "XAF": 0,  # CFA Franc BEAC
    "XCD": 2,  # East Caribbean Dollar
    "XCG": 2,  # Caribbean Guilder
    "XOF": 0,  # CFA Franc BCEAO
    "XPF": 0,  # CFP Franc
    "YER": 2,  # Yemeni Rial
    "ZAR": 2,  # Rand
    "ZMW": 2,  # Zambian Kwacha
    "ZWG": 2,  # Zimbabwe Gold
}


def minor_unit(currency: str) -> int:
    """Number of minor-unit digits of ``currency`` (2 for SAR, 3 for KWD, 0 for JPY).

    Raises ValueError for a code that is not in the table (codes are case-sensitive: "sar" is unknown): an
    unknown currency never falls back to a guess.
    """
    try:
        return CURRENCY_MINOR_UNITS[currency]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown currency: {currency!r}") from None


def has_at_most_places(value: Decimal, places: int) -> bool:
    """True when ``value`` needs no more than ``places`` digits after the decimal point.

    Trailing zeros do not count (Decimal('1.500') has 1 place); NaN and infinities give False.
    """
    if not isinstance(value, Decimal) or not value.is_finite():
        return False
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent >= 0 or not any(digits):
        return True
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return -(exponent + trailing_zeros) <= places


def is_valid_currency(code: object) -> bool:
    """True when ``code`` is exactly three uppercase ASCII letters naming a currency of the table.

    Anything that is not a ``str`` (None, bytes, numbers, ...) is simply not a valid currency.
    Lower-case codes are rejected rather than normalised: callers decide whether to upper-case input.
    """
    if not isinstance(code, str):
        return False
    if len(code) != 3 or not (code.isascii() and code.isalpha() and code.isupper()):
        return False
    return code in CURRENCY_MINOR_UNITS
