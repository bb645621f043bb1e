"""Streamlit pages (thin: read widgets, call one service, render) and their shared glue (ui.py)."""
