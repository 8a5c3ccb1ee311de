"""Raw inputs into clean documents: files and JSON Lines read (``reader``),
bytes decoded whatever their encoding (``decode``), site furniture and
bylines removed and the headline and date found (``cleaner``), and the
language told (``language``). What leaves is a ``records.Document``, or a
``records.Rejection`` that says why not."""
