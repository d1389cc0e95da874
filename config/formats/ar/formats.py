# The back office writes numbers the same way in both languages: `.` decimal point, `,` grouping by thousands.
# (Django's Arabic format writes `72,450` for 72.45; a cashier reads seventy-two thousand.) Dates and the rest
# come from Django's own locale formats.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
