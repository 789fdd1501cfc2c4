"""What a fit produced and how two results compare: the value model, the record, the one comparison, the metrics."""
