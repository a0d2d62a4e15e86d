"""Data-derived text made inert before Streamlit renders it as Markdown.

`st.caption`, `st.markdown`, `st.info` and friends read Markdown (links, images, emphasis), plus
Streamlit's own directives (`:red[...]`, `:material/icon:`, `$LaTeX$`).  A workload or model name
put in such a string is shown as typed once every ASCII punctuation character is backslash-escaped
(CommonMark allows that for all of them) and line breaks are flattened to spaces.
"""

from __future__ import annotations

import string
from typing import Any

_ESCAPE = {ord(c): "\\" + c for c in string.punctuation}
_ESCAPE.update({ord("\r"): " ", ord("\n"): " "})


def md(value: Any) -> str:
    """`value` as literal text inside Markdown."""
    return str(value).translate(_ESCAPE)


def md_join(values: Any, sep: str = ", ") -> str:
    """Escaped values joined by a plain separator."""
    return sep.join(md(v) for v in values)
