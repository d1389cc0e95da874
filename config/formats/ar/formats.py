# The back office writes numbers the same way in both languages: `.` decimal point, `,` grouping by thousands.
# (Django's Arabic format writes `72,450` for 72.45; a cashier reads seventy-two thousand.)
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
# Dates in Arabic word order with the minutes always shown: "2 ديسمبر 2026، 9:00 م". Django's Arabic locale has no
# DATETIME_FORMAT, so the English-ordered default "N j, Y, P" ("ديسمبر 2, 2026, 9 م", minutes dropped) applied.
DATE_FORMAT = "j F Y"
TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "j F Y، g:i A"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y g:i A"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
