"""tradefacts: trade facts from Central Asian economic news."""

from tradefacts.extract import extract
from tradefacts.model import Evidence, Fact, Growth
from tradefacts.store import Store

__all__ = ["extract", "Fact", "Evidence", "Growth", "Store", "__version__"]
__version__ = "0.1.0"
