"""Where a printed label may wrap, for every renderer: Japanese breaks anywhere unless told.

A long label breaks at a space, after a list mark, 等, a closing bracket or a particle (の, に対する),
or before an opening bracket; never inside a word (「地域づく/り」).
"""

import re

NATURAL_BREAK = re.compile(r"(?<=[等・、）)の])|(?<=に対する)|(?=[（(])")
