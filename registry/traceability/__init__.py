"""What a traced batch must hold under Circular 02/2024/TT-BKHCN: pure rules (items.py)
and the batch's record built from the database (record.py)."""
