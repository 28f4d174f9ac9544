"""Analytics: pure functions from canonical observation frames to frozen result objects.

They know nothing of HTTP or the store: callers pass frames with the columns of
:data:`yenflow.frame.FRAME_COLUMNS` (the store's ``observations()``
returns exactly that, optionally "as of" a date), and get back frozen results
with ``to_frame()`` and ``summary()``.
"""
