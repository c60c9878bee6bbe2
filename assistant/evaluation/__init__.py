"""Quality measurement over the one answer pipeline: SQuAD-format retrieval sets, seed-question sets, the archive
development set."""
