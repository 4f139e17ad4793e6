"""The producer portal: a member keeps its producer's records and applies for ratings."""
