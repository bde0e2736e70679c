"""Command-line tools: test runner, screenshots, synthetic scale data, benchmark."""
