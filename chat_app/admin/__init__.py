"""The command-line tool for the person running the server: `python -m chat_app.admin`.

It sits at the top of the layers beside the app: it uses the services and the settings the
app uses (the same database, either profile), never the states or Reflex.
"""
