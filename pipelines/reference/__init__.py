"""Reference code lists built from maintained packages (pycountry, country_converter)."""
