"""What operators see: Prometheus metrics, structured logs, the business-event observer.

Neither inbound nor outbound: both sides import it, it imports neither."""
