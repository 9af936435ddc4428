#!/usr/bin/env python3
"""Python Faker making the same customer columns as `synthgov generate customers`
(no marker), to CSV. Usage: faker_customers.py ROWS OUT"""
import csv
import sys

from faker import Faker

rows, out = int(sys.argv[1]), sys.argv[2]
fake = Faker("en_US")
Faker.seed(1)
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["customer_id", "first_name", "last_name", "email", "phone", "street", "city",
                "region", "postcode", "country", "date_of_birth", "created_at"])
    for i in range(1, rows + 1):
        w.writerow([i, fake.first_name(), fake.last_name(), fake.safe_email(), fake.phone_number(),
                    fake.street_address(), fake.city(), fake.state_abbr(), fake.postcode(), "US",
                    fake.date_of_birth(minimum_age=18, maximum_age=85).isoformat(),
                    fake.date_time_between(start_date="-7y").isoformat() + "Z"])
