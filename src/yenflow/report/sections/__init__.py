"""The report's sections, one module each; every module's ``build(inputs, out)`` fills a draft.

:data:`yenflow.report.build.SECTIONS` lists them in display order with their keys and titles.
"""
