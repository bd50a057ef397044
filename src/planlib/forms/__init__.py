"""The returns round trip: blank forms out to counties, marked returns back to their clerks."""

from .blank import FormsWritten, write_forms
from .feedback import CountyFeedback, FeedbackWritten, write_feedback

__all__ = ["CountyFeedback", "FeedbackWritten", "FormsWritten", "write_feedback", "write_forms"]
