"""Folium maps of the city and their browser side (JS/CSS served offline); no Streamlit here."""
