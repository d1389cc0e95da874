# The back office writes numbers the same way in both languages: `.` decimal point, `,` grouping by thousands.
# (Django's Arabic format writes `72,450` for 72.45; a cashier reads seventy-two thousand.)
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
# The minutes always shown ("Dec. 2, 2026, 9:00 PM"; Django's "P" writes "9 p.m." on the hour).
TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "N j, Y, g:i A"
SHORT_DATETIME_FORMAT = "m/d/Y g:i A"
