"""Views: a Plan or a Report as text, JSON, Markdown or GitHub annotations."""
