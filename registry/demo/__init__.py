"""The Kế Sách demo data set (``flask --app registry demo``)."""
