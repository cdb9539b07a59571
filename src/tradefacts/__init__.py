"""tradefacts: trade facts from Central Asian economic news."""

from tradefacts.extract import extract
from tradefacts.model import Evidence, Fact, Growth

__all__ = ["extract", "Fact", "Evidence", "Growth", "__version__"]
__version__ = "0.1.0"
