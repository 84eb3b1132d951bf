"""Security tests: each hole of issue 9 that this suite covers, shown closed."""
