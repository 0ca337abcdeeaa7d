"""One message in, one reply out: emergency first, then commands, mixing, topics and confidence. No I/O."""
