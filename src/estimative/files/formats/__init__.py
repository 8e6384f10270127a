"""The exchange formats, one module each with its writer and its reader: :mod:`.bif`,
:mod:`.xml` (XMLBIF and XDSL), :mod:`.net` (HUGIN) and :mod:`.uai`.

What they share is in :mod:`._common` (the records, numbers, names) and :mod:`._scanner` (the
tokenizer of BIF and NET); :mod:`._spec` turns what a reader found into a model. The public
entry points are in :mod:`estimative.files.interop`.
"""
