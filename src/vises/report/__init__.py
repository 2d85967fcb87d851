"""Report formats: terminal table, Markdown, CSV, JSON and a self-contained HTML page.

Each format is registered as a plugin record in ``vises.report.hooks``; ``vises.render(results,
"html", view="profile", organisation="...")`` picks one by name. Importing this package is cheap:
tabulate, jinja2 and babel load only when a report is rendered; no plotting library is needed.
"""
