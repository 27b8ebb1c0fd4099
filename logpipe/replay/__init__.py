"""`logpipe replay`: bounded backfills from Kafka, files or the dead-letter topic, safe to rerun."""
