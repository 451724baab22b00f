"""Renderers for audit results: SARIF, HTML, DOT/SVG. Each module has ``render(result)``."""
