"""The HTTP side of the app (Starlette routes mounted by st.App in app.py), beside the pages."""
