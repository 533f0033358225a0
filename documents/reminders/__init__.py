"""The reminder system's reads: who follows what, what each e-mail says (through the visibility
rule), how it is rendered, and whether the jobs are alive. Writes are in documents.services."""
