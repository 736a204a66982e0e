class InvalidRomanNumeral(ValueError):
    """The text is not a canonical Roman numeral in the range 1..3999."""
