"""The playground: a thin local JSON API over the library, plus the page that calls it.

An adapter (design.md "Growing the house"): it reads the edited policies into
the model, asks the same core functions ``explain``, ``validate`` and
``audit`` use, and renders their answers as JSON. It decides nothing itself.
Served on the loopback interface only (``web.server``); the page and its
assets are bundled in ``web/assets`` (no CDN, no build step).
"""
