"""The plan aggregate, pure: state, commands, decide, evolve, errors. No I/O, no clock, no ids."""
