"""Polyglot Speech Studio: task logic, free of any Gradio widget code."""
