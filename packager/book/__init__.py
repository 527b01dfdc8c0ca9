"""Book: config, the assembled collection, themes, assets and the rendered documents.
Exports load_config, assemble and render_book (Collection -> Book)."""
