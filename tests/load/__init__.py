"""`make bench`: delivery latency, throughput, memory and payload of the app and two peers."""
