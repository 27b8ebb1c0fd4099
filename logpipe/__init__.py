"""logpipe: a Kafka to Elasticsearch/OpenSearch log pipeline worker."""

__version__ = "0.1.0"
