"""Binding: a finished book PDF onto sheets to fold and sew (imposition), and the cover wrap.

Exports impose_book and cover_wrap (packager.binding.impose), check_imposed (.verify).
"""
