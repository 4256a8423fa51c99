"""Every standardised measure the program uses, as data (see schema.py).

Not here on purpose: the C-SSRS, whose electronic use needs a paid licence.
"""

from __future__ import annotations

from types import MappingProxyType

from .change import RULER, URICA
from .mood import GAD7, PCL5, PHQ9
from .schema import Instrument
from .substance import AUDIT, AUDITC, BAM, DAST10

# code -> definition, in the order forms are offered; read-only.
DEFINITIONS: MappingProxyType[str, Instrument] = MappingProxyType({
    instrument.code: instrument for instrument in (PHQ9, GAD7, AUDIT, AUDITC, DAST10, BAM, URICA, PCL5, RULER)
})
CODES: tuple[str, ...] = tuple(DEFINITIONS)
