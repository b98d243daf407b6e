# English as the company writes it (day before month, 24-hour clock), not US English: "12/01/2026"
# reads as December to some readers and as January to others. Input formats stay Django's.
DATE_FORMAT = "j F Y"  # 1 December 2026
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"  # 1 Dec 2026
SHORT_DATETIME_FORMAT = "j M Y, H:i"
