# Copy to instance/config.py. Environment variables REGISTRY_<NAME> override these.
# PostgreSQL instead of the embedded SQLite file:
# DATABASE_URL = "postgresql+psycopg://registry@127.0.0.1:5432/registry"
# Address printed in QR codes (keep it short: shorter addresses make smaller codes):
# PUBLIC_BASE_URL = "https://ocop.example.vn"
# SECRET_KEY = "..."          # required when several machines serve the registry
# LABEL_SIGNING_KEY = "..."   # signs label serials; never change it after printing
