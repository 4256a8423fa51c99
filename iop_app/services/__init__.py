"""Domain rules and the one permissions module. Plain functions on a Session and
an acting user; no Reflex imports, so everything here is testable alone."""
