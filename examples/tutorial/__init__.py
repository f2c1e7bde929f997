"""One runnable example per section of the persistence tutorial (see docs/)."""
