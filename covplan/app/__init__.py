"""The Streamlit app's pages and state; imported only by ``app.py``."""
