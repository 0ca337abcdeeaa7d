"""Text that every layer reads: normalising what people type, spelling, language guessing, SMS segments."""
