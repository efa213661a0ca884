"""Business rules. Services take repositories and a clock; they never touch boto3 or the event."""
