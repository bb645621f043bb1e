"""Siaga 112: domain, database and services of the Call Center 112 Kota Pekalongan dispatch map."""
