"""A tiny ``{{ expression | filter }}`` template engine."""

from .filters import FILTERS, Markup
from .template import Template, TemplateError, render

__all__ = ["Template", "TemplateError", "render", "FILTERS", "Markup"]
