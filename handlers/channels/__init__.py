"""One module per channel: each turns its vendor's request into a Message and a Reply into its vendor's answer."""
